"""The public feed of a published order: its directives, deadlines and status, and nothing else.

No notes, evidence, forecasts or names of people: the columns below are all there is. The status is
the one ``public_status`` gives (the agency's claim) and ``review_status`` beside it says whether
oversight verified it, so the public sees both what is claimed and what oversight stands behind.
Every feed states its license and when its data last changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max

from directives.models import Directive, DirectiveEvent, Order
from directives.queries.public_status import public_status, review_status

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


# The JSON Schema of ``document`` (served at /open-data/schema.json, linked from every JSON feed).
SCHEMA_FILE = Path(__file__).with_name("opendata_schema.json")


def document(order: Order, now: dt.datetime, site: str) -> dict[str, Any]:
    """Return the JSON feed: its schema, what it is, its license, when it last changed, and the rows."""
    return {
        "describedBy": f"{site}/open-data/schema.json",
        "order": {"number": order.number, "title": order.title, "signed_on": order.signed_on.isoformat()},
        "license": settings.OPEN_DATA_LICENSE,
        "last_updated": last_updated(order).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "published_at": order.publication.published_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "columns": list(COLUMNS),
        "directives": rows(order, now),
    }


# DCAT-US 1.1, the federal data.json schema that Data.gov harvests (https://resources.data.gov/).
DCAT_US = "https://project-open-data.cio.gov/v1.1/schema"
DCAT_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"


def _stamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def dataset(order: Order, site: str) -> dict[str, Any]:
    """Return the DCAT-US 1.1 dataset of a published order: its directives, with three distributions."""
    base = f"{site}/open-data/orders/{order.number}"
    return {
        "@type": "dcat:Dataset",
        "title": f"Executive Order {order.number}: directives, deadlines and status",
        "description": (
            f"Each tracked directive of Executive Order {order.number} ({order.title}): its section, "
            "title, lead agencies, original and effective due dates, the status its agency recorded, "
            "oversight's review of that status, whether it is overdue, and its completion date."
        ),
        "keyword": ["executive order", f"EO {order.number}", "compliance", "deadlines", "directives"],
        "modified": _stamp(last_updated(order)),
        "issued": order.publication.published_at.date().isoformat(),
        "publisher": {"@type": "org:Organization", "name": settings.OPEN_DATA_PUBLISHER},
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": settings.OPEN_DATA_CONTACT_NAME,
            "hasEmail": f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}",
        },
        "identifier": f"{site}/open-data/orders/{order.number}/",
        "accessLevel": "public",
        "bureauCode": [settings.OPEN_DATA_BUREAU_CODE],
        "programCode": [settings.OPEN_DATA_PROGRAM_CODE],
        "license": settings.OPEN_DATA_LICENSE_URL,
        "landingPage": f"{base}/",
        "accrualPeriodicity": "R/P1D",
        "language": ["en-US"],
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "title": "JSON",
                "description": "The directives as JSON, with the license and when the data last changed.",
                "downloadURL": f"{base}.json",
                "mediaType": "application/json",
                "format": "JSON",
                "describedBy": f"{site}/open-data/schema.json",
                "describedByType": "application/schema+json",
            },
            {
                "@type": "dcat:Distribution",
                "title": "CSV",
                "description": "The directives as CSV (UTF-8 with a byte order mark, for spreadsheets).",
                "downloadURL": f"{base}.csv",
                "mediaType": "text/csv",
                "format": "CSV",
            },
            {
                "@type": "dcat:Distribution",
                "title": "Web page",
                "accessURL": f"{base}/",
                "mediaType": "text/html",
                "format": "HTML",
            },
        ],
    }


def catalog(site: str) -> dict[str, Any]:
    """Return the site's DCAT-US 1.1 catalog (``/data.json``): one dataset per published order."""
    orders = Order.objects.filter(publication__isnull=False).select_related("publication").order_by("number")
    return {
        "@context": DCAT_CONTEXT,
        "@id": f"{site}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": DCAT_US,
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": [dataset(order, site) for order in orders],
    }
