"""Sign-in and account forms in USWDS style."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from directives.forms import UswdsFormMixin


class SignInForm(UswdsFormMixin, AuthenticationForm):
    """Django's sign-in form, with USWDS classes."""


class ChangePasswordForm(UswdsFormMixin, PasswordChangeForm):
    """Django's password change form, with USWDS classes."""
