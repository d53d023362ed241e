"""The calendar feed key: made or rotated by its owner, stored as a digest, recorded in the access log."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from directives.models.outreach import CalendarToken
from ledger import audit
from ledger.models import AccessEvent


def digest_of(key: str) -> str:
    """Return the stored form of a calendar key."""
    return hashlib.sha256(key.encode()).hexdigest()


def rotate_calendar_key(user: User, *, actor: User | None) -> str:
    """Give ``user`` a new calendar key and return it; every address made with the old one stops working.

    The key is returned once: only its digest is kept, so the page shows the addresses right after.
    """
    if actor is not None and not (actor.is_active and (actor.pk == user.pk or actor.is_superuser)):
        raise PermissionDenied("Only the person or an administrator may rotate their calendar address.")
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarToken.objects.update_or_create(
            user_id=user.pk, defaults={"digest": digest_of(key), "created": timezone.now()}
        )
        audit.record(
            AccessEvent.Kind.CALENDAR_KEY_ROTATED, actor_id=actor.pk if actor else None, subject_id=user.pk
        )
    return key


def user_of_key(key: str) -> User | None:
    """Return the active user whose calendar key is ``key``, or None."""
    if not key or len(key) > 100:
        return None
    token = CalendarToken.objects.select_related("user").filter(digest=digest_of(key)).first()
    if token is None or not token.user.is_active:
        return None
    return token.user
