"""The notices' channels besides email: each person's own webhook and their notices feed (issue 21).

A person chooses, per kind of notice, email (``preferences``), their own webhook (a
``WebhookSubscription`` with ``user`` set, signed and retried like every webhook) and their notices
feed (``FeedEntry`` rows, read on their notices page). ``outbox.plan_deliveries`` hands every person
it finds owed notices to ``deliver_elsewhere`` before ``preferences.deliver`` emails them, so a notice
that goes only to a webhook or a feed is sent, not cancelled as unwanted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from directives.models.outreach import FeedEntry, NotificationPreference, WebhookSubscription
from directives.notices import payloads
from ledger import audit
from ledger.models import AccessEvent

from ..models import Notification
from . import preferences, webhooks


def deliver_elsewhere(owed: Mapping[str, list[Notification]], now: dt.datetime) -> set[int]:
    """List each person's notices in their feed and post them to their own webhook, as they chose per
    kind; return the ids of the notices handed to either."""
    users = list(
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address__in=[a.lower() for a in owed], is_active=True)
        .order_by("pk")
    )
    chosen = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    hooks = {
        s.user_id: s for s in WebhookSubscription.objects.filter(user__in=users, active=True).order_by("pk")
    }
    handed: set[int] = set()
    seen: set[int] = set()
    by_address = {a.lower(): ns for a, ns in owed.items()}
    for user in users:
        preference = chosen.get(user.pk)
        if preference is None or user.pk in seen:
            continue
        seen.add(user.pk)
        notifications = by_address.get(user.address, [])
        listed = [n for n in notifications if n.kind in preference.feed_kinds]
        FeedEntry.objects.bulk_create(
            [FeedEntry(user_id=user.pk, notification=n, created=now) for n in listed], ignore_conflicts=True
        )
        handed.update(n.pk for n in listed)
        hook = hooks.get(user.pk)
        if hook is not None:
            for notification in notifications:
                if notification.kind in preference.webhook_kinds:
                    webhooks.plan_webhook(hook, notification, now)
                    handed.add(notification.pk)
    return handed


def personal_webhook(user: User) -> WebhookSubscription | None:
    """Return ``user``'s own webhook, if they gave one."""
    return WebhookSubscription.objects.filter(user_id=user.pk).first()


def set_notice_settings(
    user: User,
    *,
    actor: User | None,
    mode: str,
    kinds: list[str],
    webhook_kinds: list[str],
    feed_kinds: list[str],
    time_zone: str,
    webhook_url: str,
) -> NotificationPreference:
    """Record every choice of ``user``'s notification settings at once: the email ``mode`` and
    ``kinds``, the kinds for their own webhook at ``webhook_url`` (empty: none) and for their feed,
    and their time zone. Every problem is a ``ValidationError`` at its field; then nothing is written.
    """
    webhook_url = webhook_url.strip()
    errors: dict[str, list[str]] = {}
    problem = webhooks.url_problem(webhook_url) if webhook_url else None
    if problem:
        errors["webhook_url"] = [problem]
    elif webhook_kinds and not webhook_url:
        errors["webhook_url"] = ["Give your webhook's address, or choose no kinds for the webhook."]
    try:
        with transaction.atomic():
            preference = preferences.set_notification_preference(
                user,
                actor=actor,
                mode=mode,
                kinds=kinds,
                webhook_kinds=webhook_kinds,
                feed_kinds=feed_kinds,
                time_zone=time_zone,
            )
            if errors:
                raise ValidationError(errors)
            _set_personal_webhook(user, actor=actor, url=webhook_url)
    except ValidationError as exc:
        raise ValidationError({**exc.message_dict, **errors}) from None
    return preference


def _set_personal_webhook(user: User, *, actor: User | None, url: str) -> None:
    """Make, change or (``url`` empty) remove ``user``'s own webhook, in the access log."""
    if actor is not None and not (actor.is_active and (actor.pk == user.pk or actor.is_superuser)):
        raise PermissionDenied("Only the person or an administrator may change their webhook.")
    hook = WebhookSubscription.objects.select_for_update().filter(user_id=user.pk).first()
    actor_id = actor.pk if actor is not None else None
    if hook is not None and (not url or hook.url != url):
        detail = {"webhook": hook.pk, "url": hook.url, "scope": hook.scope}
        hook.delete()
        audit.record(AccessEvent.Kind.WEBHOOK_DELETED, actor_id=actor_id, subject_id=user.pk, detail=detail)
        hook = None
    if url and hook is None:
        hook = WebhookSubscription.objects.create(
            name=f"{user.get_username()}'s notices"[:100],
            url=url,
            user=user,
            secret=payloads.new_secret(),
            created=timezone.now(),
            created_by=actor,
        )
        audit.record(
            AccessEvent.Kind.WEBHOOK_CREATED,
            actor_id=actor_id,
            subject_id=user.pk,
            detail={"webhook": hook.pk, "url": hook.url, "scope": hook.scope},
        )
