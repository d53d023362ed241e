"""The notices feed key: made or rotated by its owner, stored as a digest, recorded in the access log.

The calendar key's pattern (``calendars``), for the Atom feed of one's notices (``publishing/notices_atom``).
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from directives.models.outreach import NoticeFeedKey
from ledger import audit
from ledger.models import AccessEvent

from .calendars import digest_of


def rotate_notice_feed_key(user: User, *, actor: User | None) -> str:
    """Give ``user`` a new notices feed key and return it; the address made with the old one stops working.

    The key is returned once: only its digest is kept, so the page shows the address right after.
    """
    if actor is not None and not (actor.is_active and (actor.pk == user.pk or actor.is_superuser)):
        raise PermissionDenied("Only the person or an administrator may rotate their notices feed address.")
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        NoticeFeedKey.objects.update_or_create(
            user_id=user.pk, defaults={"digest": digest_of(key), "created": timezone.now()}
        )
        audit.record(
            AccessEvent.Kind.NOTICE_FEED_KEY_ROTATED,
            actor_id=actor.pk if actor else None,
            subject_id=user.pk,
        )
    return key


def user_of_feed_key(key: str) -> User | None:
    """Return the active user whose notices feed key is ``key``, or None."""
    if not key or len(key) > 100:
        return None
    found = NoticeFeedKey.objects.select_related("user").filter(digest=digest_of(key)).first()
    if found is None or not found.user.is_active:
        return None
    return found.user
