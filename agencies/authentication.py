"""Who an API request is, and what its credential allows: the token's scope and its own rate limit.

Authentication is django-rest-knox's token (``Authorization: Token <key>``), through
``TokenAuthentication`` below, or the browser session; both are listed in ``REST_FRAMEWORK`` in the
settings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import APIToken

if TYPE_CHECKING:  # DRF imports this module while rest_framework.views loads: no run-time import of it
    from rest_framework.request import Request
    from rest_framework.views import APIView

INVALID_KEY = "Invalid token."
# What knox hands out: hexadecimal digits, AUTH_TOKEN_CHARACTER_LENGTH of them.
_KEY = re.compile(rf"[0-9a-f]{{{knox_settings.AUTH_TOKEN_CHARACTER_LENGTH}}}")


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token authentication, refusing a malformed key before it reaches knox or the database.

    Knox decodes the key as UTF-8 (any other bytes raised a UnicodeDecodeError: a 500) and looks its
    first characters up in the database (a NUL there is refused by PostgreSQL: a 500 too). A key that
    knox could never have issued is simply an invalid token: a 401.
    """

    def authenticate_credentials(self, token: bytes) -> tuple[Any, APIToken]:
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(INVALID_KEY) from None
        if not _KEY.fullmatch(key):
            raise AuthenticationFailed(INVALID_KEY)
        # mypy names a super() call after our class, so untyped_calls_exclude's "knox" misses it.
        user, auth_token = super().authenticate_credentials(token)  # type: ignore[no-untyped-call]  # knox: untyped
        return user, auth_token


class TokenScheme(KnoxTokenScheme):
    """Describe ``TokenAuthentication`` in the OpenAPI schema as drf-spectacular describes knox's own."""

    target_class = "agencies.authentication.TokenAuthentication"


READ_ONLY_MESSAGE = (
    "This API token is read-only: it can read but not change anything. Use a read-write token."
)


class TokenScope(BasePermission):
    """Refuse every unsafe method to a read-only token."""

    message = READ_ONLY_MESSAGE

    def has_permission(self, request: Request, view: APIView) -> bool:
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
        # The stubs type the rates as numbers; DRF reads them as "N/period" strings (parse_rate).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[return-value]  # stubs: str

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user.is_authenticated:  # UNAUTHENTICATED_USER is DRF's default: never None
            return None
        token = request.auth
        ident = f"token-{token.pk}" if isinstance(token, APIToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
