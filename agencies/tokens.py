"""Reading personal API tokens. Creating and revoking them goes through ``agencies/actions.py``."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.access import User

from .models import APIToken


def tokens_of(user: User) -> QuerySet[APIToken]:
    """Return ``user``'s API tokens that still work, newest first.

    An expired token is left out: it no longer authenticates, and knox deletes it the next time one of
    the user's tokens is used.
    """
    now = timezone.now()
    return APIToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=now), user_id=user.pk).order_by(
        "-created", "-token_key"
    )
