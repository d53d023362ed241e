"""Who may do what to a directive. Actions enforce these; views use them to show or hide forms.

Each rule takes ``who``: the request's ``Access`` (built once in the view and carried down), or a bare
user, for which one is built on the spot (the admin, the API, tasks).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied

from agencies.access import Access, User, access_of
from agencies.models import Agency
from directives.models import Directive, DirectiveEvent, ExtensionRequest


def _refs(agencies: list[Agency]) -> str:
    return ", ".join(a.abbreviation for a in agencies) or "no agency"


def can_read(who: User | Access, directive: Directive) -> bool:
    """Return whether ``who`` may read ``directive`` and its evidence: every active, signed-in user.

    One place to narrow it, should a directive ever be restricted to some agencies.
    """
    return access_of(who).active


def can_attach_evidence(who: User | Access, directive: Directive) -> bool:
    """Return whether ``who`` may attach evidence files: as for a status, a lead's editors (and admins)."""
    return can_update_status(who, directive)


def can_update_status(who: User | Access, directive: Directive) -> bool:
    """Return whether ``who`` may change the status, completion or forecast of ``directive``."""
    access = access_of(who)
    if not access.active:
        return False
    if access.superuser:
        return True
    return any(a.id in access.editor_ids for a in directive.lead_agencies)


def can_add_note(who: User | Access, directive: Directive) -> bool:
    """Return whether ``who`` may add a note: a lead's editor, or a consulted agency's editor."""
    access = access_of(who)
    if can_update_status(access, directive):
        return True
    return access.user.is_authenticated and any(
        a.id in access.editor_ids for a in directive.consulted_agencies
    )


def can_extend_deadline(who: User | Access, directive: Directive) -> bool:
    """Return whether ``who`` may grant an extension: administrators only, never the agency itself."""
    access = access_of(who)
    return access.active and access.superuser


def acting_agency(who: User | Access, directive: Directive) -> Agency | None:
    """Return the agency ``who`` acts for on ``directive``: the first lead, else consulted, they edit for."""
    ids = access_of(who).editor_ids
    for agency in [*directive.lead_agencies, *directive.consulted_agencies]:
        if agency.id in ids:
            return agency
    return None


def require_update_status(who: User | Access, directive: Directive) -> None:
    """Raise PermissionDenied, saying why, unless ``who`` may change ``directive``'s status."""
    access = access_of(who)
    if can_update_status(access, directive):
        return
    if access.reviewer:
        raise PermissionDenied("Oversight reviewers can read every directive but change none.")
    raise PermissionDenied(
        f"Only editors of the lead agency ({_refs(directive.lead_agencies)}) can change the status of "
        f"{directive.ref}."
    )


def require_add_note(who: User | Access, directive: Directive) -> None:
    """Raise PermissionDenied, saying why, unless ``who`` may add a note to ``directive``."""
    access = access_of(who)
    if can_add_note(access, directive):
        return
    if access.reviewer:
        raise PermissionDenied("Oversight reviewers can read every directive but change none.")
    raise PermissionDenied(
        f"Only editors of the lead ({_refs(directive.lead_agencies)}) or consulted "
        f"({_refs(directive.consulted_agencies)}) agencies can add a note to {directive.ref}."
    )


def require_extend_deadline(who: User | Access, directive: Directive) -> None:
    if not can_extend_deadline(who, directive):
        raise PermissionDenied("Only administrators can extend a deadline.")


MANAGE_ORDERS = "directives.manage_orders"


def can_manage_orders(who: User | Access) -> bool:
    """Return whether ``who`` may import and load orders: an order manager, or a superuser."""
    access = access_of(who)
    return access.active and access.user.has_perm(MANAGE_ORDERS)


def require_manage_orders(who: User | Access) -> None:
    """Raise PermissionDenied, saying why, unless ``who`` is an order manager."""
    if not can_manage_orders(who):
        raise PermissionDenied(
            "Only order managers can import orders: an administrator grants the permission “Can import and "
            "load executive orders” in the admin."
        )


def can_review(who: User | Access) -> bool:
    """Return whether ``who`` may review an agency's claim: oversight reviewers only."""
    access = access_of(who)
    return access.active and access.reviewer


def require_review(who: User | Access) -> None:
    """Raise PermissionDenied, saying why, unless ``who`` is an oversight reviewer."""
    if not can_review(who):
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


def own_claim_refusal(who: User | Access, directive: Directive) -> str:
    """Return why ``who`` may not review ``directive``'s claim under separation of duties, or ""."""
    if not settings.SEPARATION_OF_DUTIES or claim_recorded_by(directive) != access_of(who).user.pk:
        return ""
    return (
        f"Separation of duties: you recorded {directive.ref}'s current claim, so another reviewer reviews it."
    )


def own_request_refusal(who: User | Access, request: ExtensionRequest) -> str:
    """Return why ``who`` may not decide ``request`` under separation of duties, or ""."""
    if not settings.SEPARATION_OF_DUTIES or request.requested_by_id != access_of(who).user.pk:
        return ""
    return "Separation of duties: you asked for this extension, so another reviewer decides it."


def own_pending_request_refusal(who: User | Access, directive: Directive) -> str:
    """Return why ``who`` may not extend ``directive``'s deadline directly under separation of duties, or "".

    An administrator who asked for an extension that is still pending would decide their own request
    by extending the deadline themselves: a reviewer decides it (``approve_extension``).
    """
    if not settings.SEPARATION_OF_DUTIES:
        return ""
    pending = directive.extension_requests.filter(
        state=ExtensionRequest.State.PENDING, requested_by_id=access_of(who).user.pk
    ).exists()
    if not pending:
        return ""
    return (
        f"Separation of duties: you asked for an extension of {directive.ref} that is pending, so an "
        "oversight reviewer decides it, not you."
    )


def require_independent(refusal: str) -> None:
    """Raise PermissionDenied with ``refusal`` when there is one (``own_claim_refusal`` and the like)."""
    if refusal:
        raise PermissionDenied(refusal)


def can_request_extension(who: User | Access, directive: Directive) -> bool:
    """Return whether ``who`` may ask for a later deadline: an editor of a lead agency (or an admin)."""
    return can_update_status(who, directive)


def require_request_extension(who: User | Access, directive: Directive) -> None:
    """Raise PermissionDenied, saying why, unless ``who`` may request an extension of ``directive``."""
    if can_request_extension(who, directive):
        return
    raise PermissionDenied(
        f"Only editors of the lead agency ({_refs(directive.lead_agencies)}) can request an extension of "
        f"{directive.ref}."
    )
