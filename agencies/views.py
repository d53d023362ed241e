"""The pages about who the user is: the start page, sign-in, password and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from . import actions
from .access import is_reviewer
from .forms import APITokenForm, ChangePasswordForm, SignInForm
from .models import Membership
from .tokens import tokens_of

DEMO_ACCOUNTS = ("cisa-editor", "treasury-editor", "oncd-editor", "reviewer")


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEBUG:
            names = set(
                get_user_model().objects.filter(username__in=DEMO_ACCOUNTS).values_list("username", flat=True)
            )
            context["demo_accounts"] = [name for name in DEMO_ACCOUNTS if name in names]
        return context


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, so a link or an image cannot sign anyone out), and say so on the next page."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, "You have signed out. Close the browser if others use this computer.")
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the user's API tokens; create one (its key shown on this response only) or revoke one."""
    form = APITokenForm()
    token, new_key = None, None
    http_status = 200
    if request.method == "POST" and request.POST.get("revoke"):
        # Only the user's own tokens are looked up, so another user's key prefix finds nothing here.
        matches = list(tokens_of(request.user).filter(token_key=request.POST["revoke"]))
        if len(matches) != 1:
            messages.error(request, "That token does not exist any more: nothing was revoked.")
        else:
            actions.revoke_api_token(matches[0], actor=request.user)
            messages.success(request, f"Revoked the token “{matches[0].name}”. It no longer works.")
        return redirect("api_tokens")
    if request.method == "POST":
        form = APITokenForm(request.POST)
        if form.is_valid():
            try:
                token, new_key = actions.create_api_token(
                    request.user, actor=request.user, **form.action_kwargs()
                )
            except ValidationError as error:
                form.add_action_errors(error)
                http_status = 400
            else:
                form = APITokenForm()  # a clean form for the next token; the key shows above it
        else:
            http_status = 400
    context = {
        "form": form,
        "tokens": list(tokens_of(request.user)),
        "new_key": new_key,
        "new_token": token,
    }
    response = render(request, "agencies/api_tokens.html", context, status=http_status)
    if new_key:
        # The key is on this page and nowhere else: keep it out of every cache.
        add_never_cache_headers(response)
    return response
