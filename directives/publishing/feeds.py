"""Routes that answer without a session: calendar feeds at secret addresses, the emails' one-click
unsubscribe link, and open data.

Calendar feeds authenticate by the key in their address (calendar programs send no cookies); an
unknown or rotated key is a 404, as is an unpublished order to the public. Open data is public,
read-only and rate-limited per client address (``OPEN_DATA_RATE``).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from agencies.access import client_address, is_reviewer, member_agency_ids
from agencies.models import Agency
from directives.actions import preferences
from directives.actions.calendars import user_of_key
from directives.models import Directive, DirectiveQuerySet, Involvement, Order
from directives.notices import notify
from directives.publishing import calendar, export, opendata
from directives.queries import request_now

CALENDAR_TYPE = "text/calendar; charset=utf-8"
WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _calendar_response(
    name: str, directives: DirectiveQuerySet, request: HttpRequest, filename: str
) -> HttpResponse:
    body = calendar.feed(name, calendar.with_moves(directives), request_now(request))
    response = HttpResponse(body, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The address is the secret: keep the feed out of shared caches and referrers.
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response


def of_their_agencies(user: User, field: str = "pk") -> Q:
    """Return the condition on ``field`` (a directive's id) of the directives ``user`` follows: every
    one for a reviewer; else those their agencies lead or are consulted on, and those directives' parts.
    """
    if is_reviewer(user):
        return Q()
    ids = member_agency_ids(user)
    involved = Involvement.objects.filter(agency_id__in=ids).values("directive_id")
    parts = Directive.objects.filter(parent__in=involved).values("pk")
    return Q(**{f"{field}__in": involved}) | Q(**{f"{field}__in": parts})


def _owner(key: str) -> User:
    user = user_of_key(key)
    if user is None:
        raise Http404("No calendar has this address (it may have been rotated).")
    return user


@require_safe
def calendar_mine(request: HttpRequest, key: str) -> HttpResponse:
    """The due dates of the directives the key's owner's agencies lead or are consulted on."""
    user = _owner(key)
    directives = Directive.objects.filter(of_their_agencies(user))
    return _calendar_response(f"orderctl: {user.get_username()}", directives, request, "orderctl-mine.ics")


@require_safe
def calendar_agency(request: HttpRequest, key: str, abbreviation: str) -> HttpResponse:
    """The due dates of what one agency leads (its components' included)."""
    _owner(key)
    agency = get_object_or_404(Agency, abbreviation__iexact=abbreviation)
    ids = Agency.objects.filter(pk=agency.pk).with_components().values_list("pk", flat=True)
    return _calendar_response(
        f"orderctl: {agency.abbreviation}",
        Directive.objects.led_by(ids),
        request,
        f"orderctl-{agency.abbreviation}.ics",
    )


@require_safe
def calendar_order(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """The due dates of one order's directives."""
    _owner(key)
    order = get_object_or_404(Order, number=number)
    return _calendar_response(
        f"orderctl: EO {order.number}",
        Directive.objects.filter(order=order),
        request,
        f"orderctl-eo-{order.number}.ics",
    )


# --- Open data -------------------------------------------------------------------------------------
def over_the_rate(request: HttpRequest) -> int | None:
    """Count this request against its address's window; return the seconds to wait if over the rate."""
    count, unit = settings.OPEN_DATA_RATE.split("/")
    window = WINDOWS[unit]
    now = int(request_now(request).timestamp())
    bucket = now // window
    key = f"open-data:{client_address(request)}:{bucket}"
    cache.add(key, 0, timeout=window + 1)
    try:
        seen = cache.incr(key)
    except ValueError:  # evicted between add and incr: count afresh
        cache.set(key, 1, timeout=window + 1)
        seen = 1
    if seen > int(count):
        return (bucket + 1) * window - now or 1
    return None


def _public(request: HttpRequest, number: int) -> Order:
    order = opendata.published_order(number)
    if order is None:
        raise Http404("This order is not published as open data.")
    return order


def _too_many(wait: int) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"detail": [f"Too many requests: try again in {wait} seconds."]}),
        status=429,
        content_type="application/json",
    )
    response["Retry-After"] = str(wait)
    return response


