"""The single sign-on routes: start (to the provider) and callback (back from it), or 404 when off;
and the provider's sign-out, where signing out of orderctl continues for someone who signed on.

mozilla-django-oidc's views, with two changes: they do not exist unless ``SSO_ENABLED``, and a
refused sign-in (a forged or tampered ID token, another audience, a provider that is down, a replayed
callback) never raises: it is logged and sends the person back to the sign-in page, which says so.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import sso_discovery

logger = logging.getLogger(__name__)


class SignOnView(OIDCAuthenticationRequestView):
    """Send the browser to the provider's authorization endpoint, with state, nonce and PKCE."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso_discovery.endpoints().authorization
        except (SuspiciousOperation, requests.RequestException, ValueError) as exc:
            logger.warning("single sign-on could not reach the provider: %s: %s", type(exc).__name__, exc)
            messages.error(request, "Single sign-on is unavailable just now. Try again in a few minutes.")
            return redirect("login")
        response: HttpResponse = super().get(request)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
        return response


def provider_sign_out_url(request: HttpRequest, id_token: str) -> str | None:
    """Return the provider's sign-out address for the person who signed on with ``id_token`` (OpenID
    Connect RP-Initiated Logout 1.0), coming back to the sign-in page; None if it offers none."""
    try:
        end_session = sso_discovery.end_session_endpoint()
    except (SuspiciousOperation, requests.RequestException, ValueError) as exc:
        logger.warning(
            "single sign-on could not find the provider's sign-out: %s: %s", type(exc).__name__, exc
        )
        return None
    if not end_session:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{query}"


class CallbackView(OIDCAuthenticationCallbackView):
    """Take the provider's answer: sign the person in, or back to the sign-in page saying why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        try:
            response: HttpResponse = super().get(request)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
            return response
        except (SuspiciousOperation, requests.RequestException, KeyError, ValueError) as exc:
            logger.warning("single sign-on refused: %s: %s", type(exc).__name__, exc)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            "Single sign-on did not sign you in. Try again; if it keeps failing, ask your administrator "
            "(a new account needs an administrator to grant it a role at your agency).",
        )
        response: HttpResponse = super().login_failure()  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
        return response
