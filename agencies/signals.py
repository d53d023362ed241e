"""Revoke a user's API tokens when their password changes or their account is deactivated.

Connected to the user model's saves in ``AgenciesConfig.ready``, so every path counts: the password
page, the admin (its password form, the active checkbox, "disable password-based authentication"),
``changepassword``, or ``set_password`` and ``save`` in any code. A password rehashed at sign-in
(Django upgrading its hasher) is not a change: Django clears the new-password marker first, exactly so
that such an upgrade is not treated as one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User

from . import actions

_REASON = "_orderctl_token_revocation_reason"


def _stored(user: User) -> tuple[bool, str] | None:
    """Return the user's stored (is_active, password hash), or None when it is not stored yet."""
    return type(user)._default_manager.filter(pk=user.pk).values_list("is_active", "password").first()


def note_revoking_changes(
    sender: type[User],
    instance: User,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    """Before a user is saved, note whether the save changes their password or deactivates them."""
    setattr(instance, _REASON, None)
    if raw or instance.pk is None:
        return
    touched = set(update_fields) if update_fields is not None else None
    if touched is not None and not touched & {"password", "is_active"}:
        return  # e.g. last_login at every sign-in: nothing that concerns tokens
    if getattr(instance, "_password", None) is not None:
        # set_password() leaves the new raw password here for save() to hand to the validators.
        setattr(instance, _REASON, "password changed")
        return
    if instance.is_active and instance.has_usable_password():
        return  # the only other changes that matter make one of these false: no query needed
    stored = _stored(instance)
    if stored is None:
        return
    was_active, old_hash = stored
    if was_active and not instance.is_active:
        setattr(instance, _REASON, "account deactivated")
    elif old_hash != instance.password and not instance.has_usable_password():
        setattr(instance, _REASON, "password-based sign-in disabled")


def revoke_tokens_after_save(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """After the save, revoke the user's tokens if it changed their password or deactivated them."""
    reason = getattr(instance, _REASON, None)
    if reason and not created and not raw:
        setattr(instance, _REASON, None)
        actions.revoke_api_tokens_of(instance, actor=None, reason=reason)
