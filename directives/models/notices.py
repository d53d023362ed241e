"""The outbox: one notice owed about a directive's deadline, and the emails that carry notices.

Written by the sweeps in the same transaction as the event that caused each notice; drained by
``actions.outbox``. Re-exported by ``directives.models``; it reads the history's table from
``models.events``, which imports nothing of the outbox, so the modules make no cycle.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

# The history's table has a module of its own (events), which imports nothing of the outbox: no cycle.
from .events import DirectiveEvent

# How long past its lease a claimed email may stay "sending" before it is reported as stuck: two sweeps.
STUCK_MARGIN_SECONDS = 120


class NotificationManager(models.Manager["Notification"]):
    def owe_overdue_notices(self, *, first_event: int, last_event: int, now: dt.datetime) -> None:
        """Owe one overdue notice for each ``flagged_overdue`` event with an id in the given range.

        One ``INSERT ... SELECT`` (the overdue sweep flags tens of thousands at once; building model
        instances for them costs several times the sweep itself, bench/sweep.py). A parent is told
        through its parts, which are flagged too, so it owes none. Another sweep's flag events in the
        range would owe the same notices, which the unique constraint keeps single.
        """
        qn = connection.ops.quote_name
        event_model = cast("type[DirectiveEvent]", self.model._meta.get_field("event").related_model)
        directive_model = self.model._meta.get_field("directive").related_model
        event, directive, notification = (
            qn(m._meta.db_table) for m in (event_model, directive_model, self.model)
        )
        params = {
            "now": connection.ops.adapt_datetimefield_value(now),
            "first": first_event,
            "last": last_event,
            "flagged": event_model.Kind.FLAGGED_OVERDUE.value,
            "overdue": Notification.Kind.OVERDUE.value,
            "pending": Notification.State.PENDING.value,
        }
        # Table names come from the models; every value is bound.
        sql = f"""
            INSERT INTO {notification} (directive_id, kind, due_on, offset_days, event_id, state, created,
                next_attempt_at, attempts, recipients, last_error)
            SELECT e.directive_id, %(overdue)s, e.old_due_on, 0, e.id, %(pending)s, %(now)s, %(now)s, 0,
                '[]', ''
            FROM {event} e
            WHERE e.id BETWEEN %(first)s AND %(last)s AND e.kind = %(flagged)s
                AND NOT EXISTS (SELECT 1 FROM {directive} part WHERE part.parent_id = e.directive_id)
            ON CONFLICT DO NOTHING
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def left_sending(self, now: dt.datetime) -> models.QuerySet[Notification]:
        """Return the notices still "sending" long after they were handed on (the lease and its margin)
        although none of their emails is: left behind by a settle that lost a race, until the sweep.

        A notice waiting for its recipient's daily digest has a pending email, so it is not here.
        """
        lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS + STUCK_MARGIN_SECONDS)
        return (
            self.filter(state=Notification.State.SENDING, sending_started_at__lt=now - lease)
            .exclude(deliveries__state__in=[Delivery.State.PENDING, Delivery.State.SENDING])
            .distinct()
        )


# The notices of what an event did, by their stored kind (Notification.Kind.STATUS_CHANGED ...).
EVENT_NOTICE_KINDS = ("status_changed", "completed", "review_recorded")