def _with_open_headers(response: HttpResponse, order: Order) -> HttpResponse:
    response["Last-Modified"] = http_date(opendata.last_updated(order).timestamp())
    response["Access-Control-Allow-Origin"] = "*"  # public data: any site's script may read it
    response["Cache-Control"] = "public, max-age=300"
    response["X-License"] = settings.OPEN_DATA_LICENSE.encode("ascii", "replace").decode()
    return response


@require_safe
def open_data_json(request: HttpRequest, number: int) -> HttpResponse:
    wait = over_the_rate(request)
    if wait:
        return _too_many(wait)
    order = _public(request, number)
    site = request.build_absolute_uri("/")[:-1]
    body = json.dumps(opendata.document(order, request_now(request), site), indent=2)
    response = _with_open_headers(HttpResponse(body, content_type="application/json"), order)
    response["Link"] = f'<{site}/open-data/schema.json>; rel="describedby"'
    return response


@require_safe
def open_data_csv(request: HttpRequest, number: int) -> HttpResponse:
    wait = over_the_rate(request)
    if wait:
        return _too_many(wait)
    order = _public(request, number)
    # A byte order mark first: Excel reads a CSV without one in the local code page, garbling non-ASCII.
    response = HttpResponse(
        "\ufeff" + export.to_csv(opendata.rows(order, request_now(request)), opendata.COLUMNS),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="eo-{order.number}-directives.csv"'
    return _with_open_headers(response, order)


@require_safe
def data_json(request: HttpRequest) -> HttpResponse:
    """Return the DCAT-US 1.1 catalog of the published orders, where data portals harvest it."""
    wait = over_the_rate(request)
    if wait:
        return _too_many(wait)
    body = json.dumps(opendata.catalog(request.build_absolute_uri("/")[:-1]), indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def open_data_schema(request: HttpRequest) -> HttpResponse:
    """Return the JSON Schema of the open data JSON feed."""
    response = HttpResponse(opendata.SCHEMA_FILE.read_bytes(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def open_data_page(request: HttpRequest, number: int) -> HttpResponse:
    wait = over_the_rate(request)
    if wait:
        return render(request, "directives/open_data_limited.html", {"wait": wait}, status=429)
    order = _public(request, number)
    now = request_now(request)
    context = {
        "order": order,
        "rows": [
            {**row, "status_label": row["status"].replace("_", " ").capitalize()}
            for row in opendata.rows(order, now)
        ],
        "last_updated": opendata.last_updated(order),
        "license": settings.OPEN_DATA_LICENSE,
        "current": "open_data",
    }
    return _with_open_headers(render(request, "directives/open_data.html", context), order)


# A mail program's one-click unsubscribe (RFC 8058) POSTs this body to the List-Unsubscribe address,
# without cookies; the page's own button sends the same.
ONE_CLICK = "One-Click"


@csrf_exempt  # the signed token in the address is the authority; mail programs send no CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Ask (GET) or stop (POST, one click) every notice emailed to the address the token was made for.

    A GET never changes anything: mail scanners follow links. A bad token is a 400; an address no
    active account has any more is a 404.
    """
    address = notify.address_of_unsubscribe_token(token)
    context: dict[str, object] = {"token": token, "address": address, "done": False}
    if address is None:
        context["problem"] = (
            "This unsubscribe link is not valid: it may have been cut short. Nothing was changed."
        )
        return render(request, "directives/unsubscribe.html", context, status=400)
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") != ONE_CLICK:
            context["problem"] = "Nothing was changed: press the button to stop these emails."
            return render(request, "directives/unsubscribe.html", context, status=400)
        if preferences.unsubscribe(address, actor=None) is None:
            raise Http404("No active account has this address any more.")
        context["done"] = True
    return render(request, "directives/unsubscribe.html", context)
