"""Who may do what to a directive. Actions enforce these; views use them to show or hide forms."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied

from agencies.access import User, editor_agency_ids, is_reviewer
from agencies.models import Agency
from directives.models import Directive, DirectiveEvent, ExtensionRequest


def _refs(agencies: list[Agency]) -> str:
    return ", ".join(a.abbreviation for a in agencies) or "no agency"


def can_read(user: User, directive: Directive) -> bool:
    """Return whether ``user`` may read ``directive`` and its evidence: every active, signed-in user.

    One place to narrow it, should a directive ever be restricted to some agencies.
    """
    return user.is_authenticated and user.is_active


def can_attach_evidence(user: User, directive: Directive) -> bool:
    """Return whether ``user`` may attach evidence files: as for a status, a lead's editors (and admins)."""
    return can_update_status(user, directive)


def can_update_status(user: User, directive: Directive) -> bool:
    """Return whether ``user`` may change the status, completion or forecast of ``directive``."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(a.id in editor_agency_ids(user) for a in directive.lead_agencies)


def can_add_note(user: User, directive: Directive) -> bool:
    """Return whether ``user`` may add a note: a lead's editor, or a consulted agency's editor."""
    if can_update_status(user, directive):
        return True
    return user.is_authenticated and any(
        a.id in editor_agency_ids(user) for a in directive.consulted_agencies
    )


def can_extend_deadline(user: User, directive: Directive) -> bool:
    """Return whether ``user`` may grant an extension: administrators only, never the agency itself."""
    return user.is_authenticated and user.is_active and user.is_superuser


def acting_agency(user: User, directive: Directive) -> Agency | None:
    """Return the agency ``user`` acts for on ``directive``: the first lead, else consulted, they edit for."""
    ids = editor_agency_ids(user)
    for agency in [*directive.lead_agencies, *directive.consulted_agencies]:
        if agency.id in ids:
            return agency
    return None


def require_update_status(user: User, directive: Directive) -> None:
    """Raise PermissionDenied, saying why, unless ``user`` may change ``directive``'s status."""
    if can_update_status(user, directive):
        return
    if is_reviewer(user):
        raise PermissionDenied("Oversight reviewers can read every directive but change none.")
    raise PermissionDenied(
        f"Only editors of the lead agency ({_refs(directive.lead_agencies)}) can change the status of "
        f"{directive.ref}."
    )


def require_add_note(user: User, directive: Directive) -> None:
    """Raise PermissionDenied, saying why, unless ``user`` may add a note to ``directive``."""
    if can_add_note(user, directive):
        return
    if is_reviewer(user):
        raise PermissionDenied("Oversight reviewers can read every directive but change none.")
    raise PermissionDenied(
        f"Only editors of the lead ({_refs(directive.lead_agencies)}) or consulted "
        f"({_refs(directive.consulted_agencies)}) agencies can add a note to {directive.ref}."
    )


def require_extend_deadline(user: User, directive: Directive) -> None:
    if not can_extend_deadline(user, directive):
        raise PermissionDenied("Only administrators can extend a deadline.")


MANAGE_ORDERS = "directives.manage_orders"


def can_manage_orders(user: User) -> bool:
    """Return whether ``user`` may import and load orders: an order manager, or a superuser."""
    return user.is_authenticated and user.is_active and user.has_perm(MANAGE_ORDERS)


def require_manage_orders(user: User) -> None:
    """Raise PermissionDenied, saying why, unless ``user`` is an order manager."""
    if not can_manage_orders(user):
        raise PermissionDenied(
            "Only order managers can import orders: an administrator grants the permission “Can import and "
            "load executive orders” in the admin."
        )


def can_review(user: User) -> bool:
    """Return whether ``user`` may review an agency's claim: oversight reviewers only."""
    return user.is_authenticated and user.is_active and is_reviewer(user)


def require_review(user: User) -> None:
    """Raise PermissionDenied, saying why, unless ``user`` is an oversight reviewer."""
    if not can_review(user):
        raise PermissionDenied(
            "Only oversight reviewers can review a directive or decide an extension request."
        )


def claim_recorded_by(directive: Directive) -> int | None:
    """Return the id of the user who recorded ``directive``'s current claim (its last status change)."""
    last = (
        DirectiveEvent.objects.filter(directive=directive, kind=DirectiveEvent.Kind.STATUS_CHANGED)
        .order_by("-seq")
        .values_list("actor_id", flat=True)
        .first()
    )
    return last


def own_claim_refusal(user: User, directive: Directive) -> str:
    """Return why ``user`` may not review ``directive``'s claim under separation of duties, or ""."""
    if not settings.SEPARATION_OF_DUTIES or claim_recorded_by(directive) != user.pk:
        return ""
    return (
        f"Separation of duties: you recorded {directive.ref}'s current claim, so another reviewer reviews it."
    )


def own_request_refusal(user: User, request: ExtensionRequest) -> str:
    """Return why ``user`` may not decide ``request`` under separation of duties, or ""."""
    if not settings.SEPARATION_OF_DUTIES or request.requested_by_id != user.pk:
        return ""
    return "Separation of duties: you asked for this extension, so another reviewer decides it."


def require_independent(refusal: str) -> None:
    """Raise PermissionDenied with ``refusal`` when there is one (``own_claim_refusal`` and the like)."""
    if refusal:
        raise PermissionDenied(refusal)


def can_request_extension(user: User, directive: Directive) -> bool:
    """Return whether ``user`` may ask for a later deadline: an editor of a lead agency (or an admin)."""
    return can_update_status(user, directive)


def require_request_extension(user: User, directive: Directive) -> None:
    """Raise PermissionDenied, saying why, unless ``user`` may request an extension of ``directive``."""
    if can_request_extension(user, directive):
        return
    raise PermissionDenied(
        f"Only editors of the lead agency ({_refs(directive.lead_agencies)}) can request an extension of "
        f"{directive.ref}."
    )