class Notification(models.Model):
    """One notice owed about one directive's deadline: the outbox the dispatcher drains.

    A row is written in the same transaction as the event that caused it, so a notice is never lost
    when a worker dies, and is unique per directive, kind, deadline and offset, so it is never owed
    twice. ``offset_days`` places the notice relative to the deadline: -7 and -1 for the reminders
    before it, 0 for the overdue notice, +7 for the escalation a week after. The dispatcher hands it to
    one ``Delivery`` per person it goes to; a person owed several notices at once gets one email.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder before the deadline"
        OVERDUE = "overdue", "Overdue notice"
        ESCALATION = "escalation", "Escalation to oversight"
        # Extension requests (actions.extensions): the reviewers are told of a request, the requester
        # of the decision. ``due_on`` is the date asked for; ``event`` the request's or decision's event.
        EXTENSION_REQUESTED = "extension_requested", "Extension requested"
        EXTENSION_DECIDED = "extension_decided", "Extension request decided"
        # What a history event did (issue 21): owed by the action that appends the event, one notice an
        # event (``event`` is it; ``due_on`` the deadline then, or the day when there is none). Each
        # person opts in to them per channel (``NotificationPreference``): nobody receives them unasked.
        STATUS_CHANGED = "status_changed", "Status changed"
        COMPLETED = "completed", "Completed"
        REVIEW_RECORDED = "review_recorded", "Review recorded"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Being delivered"
        SENT = "sent", "Sent"
        # No longer written: a notice is retried until it goes out (rows from before are requeued).
        FAILED = "failed", "Failed, gave up"
        # The notice stopped being true before it went out: the directive was completed or its
        # deadline moved (the new deadline owes notices of its own).
        CANCELLED = "cancelled", "Cancelled, no longer true"
        # Every email carrying it was refused by the mail server (a 5xx): a person must look.
        REFUSED = "refused", "Refused by the mail server"
        # Its email went out whole but the server never answered: maybe delivered, not sent again.
        UNCONFIRMED = "unconfirmed", "Sent, unconfirmed"

    directive = models.ForeignKey("Directive", on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField(help_text="The deadline the notice is about; a new deadline owes new notices.")
    offset_days = models.SmallIntegerField(default=0, help_text="Days from the deadline (negative: before).")
    event = models.ForeignKey(
        "DirectiveEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField()
    next_attempt_at = models.DateTimeField(help_text="Not sent before this instant (retry backoff).")
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True, help_text="Addresses it was delivered to.")
    last_error = models.TextField(blank=True)

    objects = NotificationManager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "kind", "due_on", "offset_days"],
                condition=~Q(kind__in=EVENT_NOTICE_KINDS),
                name="notification_once_per_deadline",
            ),
            # A notice of what an event did is owed once per event, however often the same thing happens.
            models.UniqueConstraint(
                fields=["event", "kind"],
                condition=Q(kind__in=EVENT_NOTICE_KINDS),
                name="notification_once_per_event",
            ),
        ]
        indexes = [
            # The dispatcher takes due rows by `next_attempt_at` among those not handed on yet; the
            # partial index keeps that scan small however many sent rows accumulate.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_pending_idx",
                condition=Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.directive.ref} due {self.due_on} ({self.state})"


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def needing_attention(self, now: dt.datetime | None = None) -> DeliveryQuerySet:
        """Return the emails a person must look at: unsent after ``NOTIFICATION_MAX_ATTEMPTS`` tries,
        or refused by the mail server or left unconfirmed in the last ``NOTIFICATION_ATTENTION_DAYS``.

        The first are retried for as long as it takes (nothing is dropped), but a server deferring them
        for this long needs a person; the others are never sent again. The admin lists them all and
        ``outbox_status`` counts them; a refusal older than the window is history, not an alarm.
        """
        since = (now or timezone.now()) - dt.timedelta(days=settings.NOTIFICATION_ATTENTION_DAYS)
        return self.filter(
            Q(
                state__in=[Delivery.State.PENDING, Delivery.State.SENDING],
                attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS,
            )
            | Q(
                state__in=[Delivery.State.REFUSED, Delivery.State.UNCONFIRMED],
                sending_started_at__gte=since,
            )
        )

    def undelivered_to(self, address: str, now: dt.datetime) -> DeliveryQuerySet:
        """Return the emails to ``address`` refused by the mail server or left unconfirmed lately
        (``NOTIFICATION_ATTENTION_DAYS``): what its owner is shown on their notification settings."""
        since = now - dt.timedelta(days=settings.NOTIFICATION_ATTENTION_DAYS)
        return self.filter(
            recipient__iexact=address,
            state__in=[Delivery.State.REFUSED, Delivery.State.UNCONFIRMED],
            sending_started_at__gte=since,
        ).order_by("-id")

    def stuck_sending(self, now: dt.datetime) -> DeliveryQuerySet:
        """Return the emails claimed for sending longer ago than the lease and its margin.

        The sweeper (``actions.sweep_expired_leases``) returns them to the queue every minute, so any
        here mean it is not running: ``/readyz/`` and ``/metrics`` report their count.
        """
        lease = dt.timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS + STUCK_MARGIN_SECONDS)
        return self.filter(state=Delivery.State.SENDING, sending_started_at__lt=now - lease)


class Delivery(models.Model):
    """One email to one person, carrying every notice one dispatch found owed to them: a digest.

    Ten directives falling overdue at one midnight are one email to each of their editors, not ten.
    A delivery is claimed, sent and marked like the outbox rows once were: a lease while it is sent, a
    backoff when the mail server refuses it (retried for as long as it takes), and the same
    ``Message-ID`` on every attempt.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        # No longer written: an email is retried until the mail server takes it or refuses it.
        FAILED = "failed", "Failed, gave up"
        CANCELLED = "cancelled", "Cancelled, nothing left to say"
        # The mail server answered 5xx (at RCPT, MAIL or after the message): never sent again; its
        # reply is in ``last_error`` for a person (the admin's "needs attention", the recipient's page).
        REFUSED = "refused", "Refused by the mail server"
        # The message went out whole and no answer came (a timeout, the connection lost after the final
        # dot): the server may have queued it, so it is not sent again (docs/faults.md).
        UNCONFIRMED = "unconfirmed", "Sent, unconfirmed"

    recipient = models.EmailField(max_length=254)
    notifications = models.ManyToManyField(Notification, related_name="deliveries")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField()
    next_attempt_at = models.DateTimeField(help_text="Not sent before this instant (retry backoff).")
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set just before the email goes to the mail server: an attempt in flight whose outcome "
        "was not recorded yet. A claim that finds it set checks whether the server took it before sending "
        "again.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    queue_id = models.CharField(
        max_length=200,
        blank=True,
        help_text="The mail server's queue id from its 250 reply (the whole reply when it names "
        "none): what to look for in the server's log.",
    )
    last_error = models.TextField(blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created", "-id"]
        indexes = [
            # The dispatcher claims due deliveries by `next_attempt_at` among those not sent or given up.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_unsent_idx",
                condition=Q(state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Email to {self.recipient} ({self.state})"
