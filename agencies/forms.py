"""Sign-in and account forms in USWDS style."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from uswds.forms import UswdsForm, UswdsFormMixin

from .access import User
from .models import APIToken
from .tokens import token_lifetime_errors, token_name_errors, tokens_of


class SignInForm(UswdsFormMixin, AuthenticationForm):
    """Django's sign-in form, with USWDS classes."""


class ChangePasswordForm(UswdsFormMixin, PasswordChangeForm):
    """Django's password change form, with USWDS classes."""


class APITokenForm(UswdsForm):
    """A new personal API token: what it is for, what it may do, how long it lasts.

    A read-and-write token also asks for the user's password again: it can change the record as they
    can, so a session left open (or taken over) is not enough to mint one. The check goes through
    ``authenticate``, so django-axes counts a wrong password as a failed sign-in (and locks out, with
    the lockout page, after AXES_FAILURE_LIMIT of them), and the password is never echoed back.
    A read-only token needs no password: it can only read what the session could read anyway.
    """

    READ_ONLY, READ_WRITE = "read_only", "read_write"

    name = forms.CharField(
        required=False,  # the actions layer names a missing name, as it does for the API and the command
        help_text="What the token is for, so you recognise it later, e.g. “nightly status export”.",
    )
    access = forms.ChoiceField(
        choices=[
            (READ_ONLY, "Read only: may read directives, never change them"),
            (READ_WRITE, "Read and write: may also record updates, as you can"),
        ],
        initial=READ_ONLY,
        widget=forms.RadioSelect,
    )
    expires_days = forms.TypedChoiceField(
        label="Expires",
        choices=[
            ("7", "In 7 days"),
            ("30", "In 30 days"),
            ("90", "In 90 days"),
            ("365", "In a year (read only)"),
            ("", "Never (read only)"),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )
    current_password = forms.CharField(
        label="Your password (for a read-and-write token)",
        required=False,  # required for a read-and-write token only: see clean()
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="A read-and-write token can change records as you can, so confirm it is you.",
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields[
            "expires_days"
        ].help_text = f"A read-and-write token expires within {settings.API_TOKEN_MAX_DAYS_READ_WRITE} days."

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns, typed as a dict
        # The actions layer checks the name too; checked here, it is shown with the other fields' errors.
        for message in token_name_errors(data.get("name", "").strip()):
            self.add_error("name", message)
        if data.get("access") != self.READ_WRITE:
            return data
        if "expires_days" in data:
            for message in token_lifetime_errors(read_only=False, expires_days=data["expires_days"]):
                self.add_error("expires_days", message)
        password = data.get("current_password")
        if not password:
            self.add_error("current_password", "Enter your password to create a read-and-write token.")
        elif not self._is_the_users_password(password):
            self.add_error("current_password", "That is not your password: no token was created.")
        return data

    def _is_the_users_password(self, password: str) -> bool:
        user = self.request.user
        confirmed = authenticate(self.request, username=user.get_username(), password=password)
        return confirmed is not None and confirmed.pk == user.pk

    def action_kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments for ``agencies.actions.create_api_token``."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "read_only": data["access"] != self.READ_WRITE,
            "expires_days": data["expires_days"],
        }


class RevokeAPITokenForm(UswdsForm):
    """Which of the user's tokens to revoke, named by the first characters of its key (``token_key``)."""

    revoke = forms.CharField(
        max_length=APIToken._meta.get_field("token_key").max_length, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_revoke(self) -> str:
        token_key: str = self.cleaned_data["revoke"]
        # Only the user's own working tokens are looked up: another user's key prefix finds nothing.
        matches = list(tokens_of(self.user).filter(token_key=token_key))
        if len(matches) != 1:
            raise ValidationError(
                "You have no token whose key starts with that: it was revoked already, or has expired.",
                code="not_found",
            )
        self.cleaned_data["token"] = matches[0]
        return token_key

    @property
    def token_not_found(self) -> bool:
        """Return whether the form names a token the user does not have (as opposed to bad input)."""
        return self.has_error("revoke", code="not_found")
