"""What an API request's credential allows: the token's scope, and its own rate limit.

Authentication itself is django-rest-knox's ``TokenAuthentication`` (``Authorization: Token <key>``)
or the browser session; both are listed in ``REST_FRAMEWORK`` in the settings.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import APIToken

READ_ONLY_MESSAGE = (
    "This API token is read-only: it can read but not change anything. Use a read-write token."
)


class TokenScope(BasePermission):
    """Refuse every unsafe method to a read-only token."""

    message = READ_ONLY_MESSAGE

    def has_permission(self, request, view) -> bool:
        token = request.auth
        return not (isinstance(token, APIToken) and token.read_only and request.method not in SAFE_METHODS)


class TokenRateThrottle(SimpleRateThrottle):
    """Limit each token separately (a browser session counts per user); anonymous requests are left to
    ``AnonRateThrottle``.

    The rate is read from the settings at each request rather than once at import, so a change of
    ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]`` (in a test, say) takes effect.
    """

    scope = "token"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        token = request.auth
        ident = f"token-{token.pk}" if isinstance(token, APIToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
