"""The pages about who the user is: the start page, sign-in, password and API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from . import actions, sso, sso_views
from .access import SignedInRequest, is_reviewer
from .forms import APITokenForm, ChangePasswordForm, RevokeAPITokenForm, SignInForm
from .models import Membership
from .tokens import tokens_of

DEMO_ACCOUNTS = ("cisa-editor", "dhs-editor", "treasury-editor", "oncd-editor", "reviewer", "admin")


def home(request: HttpRequest) -> HttpResponse:
    """Send each visitor where their work is: a reviewer to the dashboard, an editor to their agency."""
    if not request.user.is_authenticated:
        return redirect("login")
    if is_reviewer(request.user):
        return redirect("dashboard")
    if Membership.objects.filter(user=request.user).exists():
        return redirect("my_agency")
    return redirect("directive_list")


class SignInView(auth_views.LoginView):
    """Sign in; on a development machine with the demo accounts, say which ones there are."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.LOCAL_PASSWORDS:
            # Passwords are off: nothing is checked, and the page says how to sign in instead.
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Signing in with a password is turned off here: use single sign-on.")
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = settings.SSO_ENABLED
        context["sso_label"] = settings.SSO_LABEL
        context["local_passwords"] = settings.LOCAL_PASSWORDS
        if settings.DEBUG:
            names = set(
                get_user_model().objects.filter(username__in=DEMO_ACCOUNTS).values_list("username", flat=True)
            )
            context["demo_accounts"] = [name for name in DEMO_ACCOUNTS if name in names]
        return context


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, so a link or an image cannot sign anyone out), and say so on the next page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        id_token = request.session.get(sso.ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, "You have signed out. Close the browser if others use this computer.")
        # Signed on through the provider: sign out there too, or the next "Sign in with ..." would let
        # whoever uses this browser straight back in.
        if was_signed_in and id_token and settings.SSO_ENABLED:
            at_provider = sso_views.provider_sign_out_url(request, id_token)
            if at_provider:
                return HttpResponseRedirect(at_provider)
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm


# Where a new token's key waits, between the POST that created it and the page that shows it once.
NEW_TOKEN_SESSION_KEY = "orderctl_new_api_token"  # noqa: S105 - a session key name, not a secret


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request: SignedInRequest) -> HttpResponse:
    """List the user's API tokens and create one: POST, then redirect to a GET that shows its key once.

    The key waits in the session for that GET, which takes it out: reloading the page neither creates
    a second token nor shows the key again.
    """
    http_status = 200
    if request.method == "POST":
        form = APITokenForm(request.POST, request=request)
        if form.is_valid():
            try:
                token, key = actions.create_api_token(
                    request.user, actor=request.user, **form.action_kwargs()
                )
            except ValidationError as error:
                form.add_action_errors(error)
            else:
                request.session[NEW_TOKEN_SESSION_KEY] = {"digest": token.digest, "key": key}
                return redirect("api_tokens")
        http_status = 400
    else:
        form = APITokenForm(request=request)
    tokens = list(tokens_of(request.user))
    new_token, new_key = None, None
    if request.method == "GET":  # not HEAD: a HEAD would take the key and show nobody
        shown = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
        if shown:
            new_token = next((token for token in tokens if token.digest == shown["digest"]), None)
            new_key = shown["key"] if new_token is not None else None
    context = {"form": form, "tokens": tokens, "new_key": new_key, "new_token": new_token}
    response = render(request, "agencies/api_tokens.html", context, status=http_status)
    # The key is on one response and nowhere else; the list is the user's own: keep both out of caches.
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_token_revoke(request: SignedInRequest) -> HttpResponse:
    """Ask to confirm revoking one of the user's tokens (GET ?revoke=<key prefix>); revoke it (POST).

    After the POST, back to the list (POST/redirect/GET); a second POST of the same form finds the token
    gone and says so there.
    """
    form = RevokeAPITokenForm(request.POST if request.method == "POST" else request.GET, user=request.user)
    if form.is_valid():
        token = form.cleaned_data["token"]
        if request.method != "POST":
            return render(request, "agencies/api_token_revoke.html", {"form": form, "token": token})
        actions.revoke_api_token(token, actor=request.user)
        messages.success(request, f"Revoked the token “{token.name}”. It no longer works.")
        return redirect("api_tokens")
    if request.method == "POST" and form.token_not_found:
        messages.error(request, "That token does not exist any more: nothing was revoked.")
        return redirect("api_tokens")
    http_status = 404 if form.token_not_found else 400
    return render(
        request, "agencies/api_token_revoke.html", {"form": form, "token": None}, status=http_status
    )
