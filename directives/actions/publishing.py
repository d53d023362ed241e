"""Publishing an order as open data, and withdrawing it: administrators only, in the access log."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from directives.models.outreach import Publication
from ledger import audit
from ledger.models import AccessEvent

from ..models import Order


def _require_admin(actor: User | None) -> None:
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise PermissionDenied("Only an administrator may publish an order as open data or withdraw it.")


def publish_order(order: Order, *, actor: User | None) -> Publication:
    """Open ``order``'s public feed and page; publishing it again changes nothing."""
    _require_admin(actor)
    with transaction.atomic():
        Order.objects.select_for_update().filter(pk=order.pk).first()
        publication, created = Publication.objects.get_or_create(
            order=order, defaults={"published_at": timezone.now(), "published_by": actor}
        )
        if created:
            audit.record(
                AccessEvent.Kind.ORDER_PUBLISHED,
                actor_id=actor.pk if actor else None,
                detail={"order": order.number},
            )
    return publication


def unpublish_order(order: Order, *, actor: User | None) -> bool:
    """Close ``order``'s public feed and page (they answer 404 again); return whether it was published."""
    _require_admin(actor)
    with transaction.atomic():
        deleted, _ = Publication.objects.filter(order=order).delete()
        if deleted:
            audit.record(
                AccessEvent.Kind.ORDER_UNPUBLISHED,
                actor_id=actor.pk if actor else None,
                detail={"order": order.number},
            )
    return bool(deleted)
