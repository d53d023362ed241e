"""Notification preferences: immediate or one daily digest, and which kinds; and the digest's planning.

``outbox.plan_deliveries`` finds who each due notice goes to and hands the result to ``deliver``:
a person who wants every notice as it comes gets one ``Delivery`` now (the outbox's own behaviour);
one who chose the daily digest has the notices added to their digest of the next digest instant
(``DIGEST_HOUR_EASTERN`` o'clock, Eastern), a pending ``Delivery`` due then, held by a ``DigestSlot``
that is unique per address and Eastern day: exactly one digest per person per day, however many
dispatchers plan at once. The outbox's sender sends it when it falls due, dropping notices that
stopped being true meanwhile. Kinds a person turned off are not sent to them; a notice nobody wants
is cancelled, saying so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TypeGuard

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from directives.models.outreach import DigestSlot, NotificationPreference

from .. import deadlines
from ..models import Delivery, Notification


def next_digest_at(now: dt.datetime, hour: int | None = None) -> dt.datetime:
    """Return the first digest instant after ``now``: ``hour`` o'clock Eastern, today or tomorrow.

    Computed on the Eastern calendar, so the digest keeps its local hour across daylight-saving changes
    (08:00 Eastern is 13:00 UTC in winter, 12:00 UTC in summer). An hour that does not exist on the day
    clocks spring forward (02:00) is read as standard time, which is 03:00 daylight time.
    """
    hour = settings.DIGEST_HOUR_EASTERN if hour is None else hour
    local_day = deadlines.local_date(now)
    for day in (local_day, local_day + dt.timedelta(days=1)):
        at = dt.datetime.combine(day, dt.time(hour), tzinfo=deadlines.EASTERN).astimezone(dt.UTC)
        if at > now:
            return at
    raise AssertionError("unreachable: tomorrow's digest is always after now")  # pragma: no cover


def _is_list_of_strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def preference_of(user: User) -> NotificationPreference:
    """Return ``user``'s preference, or the default (immediate, every kind) without saving it."""
    found = NotificationPreference.objects.filter(user_id=user.pk).first()
    return found or NotificationPreference(user=user, kinds=list(Notification.Kind.values))


def set_notification_preference(
    user: User, *, actor: User | None, mode: str, kinds: list[str]
) -> NotificationPreference:
    """Record how ``user`` wants notices: ``mode`` (immediate or daily_digest) and ``kinds``."""
    if actor is not None and not (actor.is_active and (actor.pk == user.pk or actor.is_superuser)):
        raise PermissionDenied("Only the person or an administrator may change their notification settings.")
    errors: dict[str, list[str]] = {}
    if mode not in NotificationPreference.Mode.values:
        errors["mode"] = [
            f"{mode!r} is not a choice; use one of {', '.join(NotificationPreference.Mode.values)}."
        ]
    if not _is_list_of_strings(kinds):  # checked here too: a caller may hand on what it was sent
        errors["kinds"] = ["Give the kinds as a list."]
    else:
        unknown = sorted(set(kinds) - set(Notification.Kind.values))
        if unknown:
            errors["kinds"] = [f"Unknown kinds: {', '.join(unknown)}."]
    if errors:
        raise ValidationError(errors)
    ordered = [kind for kind in Notification.Kind.values if kind in kinds]
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.update_or_create(
            user_id=user.pk, defaults={"mode": mode, "kinds": ordered, "updated": timezone.now()}
        )
    return preference


def unsubscribe(address: str, *, actor: User | None) -> NotificationPreference | None:
    """Turn off every kind of notice for the active person with ``address`` (the email's one-click
    unsubscribe, RFC 8058); return their preference, or None when no active account has the address.

    The link is the person's own, signed for their address (``notify.unsubscribe_token``), so the
    person is the actor; they can turn kinds back on at their notification settings.
    """
    user = (
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address=address.lower(), is_active=True)
        .order_by("pk")
        .first()
    )
    if user is None:
        return None
    mode = preference_of(user).mode
    return set_notification_preference(user, actor=actor or user, mode=mode, kinds=[])


def _preferences_by_address(addresses: Iterable[str]) -> dict[str, NotificationPreference]:
    """Return the preference of the active user behind each address (by lower case), where one is set."""
    users = (
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address__in=[a.lower() for a in addresses], is_active=True)
        .order_by("pk")
    )
    by_user = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    found: dict[str, NotificationPreference] = {}
    for user in users:
        if user.pk in by_user:
            found.setdefault(user.address, by_user[user.pk])
    return found


def digest_delivery(address: str, now: dt.datetime) -> Delivery:
    """Return the pending delivery of ``address``'s next digest, creating it and its slot once."""
    send_at = next_digest_at(now)
    day = deadlines.local_date(send_at)
    for _ in range(2):
        slot = (
            DigestSlot.objects.select_for_update()
            .select_related("delivery")
            .filter(recipient=address.lower(), day=day)
            .first()
        )
        if slot is not None:
            if slot.delivery.state == Delivery.State.PENDING:
                return slot.delivery
            # Sent or claimed already (a clock set back): this notice goes out now instead.
            return Delivery.objects.create(recipient=address, created=now, next_attempt_at=now)
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(recipient=address, created=now, next_attempt_at=send_at)
                DigestSlot.objects.create(delivery=delivery, recipient=address.lower(), day=day)
                return delivery
        except IntegrityError:
            continue  # another dispatcher made the slot a moment ago: use theirs
    raise RuntimeError(f"could not find or make the digest of {address} for {day}")


def deliver(owed: Mapping[str, list[Notification]], now: dt.datetime, cancelled: list[int]) -> None:
    """Put each address's notices into a delivery now, or into its digest; cancel the unwanted ones."""
    preferences = _preferences_by_address(owed)
    handed: set[int] = set()
    for address, notifications in sorted(owed.items()):
        preference = preferences.get(address.lower())
        wanted = [n for n in notifications if preference is None or n.kind in preference.kinds]
        if not wanted:
            continue
        if preference is not None and preference.mode == NotificationPreference.Mode.DAILY_DIGEST:
            delivery = digest_delivery(address, now)
        else:
            delivery = Delivery.objects.create(recipient=address, created=now, next_attempt_at=now)
        delivery.notifications.add(*wanted)
        handed.update(n.pk for n in wanted)
    unwanted = {n.pk: n for ns in owed.values() for n in ns if n.pk not in handed}
    for notification in unwanted.values():
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.CANCELLED,
            last_error=f"Everyone it goes to turned off {notification.get_kind_display().lower()}s.",
        )
        cancelled.append(notification.pk)
