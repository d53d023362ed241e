"""The idle session timeout: a session ends SESSION_IDLE_MINUTES after the last thing a person did."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
