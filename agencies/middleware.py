"""The idle session timeout: a session ends SESSION_IDLE_MINUTES after the last thing a person did."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# Where deadlines end and where the people who track them work: every time shown is in this zone.
DISPLAY_TIME_ZONE = "America/New_York"

# Sent by pages that refresh themselves (the dashboard): such a request reads as the person, but is
# not the person acting, so it must not keep an unattended session alive.
BACKGROUND_HEADER = "X-Orderctl-Background"
_BACKGROUND_META = "HTTP_" + BACKGROUND_HEADER.upper().replace("-", "_")


class IdleTimeoutMiddleware:
    """Renew a signed-in session's expiry on every request except a page's background refresh.

    Place it after SessionMiddleware: its response step then runs before the session is saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and request.META.get(_BACKGROUND_META) != "1" and not session.is_empty():
            session.modified = True  # saved again, with a fresh SESSION_COOKIE_AGE
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

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        match = request.resolver_match
        if match is None or "api" not in match.namespaces:
            timezone.activate(DISPLAY_TIME_ZONE)
