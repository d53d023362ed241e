"""Pieces of the directive's representation shared by the serializers: the weekday names, the
directive's URL and an agency list, each without a URL reverse or a nested serializer per row."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from agencies.models import Agency
from directives.models import Directive

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# A page of 100 directives builds 100 URLs and 200 agency lists. These two helpers do it without a URL
# reverse or a nested serializer per row: a third of the list's time in DRF (docs/benchmarks.md).


def directive_url(context: dict[str, Any], directive: Directive) -> str:
    """Return the absolute URL of ``directive``, reversing the list's URL once per request."""
    base = context.get("_directive_list_url")
    if base is None:
        base = context["_directive_list_url"] = context["request"].build_absolute_uri(
            reverse("api:directive-list")
        )
    return f"{base}{directive.pk}/"


def agency_refs(agencies: list[Agency]) -> list[dict[str, str]]:
    """Return ``agencies`` as ``AgencyRefSerializer`` shows them."""
    return [{"abbreviation": agency.abbreviation, "name": agency.name} for agency in agencies]
