"""The public feed of a published order: its directives, deadlines and status, and nothing else.

No notes, evidence, forecasts or names of people: the columns below are all there is. The status is
the one ``public_status`` gives (the agency's claim) and ``review_status`` beside it says whether
oversight verified it, so the public sees both what is claimed and what oversight stands behind.
Every feed states its license and when its data last changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Max

from .models import Directive, DirectiveEvent, Order
from .public_status import public_status, review_status

COLUMNS = (
    "order",
    "ref",
    "title",
    "lead_agencies",
    "original_due_on",
    "due_on",
    "status",
    "review_status",
    "is_overdue",
    "completed_on",
)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def published_order(number: int) -> Order | None:
    """Return the order numbered ``number`` if it is published, else None (the public sees a 404)."""
    return (
        Order.objects.filter(number=number, publication__isnull=False).select_related("publication").first()
    )


def last_updated(order: Order) -> dt.datetime:
    """Return when the feed's data last changed: the newest event or definition change, or publication."""
    instants: list[dt.datetime | None] = [
        DirectiveEvent.objects.filter(order=order).aggregate(last=Max("created"))["last"],
        Directive.objects.filter(order=order).aggregate(last=Max("updated_at"))["last"],
        order.publication.published_at,
    ]
    return max(i for i in instants if i is not None)


def rows(order: Order, now: dt.datetime) -> list[dict[str, Any]]:
    """Return one dict per tracked directive of ``order``, with exactly the ``COLUMNS`` keys."""
    directives = Directive.objects.filter(order=order).trackable().with_agencies().order_by("position", "ref")
    return [
        {
            "order": order.number,
            "ref": d.ref,
            "title": d.title,
            "lead_agencies": [a.abbreviation for a in d.lead_agencies],
            "original_due_on": _iso(d.original_due_on),
            "due_on": _iso(d.due_on),
            "status": public_status(d),
            "review_status": review_status(d),
            "is_overdue": d.is_own_overdue(now),
            "completed_on": _iso(d.completed_on),
        }
        for d in directives
    ]


def document(order: Order, now: dt.datetime) -> dict[str, Any]:
    """Return the JSON feed: what it is, its license, when it last changed, and the rows."""
    return {
        "order": {"number": order.number, "title": order.title, "signed_on": order.signed_on.isoformat()},
        "license": settings.OPEN_DATA_LICENSE,
        "last_updated": last_updated(order).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "published_at": order.publication.published_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "columns": list(COLUMNS),
        "directives": rows(order, now),
    }
