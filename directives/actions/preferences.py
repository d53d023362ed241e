"""Notification preferences: immediate or one daily digest, which kinds, the time zone; the digest's planning.

``outbox.plan_deliveries`` finds who each due notice goes to and hands the result to ``deliver``:
a person who wants every notice as it comes gets one ``Delivery`` now (the outbox's own behaviour);
one who chose the daily digest has the notices added to their digest of the next digest instant
(``DIGEST_HOUR_EASTERN`` o'clock in the person's own time zone, Eastern unless they chose another), a
pending ``Delivery`` due then, held by a ``DigestSlot`` that is unique per address and local day:
exactly one digest per person per day, however many dispatchers plan at once. The outbox's sender
sends it when it falls due, dropping notices that stopped being true meanwhile. Kinds a person turned
off are not sent to them; a notice nobody wants is cancelled, saying so.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable, Mapping, Set
from typing import TypeGuard
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from directives.models.notices import EVENT_NOTICE_KINDS
from directives.models.outreach import DEFAULT_TIME_ZONE, DigestSlot, NotificationPreference, unasked_kinds

from ..models import Delivery, Notification


def next_digest_at(now: dt.datetime, hour: int | None = None, zone: str = DEFAULT_TIME_ZONE) -> dt.datetime:
    """Return the first digest instant after ``now``: ``hour`` o'clock in ``zone``, today or tomorrow.

    Computed on the zone's calendar, so the digest keeps its local hour across daylight-saving changes
    (08:00 Eastern is 13:00 UTC in winter, 12:00 UTC in summer). An hour that does not exist on the day
    clocks spring forward (02:00) is read as standard time, which is 03:00 daylight time.
    """
    hour = settings.DIGEST_HOUR_EASTERN if hour is None else hour
    tz = ZoneInfo(zone)
    local_day = now.astimezone(tz).date()
    for day in (local_day, local_day + dt.timedelta(days=1)):
        at = dt.datetime.combine(day, dt.time(hour), tzinfo=tz).astimezone(dt.UTC)
        if at > now:
            return at
    raise AssertionError("unreachable: tomorrow's digest is always after now")  # pragma: no cover


def _is_list_of_strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def preference_of(user: User) -> NotificationPreference:
    """Return ``user``'s preference, or the default (immediate, the kinds emailed unasked, Eastern)
    without saving it."""
    found = NotificationPreference.objects.filter(user_id=user.pk).first()
    return found or NotificationPreference(user=user, kinds=unasked_kinds())


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(name: object) -> str | None:
    """Return why ``name`` is not a time zone a person may choose (an IANA name zoneinfo knows), or None."""
    if isinstance(name, str) and name in _zones():
        return None
    shown = repr(name)[:80]
    return f"{shown} is not a time zone; give its IANA name, such as America/Chicago or Europe/Paris."


def _kinds_problem(kinds: object) -> str | None:
    if not _is_list_of_strings(kinds):  # checked here too: a caller may hand on what it was sent
        return "Give the kinds as a list."
    unknown = sorted(set(kinds) - set(Notification.Kind.values))
    return f"Unknown kinds: {', '.join(unknown)}." if unknown else None


def _ordered(kinds: list[str]) -> list[str]:
    return [kind for kind in Notification.Kind.values if kind in kinds]


def set_notification_preference(
    user: User,
    *,
    actor: User | None,
    mode: str,
    kinds: list[str],
    webhook_kinds: list[str] | None = None,
    feed_kinds: list[str] | None = None,
    time_zone: str | None = None,
) -> NotificationPreference:
    """Record how ``user`` wants notices: ``mode`` (immediate or daily_digest), the ``kinds`` emailed,
    those posted to their own webhook and listed in their feed, and their ``time_zone``.

    What is not given stays as it was (a new preference: no webhook or feed kinds, Eastern time).
    """
    if actor is not None and not (actor.is_active and (actor.pk == user.pk or actor.is_superuser)):
        raise PermissionDenied("Only the person or an administrator may change their notification settings.")
    errors: dict[str, list[str]] = {}
    if mode not in NotificationPreference.Mode.values:
        errors["mode"] = [
            f"{mode!r} is not a choice; use one of {', '.join(NotificationPreference.Mode.values)}."
        ]
    for name, value in (("kinds", kinds), ("webhook_kinds", webhook_kinds), ("feed_kinds", feed_kinds)):
        problem = _kinds_problem(value) if value is not None else None
        if problem:
            errors[name] = [problem]
    zone_problem = time_zone_problem(time_zone) if time_zone is not None else None
    if zone_problem:
        errors["time_zone"] = [zone_problem]
    if errors:
        raise ValidationError(errors)
    values: dict[str, object] = {"mode": mode, "kinds": _ordered(kinds), "updated": timezone.now()}
    if webhook_kinds is not None:
        values["webhook_kinds"] = _ordered(webhook_kinds)
    if feed_kinds is not None:
        values["feed_kinds"] = _ordered(feed_kinds)
    if time_zone is not None:
        values["time_zone"] = time_zone
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.update_or_create(user_id=user.pk, defaults=values)
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


def digest_delivery(address: str, now: dt.datetime, zone: str = DEFAULT_TIME_ZONE) -> Delivery:
    """Return the pending delivery of ``address``'s next digest (at the digest hour in ``zone``, the
    person's time zone), creating it and its slot once."""
    send_at = next_digest_at(now, zone=zone)
    day = send_at.astimezone(ZoneInfo(zone)).date()
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


def deliver(
    owed: Mapping[str, list[Notification]],
    now: dt.datetime,
    cancelled: list[int],
    elsewhere: Set[int] = frozenset(),
) -> None:
    """Put each address's notices into a delivery now, or into its digest; cancel the unwanted ones.

    A person without a preference gets the kinds emailed unasked (not the notices of events, which are
    asked for). A notice nobody wants by email but handed to a webhook or feed (``elsewhere``, by id)
    is sent by that: marked so, not cancelled.
    """
    preferences = _preferences_by_address(owed)
    unasked = set(unasked_kinds())
    handed: set[int] = set()
    for address, notifications in sorted(owed.items()):
        preference = preferences.get(address.lower())
        kinds = unasked if preference is None else set(preference.kinds)
        wanted = [n for n in notifications if n.kind in kinds]
        if not wanted:
            continue
        if preference is not None and preference.mode == NotificationPreference.Mode.DAILY_DIGEST:
            delivery = digest_delivery(address, now, preference.time_zone)
        else:
            delivery = Delivery.objects.create(recipient=address, created=now, next_attempt_at=now)
        delivery.notifications.add(*wanted)
        handed.update(n.pk for n in wanted)
    only_elsewhere = sorted({n.pk for ns in owed.values() for n in ns} & set(elsewhere) - handed)
    Notification.objects.filter(pk__in=only_elsewhere).update(
        state=Notification.State.SENT, sent_at=now, last_error=""
    )
    unwanted = {n.pk: n for ns in owed.values() for n in ns if n.pk not in handed | set(elsewhere)}
    for notification in unwanted.values():
        Notification.objects.filter(pk=notification.pk).update(
            state=Notification.State.CANCELLED,
            last_error=(
                f"Nobody it goes to asked for notices of this kind ({notification.get_kind_display().lower()}"
                ")."
                if notification.kind in EVENT_NOTICE_KINDS
                else f"Everyone it goes to turned off {notification.get_kind_display().lower()}s."
            ),
        )
        cancelled.append(notification.pk)
