"""The tables of what reaches people outside the site: calendars, webhooks, preferences, open data.

Models of their own module, so that ``models.py`` stays about orders, directives and their history;
``apps.DirectivesConfig.ready`` imports this module, which registers them with the ``directives`` app.
State changes go through ``directives/actions/`` (``webhooks``, ``preferences``, ``publishing``,
``calendars``); nothing here saves domain state on its own.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import Agency

from .notices import EVENT_NOTICE_KINDS, Delivery, Notification
from .orders import Order


def all_kinds() -> list[str]:
    """Return every notice kind: what a new subscription receives."""
    return list(Notification.Kind.values)


def unasked_kinds() -> list[str]:
    """Return the kinds sent unasked (by email to a person without a preference, to a new webhook):
    every kind but the notices of events, sent only where someone asked for them."""
    return [kind for kind in Notification.Kind.values if kind not in EVENT_NOTICE_KINDS]


def no_kinds() -> list[str]:
    return []


# Where a person without a preference gets their digest, and the time zone a new preference starts in.
DEFAULT_TIME_ZONE = "America/New_York"


class CalendarToken(models.Model):
    """The secret in a user's calendar feed addresses, stored as its SHA-256 digest only.

    The key has 256 random bits, so a plain digest (no salt, no slow hash) is enough, as knox does for
    API tokens. Rotating replaces the digest: every address made with the old key stops working.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, hex.")
    created = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar feed key of {self.user} (made {self.created:%Y-%m-%d %H:%M} UTC)"


class NoticeFeedKey(models.Model):
    """The secret in a user's Atom notices feed address, stored as its SHA-256 digest only.

    As ``CalendarToken``, and apart from it: a feed reader's copy of one address gives nothing of the
    other. Rotating replaces the digest: the address made with the old key stops working.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_feed_key"
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, hex.")
    created = models.DateTimeField()

    def __str__(self) -> str:
        return f"Notices feed key of {self.user} (made {self.created:%Y-%m-%d %H:%M} UTC)"


class NotificationPreference(models.Model):
    """How one person wants notices: each as it comes, or one daily digest; and which kinds."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "As they happen"
        DAILY_DIGEST = "daily_digest", "One daily digest"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.IMMEDIATE)
    kinds = models.JSONField(
        default=unasked_kinds, help_text="The notice kinds wanted by email (Notification.Kind)."
    )
    # The other channels (issue 21): each kind chosen per channel, none unless asked for.
    webhook_kinds = models.JSONField(
        default=no_kinds, blank=True, help_text="The kinds posted to the person's own webhook."
    )
    feed_kinds = models.JSONField(
        default=no_kinds, blank=True, help_text="The kinds listed in the person's notices feed."
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        help_text="IANA name: the digest goes out at its hour there and prints its times in it.",
    )
    updated = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user}: {self.get_mode_display()}"


class DigestSlot(models.Model):
    """The one daily digest of one address on one local day (the person's time zone's): the delivery
    its notices wait in."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="digest_slot")
    recipient = models.EmailField(max_length=254)
    day = models.DateField(help_text="The day the digest goes out, in its recipient's time zone.")

    class Meta:
        constraints = [
            # Exactly one digest per person per day, however many dispatchers plan at once.
            models.UniqueConstraint(fields=["recipient", "day"], name="digest_once_per_recipient_day"),
        ]

    def __str__(self) -> str:
        return f"Digest of {self.recipient} on {self.day}"


class WebhookSubscription(models.Model):
    """An address told of every notice about one agency's or one order's directives, or one person's
    own address, posted the notices that person is sent and chose to have there (``user``)."""

    class Format(models.TextChoices):
        STANDARD = "standard", "Standard Webhooks (signed JSON)"
        TEAMS = "teams", "Microsoft Teams (Workflows, Adaptive Card)"
        SLACK = "slack", "Slack (incoming webhook, blocks)"

    name = models.CharField(max_length=100, help_text="What it is for, e.g. “CISA compliance channel”.")
    url = models.URLField(max_length=500)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.STANDARD)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_webhook",
        help_text="Set for a person's own webhook (their notification settings choose its kinds).",
    )
    kinds = models.JSONField(default=unasked_kinds, help_text="The notice kinds sent (Notification.Kind).")
    # Kept in the clear: the receiver needs the same secret to verify, so it cannot be a digest.
    secret = models.CharField(max_length=100, help_text="whsec_..., the Standard Webhooks signing secret.")
    # The secret before the last rotation, still signing beside the new one until ``previous_secret_until``
    # so the receiver can switch over without losing a message (Standard Webhooks allows several).
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(order__isnull=True) & Q(user__isnull=True))
                | (Q(agency__isnull=True) & Q(order__isnull=False) & Q(user__isnull=True))
                | (Q(agency__isnull=True) & Q(order__isnull=True) & Q(user__isnull=False)),
                name="webhook_subscription_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_format_display()})"

    def signing_secrets(self, now: dt.datetime) -> list[str]:
        """Return the secrets a message sent at ``now`` is signed with: the current one, and the previous
        one while its overlap lasts."""
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return [self.secret, self.previous_secret]
        return [self.secret]

    @property
    def scope(self) -> str:
        if self.agency is not None:
            return f"agency {self.agency.abbreviation}"
        if self.user is not None:
            return f"{self.user.get_username()}'s own"
        assert self.order is not None  # noqa: S101 - the check constraint: an agency or else an order
        return f"EO {self.order.number}"


class WebhookDelivery(models.Model):
    """One notice to one subscription: the delivery log, claimed and sent like an email delivery."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed, gave up"
        CANCELLED = "cancelled", "Cancelled"

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, related_name="webhook_deliveries"
    )
    message_id = models.CharField(
        max_length=40, unique=True, help_text="webhook-id: the same on every attempt."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created", "-id"]
        constraints = [
            # Exactly-once intent: a notice is planned to a subscription once, however often it is planned.
            models.UniqueConstraint(fields=["subscription", "notification"], name="webhook_delivery_once"),
        ]
        indexes = [
            # actions.webhooks.claim_webhook_delivery takes due rows by next_attempt_at among the unsent.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_unsent_idx",
                condition=Q(state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Webhook {self.message_id} to {self.subscription} ({self.state})"


class FeedEntry(models.Model):
    """One notice in one person's notices feed (the channel they chose for its kind)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_entries")
    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="feed_entries")
    created = models.DateTimeField()

    class Meta:
        verbose_name_plural = "feed entries"
        constraints = [
            # Planned once however often the notice is planned (a dispatcher retried, two at once).
            models.UniqueConstraint(fields=["user", "notification"], name="feed_entry_once"),
        ]
        # The person's feed, newest first.
        indexes = [models.Index(fields=["user", "-id"], name="feed_entry_user_idx")]

    def __str__(self) -> str:
        return f"{self.notification} in {self.user}'s feed"


class Publication(models.Model):
    """An order published as open data: its public feed and page exist while this row does."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="publication")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.order} published {self.published_at:%Y-%m-%d %H:%M} UTC"
