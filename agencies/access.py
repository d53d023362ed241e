"""Which agencies a user may act for. Directive-level rules live in ``directives/permissions.py``."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from .models import Agency, Membership, OversightReviewer

User = AbstractBaseUser | AnonymousUser


def editor_agency_ids(user: User) -> frozenset[int]:
    """Return the ids of the agencies ``user`` edits for: their own, and the components of a department.

    Cached on the user object, so a request asks the database once however many directives it checks.
    """
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_orderctl_editor_agency_ids", None)
    if cached is None:
        own = set(
            Membership.objects.filter(user=user, role=Membership.Role.EDITOR).values_list(
                "agency_id", flat=True
            )
        )
        components = set(Agency.objects.filter(parent_id__in=own).values_list("id", flat=True))
        cached = frozenset(own | components)
        user._orderctl_editor_agency_ids = cached
    return cached


def is_reviewer(user: User) -> bool:
    """Return whether ``user`` is an oversight reviewer."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_orderctl_is_reviewer", None)
    if cached is None:
        cached = OversightReviewer.objects.filter(user=user).exists()
        user._orderctl_is_reviewer = cached
    return cached
