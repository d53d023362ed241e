"""The single sign-on routes: start (to the provider) and callback (back from it), or 404 when off.

mozilla-django-oidc's views, with two changes: they do not exist unless ``SSO_ENABLED``, and a
refused sign-in (a forged or tampered ID token, another audience, a provider that is down, a replayed
callback) never raises: it is logged and sends the person back to the sign-in page, which says so.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger(__name__)


class SignOnView(OIDCAuthenticationRequestView):
    """Send the browser to the provider's authorization endpoint, with state, nonce and PKCE."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        response: HttpResponse = super().get(request)  # type: ignore[no-untyped-call]  # mozilla-django-oidc: untyped
        return response


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
