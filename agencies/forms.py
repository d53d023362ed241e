"""Sign-in and account forms in USWDS style."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from uswds.forms import UswdsForm, UswdsFormMixin


class SignInForm(UswdsFormMixin, AuthenticationForm):
    """Django's sign-in form, with USWDS classes."""


class ChangePasswordForm(UswdsFormMixin, PasswordChangeForm):
    """Django's password change form, with USWDS classes."""


class APITokenForm(UswdsForm):
    """A new personal API token: what it is for, what it may do, and how long it lasts."""

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
        choices=[("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never")],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )

    def action_kwargs(self) -> dict:
        """Return the keyword arguments for ``agencies.actions.create_api_token``."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "read_only": data["access"] != self.READ_WRITE,
            "expires_days": data["expires_days"],
        }
