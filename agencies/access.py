"""Who a request is: the agencies a user may act for, and the address a sign-in came from.

Directive-level rules live in ``directives/queries/permissions.py``.
"""

from __future__ import annotations

import ipaddress
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as Account
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from .devices import counted_name, device_of
from .models import Agency, Membership, OversightReviewer

# Who a request is: a signed-in account (the project's user model is Django's own) or nobody.
User = Account | AnonymousUser


class SignedInRequest(HttpRequest):
    """A request to a view behind ``login_required``: its user is signed in (a type, never built)."""

    user: Account


def signed_in(user: User) -> Account:
    """Return ``user`` as the account acting: where this is called (the admin, an API view behind its
    permissions) nobody anonymous gets in, and if one did, it is refused rather than let act."""
    if not isinstance(user, Account):
        raise PermissionDenied("Sign in first.")
    return user


# Per-request caches kept on the user object (named here, so the attribute is spelled once).
_EDITOR_IDS = "_orderctl_editor_agency_ids"
_IS_REVIEWER = "_orderctl_is_reviewer"


def editor_agency_ids(user: User) -> frozenset[int]:
    """Return the ids of the agencies ``user`` edits for: their own, and the components of a department.

    Cached on the user object, so a request asks the database once however many directives it checks.
    """
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, _EDITOR_IDS, None)
    if cached is None:
        own = Agency.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.EDITOR
        ).with_components()
        cached = frozenset(own.values_list("id", flat=True))
        setattr(user, _EDITOR_IDS, cached)
    return cached


def member_agency_ids(user: User) -> frozenset[int]:
    """Return the ids of the agencies ``user`` belongs to in any role, with their components."""
    if not user.is_authenticated:
        return frozenset()
    agencies = Agency.objects.filter(memberships__user=user).with_components()
    return frozenset(agencies.values_list("id", flat=True))


def is_reviewer(user: User) -> bool:
    """Return whether ``user`` is an oversight reviewer."""
    if not user.is_authenticated:
        return False
    cached: bool | None = getattr(user, _IS_REVIEWER, None)
    if cached is None:
        cached = OversightReviewer.objects.filter(user=user).exists()
        setattr(user, _IS_REVIEWER, cached)
    return cached


class Access:
    """What one request's user is and may do, decided once and carried down to permissions and actions.

    Built once per request with ``Access.of`` (in the view), then passed to ``directives.queries.permissions``
    and the actions instead of the user: the agencies the user edits for and whether they review are
    read on first use and kept, so however many forms a page shows, each is decided once.
    """

    def __init__(self, user: User) -> None:
        self.user = user

    @classmethod
    def of(cls, user: User) -> Access:
        """Return ``user``'s rights for this request: the one place a request's rights are computed."""
        return cls(user)

    @property
    def active(self) -> bool:
        """Whether the user is signed in to an active account."""
        return bool(self.user.is_authenticated and self.user.is_active)

    @property
    def superuser(self) -> bool:
        """Whether the user is a superuser (signed in or not: callers check ``active`` first)."""
        return bool(self.user.is_superuser)

    @property
    def staff(self) -> bool:
        """Whether the user may use the admin."""
        return bool(self.user.is_staff)

    @cached_property
    def editor_ids(self) -> frozenset[int]:
        """The ids of the agencies the user edits for, with their components (``editor_agency_ids``)."""
        return editor_agency_ids(self.user)

    @cached_property
    def reviewer(self) -> bool:
        """Whether the user is an oversight reviewer (``is_reviewer``)."""
        return is_reviewer(self.user)


def access_of(who: User | Access) -> Access:
    """Return ``who``'s rights: the ``Access`` given, or one built for a bare user (admin, API, tasks)."""
    return who if isinstance(who, Access) else Access.of(who)


# Where a sign-in through single sign-on leaves who it was, once its ID token is verified
# (``agencies.sso``): the name django-axes counts that person's failures under.
SSO_IDENTITY = "_orderctl_sso_identity"


def sign_in_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """Return the name django-axes counts a sign-in under, with the address (``client_address``).

    A password sign-in's username, marked with the browser's known-device id if it has one
    (``agencies.devices``); for single sign-on, the person's subject at the provider, known once
    its ID token is verified. Not the address alone: one person's failures would lock out everyone
    behind it (an agency's office shares one).
    """
    if credentials and credentials.get("username"):
        username = str(credentials["username"])
        return counted_name(username, device_of(request, username))
    identity: str | None = getattr(request, SSO_IDENTITY, None)
    if identity:
        return identity
    if credentials is None and request is not None:
        typed = request.POST.get("username")
        return counted_name(typed, device_of(request, typed)) if typed else None
    return None


def client_address(request: HttpRequest) -> str | None:
    """Return the address a sign-in came from, as django-axes counts failures by it.

    Behind N trusted proxies it is the N-th X-Forwarded-For entry from the right: the one the outermost
    trusted proxy appended. Entries further left came from the client and prove nothing.
    """
    remote: str | None = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return remote  # fewer hops than proxies: the request did not come through them all
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def reviewer_emails() -> list[str]:
    """Return the addresses of the active oversight reviewers."""
    return active_emails(get_user_model().objects.filter(oversight_reviewer__isnull=False))


def active_emails(users: QuerySet[Account]) -> list[str]:
    """Return the distinct addresses (by lower case) of the active ``users`` that have one, sorted."""
    emails = users.filter(is_active=True).exclude(email="").values_list("email", flat=True).distinct()
    unique = {email.strip().lower(): email.strip() for email in emails}
    return sorted(unique.values(), key=str.lower)
