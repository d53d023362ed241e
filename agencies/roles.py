"""The one write path for who may act for which agency: memberships and oversight reviewer grants.

Each function is atomic, takes a keyword-only ``actor`` (None for the system) and appends the change
to the access log (``ledger/audit.py``) in the same transaction; the admin calls these, never
``save()``. Only an active superuser (or the system) may change roles.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ledger import audit
from ledger.models import AccessEvent

from .models import Agency, Membership, OversightReviewer


def _require_admin(actor: User | None) -> None:
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise PermissionDenied("Only an administrator can change who may act for an agency.")


def _actor_id(actor: User | None) -> int | None:
    return actor.pk if actor is not None else None


def set_membership(user: User, agency: Agency, role: str, *, actor: User | None) -> Membership:
    """Make ``user`` an editor or viewer of ``agency`` (creating or changing the membership)."""
    _require_admin(actor)
    if role not in Membership.Role.values:
        raise ValidationError(
            {"role": [f"{role!r} is not a role; use one of {', '.join(Membership.Role.values)}."]}
        )
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, agency=agency).first()
        if membership is not None and membership.role == role:
            return membership
        if membership is None:
            membership = Membership.objects.create(user=user, agency=agency, role=role)
            kind, detail = AccessEvent.Kind.MEMBERSHIP_GRANTED, {"role": role}
        else:
            kind, detail = AccessEvent.Kind.MEMBERSHIP_CHANGED, {"old_role": membership.role, "role": role}
            membership.role = role
            membership.save(update_fields=["role"])
        audit.record(kind, actor_id=_actor_id(actor), subject_id=user.pk, agency_id=agency.pk, detail=detail)
    return membership


def revoke_membership(membership: Membership, *, actor: User | None) -> None:
    """Remove ``user``'s role at the agency."""
    _require_admin(actor)
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(pk=membership.pk).delete()
        if deleted:
            audit.record(
                AccessEvent.Kind.MEMBERSHIP_REVOKED,
                actor_id=_actor_id(actor),
                subject_id=membership.user_id,
                agency_id=membership.agency_id,
                detail={"role": membership.role},
            )


def grant_reviewer(user: User, *, actor: User | None) -> OversightReviewer:
    """Make ``user`` an oversight reviewer (reads every agency's directives, gets escalations)."""
    _require_admin(actor)
    with transaction.atomic():
        reviewer, created = OversightReviewer.objects.get_or_create(user=user)
        if created:
            audit.record(AccessEvent.Kind.REVIEWER_GRANTED, actor_id=_actor_id(actor), subject_id=user.pk)
    return reviewer


def revoke_reviewer(reviewer: OversightReviewer, *, actor: User | None) -> None:
    """Withdraw the oversight reviewer role."""
    _require_admin(actor)
    with transaction.atomic():
        deleted, _ = OversightReviewer.objects.filter(pk=reviewer.pk).delete()
        if deleted:
            audit.record(
                AccessEvent.Kind.REVIEWER_REVOKED, actor_id=_actor_id(actor), subject_id=reviewer.user_id
            )
