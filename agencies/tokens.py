"""Reading personal API tokens, and the rules of their lifetime.

Creating and revoking them goes through ``agencies/actions.py``, which applies these rules, as the
tokens page does to name every problem at once.
"""

from __future__ import annotations

from django.conf import settings
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


def token_name_errors(name: str) -> list[str]:
    """Return what is wrong with ``name`` (stripped) as a token's name, if anything."""
    if not name:
        return ["Give the token a name that says what it is for."]
    if len(name) > APIToken.NAME_MAX_LENGTH:
        return [f"Ensure the name has at most {APIToken.NAME_MAX_LENGTH} characters (it has {len(name)})."]
    return []


def token_lifetime_errors(*, read_only: bool, expires_days: int | None) -> list[str]:
    """Return what is wrong with a token lifetime of ``expires_days`` (None: never expires), if anything.

    A read-only token lasts 1 to API_TOKEN_MAX_DAYS days or never expires; a read-write token must
    expire, within API_TOKEN_MAX_DAYS_READ_WRITE days.
    """
    if read_only:
        max_days = settings.API_TOKEN_MAX_DAYS
        if expires_days is not None and not 1 <= expires_days <= max_days:
            return [f"A read-only token expires after 1 to {max_days} days (or never)."]
        return []
    max_days = settings.API_TOKEN_MAX_DAYS_READ_WRITE
    if expires_days is None:
        return [f"A read-and-write token must expire: choose 1 to {max_days} days."]
    if not 1 <= expires_days <= max_days:
        return [f"A read-and-write token expires after 1 to {max_days} days."]
    return []
