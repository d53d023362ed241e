"""Request plumbing: the idle session timeout, and refusing a NUL character before it reaches a query."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.signals import request_finished
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.views.defaults import page_not_found

from . import devices
from .logs import current_request_id, request_id_from

logger = logging.getLogger(__name__)

# Where deadlines end and where the people who track them work: every time shown is in this zone.
DISPLAY_TIME_ZONE = "America/New_York"

# Sent by pages that refresh themselves (the dashboard): such a request reads as the person, but is
# not the person acting, so it must not keep an unattended session alive.
BACKGROUND_HEADER = "X-Orderctl-Background"
_BACKGROUND_META = "HTTP_" + BACKGROUND_HEADER.upper().replace("-", "_")


REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Give each request an id, kept from a well-formed ``X-Request-ID`` or made, logged and echoed.

    First in MIDDLEWARE, so that every line the request logs carries it (``logs.RequestIdFilter``), and
    the response names it for whoever reports a problem. The id stays set until the response is closed
    (``request_finished``): Django logs a 4xx or 5xx answer after the last middleware has returned.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        current_request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**kwargs: Any) -> None:
    current_request_id.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="orderctl-forget-request-id")


# A session is renewed by a request at most this often (django-session-timeout's "grace period"):
# renewing writes the session row and sends its cookie again, which every request of someone at work
# would otherwise do. So a session ends between SESSION_IDLE_MINUTES less this and SESSION_IDLE_MINUTES
# after its last request, never later.
RENEW_AFTER_SECONDS = 60
_RENEWED = "_orderctl_renewed"  # when the session's expiry was last set, in POSIX seconds


class IdleTimeoutMiddleware:
    """Renew a signed-in session's expiry on a request (except a page's background refresh), at most
    once every ``RENEW_AFTER_SECONDS``.

    Place it after SessionMiddleware: its response step then runs before the session is saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and request.META.get(_BACKGROUND_META) != "1" and not session.is_empty():
            now = int(timezone.now().timestamp())
            # A session the view changed is saved anyway, and its expiry with it.
            if session.modified or now - session.get(_RENEWED, 0) >= RENEW_AFTER_SECONDS:
                session[_RENEWED] = now  # saved again, with a fresh SESSION_COOKIE_AGE
        return response


class EasternTimeMiddleware:
    """Show every time on a page in US Eastern time: templates, forms and the admin use the current zone.

    Stored instants stay UTC (``TIME_ZONE``); only their display changes, and the formats say which zone
    they show (the ``T`` of "D Y-m-d H:i T", e.g. "EDT"). The API (URL namespace ``api``) keeps UTC, as
    ISO 8601 with a "Z", for the scripts that read it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        match = request.resolver_match
        if match is None or "api" not in match.namespaces:
            timezone.activate(DISPLAY_TIME_ZONE)


class RefuseNulMiddleware:
    """Refuse a request with a NUL character in its path, its query string or a header.

    No address, parameter or header of ours means anything with a NUL in it, and PostgreSQL refuses
    one in any string it is asked to store or compare: left alone, a `%00` in a URL argument, a filter,
    the admin's lookups or a sign-in's User-Agent (which django-axes records) is a 500. The path gets a
    404 (there is no such page), a parameter or header a 400 naming it; under /api/ in the API's error
    shape. Form fields and JSON bodies are the forms' and serializers' business: they refuse a NUL
    with a message at the field.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        if "\x00" in request.path:
            logger.warning("Refused a path with a NUL character: %r", request.path)
            if api:
                return JsonResponse({"detail": ["Not found."]}, status=404)
            return page_not_found(request, Http404("No page has a NUL character in its address."))
        try:
            where = _nul_in_query(request) or _nul_in_headers(request)
        except SuspiciousOperation as refused:  # e.g. more parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS
            if not api:
                raise
            return JsonResponse({"detail": [str(refused)]}, status=400)
        if where is None:
            return self.get_response(request)
        logger.warning("Refused a request with a NUL character in %s: %r", where, request.path)
        message = "Null characters are not allowed."
        if api:
            return JsonResponse({where: [message]}, status=400)
        return HttpResponseBadRequest(f"{where}: {message}", content_type="text/plain; charset=utf-8")


def _nul_in_query(request: HttpRequest) -> str | None:
    """Return the name of the first query parameter with a NUL in its name or value."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "\\x00")
    return None


def _nul_in_headers(request: HttpRequest) -> str | None:
    """Return the name of the first request header with a NUL in its value.

    Authorization is left to the API's authentication, which answers any malformed credential with
    a 401 before it looks anything up.
    """
    for key, value in request.META.items():
        if key == "HTTP_AUTHORIZATION":
            continue
        if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            return key[5:].replace("_", "-").title()
    return None


class KnownDeviceMiddleware:
    """Give a browser that signed in the known-device cookie (``agencies.devices``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        devices.set_cookie(request, response)
        return response


class BodyLimitMiddleware:
    """Refuse a request whose declared body is over ``REQUEST_MAX_BYTES`` with a 413, before a byte of
    it is read: before the CSRF check parses a form (and spools its files to disk), before anyone is
    authenticated. An anonymous client cannot make the server read, hold or store a large body.

    A body without a Content-Length (chunked) is not read at all by Django's WSGI request; a file
    inside an accepted body is limited while it is read (``agencies.uploads.BoundedUploadHandler``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return _refuse(request, 400, f"Content-Length must be a number of bytes, not {declared[:40]!r}.")
        if length > settings.REQUEST_MAX_BYTES:
            logger.warning(
                "refused a %s-byte body for %s (limit %s)", length, request.path, settings.REQUEST_MAX_BYTES
            )
            return _refuse(
                request,
                413,
                f"The request body is too large: at most {settings.REQUEST_MAX_BYTES:,} bytes are accepted.",
            )
        return self.get_response(request)


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """Answer ``status`` in the API's error shape under /api/, as plain text elsewhere (the server closes
    the connection itself, the body being left unread)."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": [message]}, status=status)
    else:
        response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    return response
