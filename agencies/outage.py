"""A database outage answered as one: 503 in the format of what was asked, never an HTML 500.

While PostgreSQL is down, every signed-in page and API call would otherwise fail at its first query
(the session, the user, the view's own) with an HTML 500, and could half-write a session cookie. The
middleware reads nothing itself (a page that needs no database still works); the session and the user
are read lazily, inside the view, so ``DatabaseUnavailableMiddleware.process_exception`` sees the
error whichever query hits it first, and answers 503 when the connection is gone (a bad query on a
live connection stays a 500). ``server_error`` (``handler500``) does the same for an error raised
outside a view. A 503 is never given a session cookie: Django's session middleware saves nothing on a
5xx. Nothing needs restarting when the database returns: with ``CONN_HEALTH_CHECKS`` a reused
connection is checked at its next use and replaced when broken.
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
_OUTAGE_ERRORS = (OperationalError, InterfaceError)


def unavailable(request: HttpRequest, reason: BaseException | None = None) -> HttpResponse:
    """Return the 503 for ``request``: the API's error shape under /api/, an HTML page elsewhere.

    Logged here, once: one line per 503, with its reason (Django's request logger is told it is done).
    """
    logger.warning("database unreachable during %s, answering 503: %s", request.path, reason)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": ["The database is unreachable; nothing was written. Try again shortly."]},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response's mark
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 when the view (or the session or user it reads) finds the database unreachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, _OUTAGE_ERRORS) and _connection_lost():
            return unavailable(request, exception)
        if isinstance(exception, OSError) and exception.errno in _DISK_FULL:
            # Django spools a large upload to a temporary file before any view sees it: a full disk
            # there is the server's problem, said as such, and the temporary file is already gone.
            return disk_full(request, exception)
        return None


_DISK_FULL = {
    errno.ENOSPC: "the server's storage is full",
    errno.EDQUOT: "the server's storage quota is used up",
}


def disk_full(request: HttpRequest, exc: OSError) -> HttpResponse:
    """Return the 503 for a request the server had no room to take, naming the problem; logged once."""
    problem = _DISK_FULL.get(exc.errno or 0, "the server's storage cannot take it")
    logger.error("no room to take %s %s, answering 503: %s", request.method, request.path, exc)
    message = f"The request was not saved: {problem}. Nothing was written; try again later."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": [message]}, status=503)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "300"
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response's mark
    return response


def _connection_lost() -> bool:
    """Return whether the default connection is unusable: an outage, not a bad query."""
    try:
        return connection.connection is None or not connection.is_usable()
    except DatabaseError:
        return True


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """Django's 500, or the 503 when the error was the database going away (``handler500``); under
    /api/ the API's error shape, as for every other status there."""
    exc = sys.exc_info()[1]
    if isinstance(exc, _OUTAGE_ERRORS):
        return unavailable(request, exc)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": ["The server failed to answer; it has been logged. Nothing may have been written."]},
            status=500,
        )
    return defaults.server_error(request, template_name)
