"""Access changes made outside our own actions, appended to the access log as they are saved.

Users are Django's own model, edited in Django's user admin (and by ``createsuperuser``); agencies
are changed by ``load_order``. Rather than copy those write paths, the log listens to the saves
themselves, in the same transaction (``pre_save`` reads the row as it was, ``post_save`` records
what changed): a new user, a change of the staff, superuser or active flag, a rename, a deleted
user, a renamed agency. django-axes' lockout signal records sign-in lockouts. Memberships and
reviewer grants go through ``agencies/roles.py``; tokens through ``agencies/actions.py``.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from ledger import audit
from ledger.models import AccessEvent

from .devices import account_name
from .models import Agency

FLAGS = ("is_staff", "is_superuser", "is_active")
User = get_user_model()

# Marks the saves leave on the instance saved: who acted (set by the admin), the row as it was (between
# pre_save and post_save), and a user restored from a backup (whose creation its access log holds).
ACTOR = "_orderctl_actor"
_BEFORE = "_orderctl_before"
RESTORED = "_orderctl_restored"


def _actor(instance: Model) -> int | None:
    """Return who made the change: the admin sets ``ACTOR``; elsewhere it is the system."""
    actor: Model | None = getattr(instance, ACTOR, None)
    return actor.pk if actor is not None else None


@receiver(pre_save, sender=User)
def _remember_user(sender: type[Model], instance: AbstractBaseUser, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        setattr(instance, _BEFORE, None)
        return
    setattr(
        instance, _BEFORE, User.objects.filter(pk=instance.pk).values(User.USERNAME_FIELD, *FLAGS).first()
    )


@receiver(post_save, sender=User)
def _record_user(
    sender: type[Model], instance: AbstractBaseUser, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or getattr(instance, RESTORED, False):
        return  # a restore brings the access log of the backup, which has this user's creation
    username = instance.get_username()
    if created:
        audit.record(
            AccessEvent.Kind.USER_CREATED,
            actor_id=_actor(instance),
            subject_id=instance.pk,
            detail={"username": username, **{flag: getattr(instance, flag) for flag in FLAGS}},
        )
        return
    before = getattr(instance, _BEFORE, None)
    if before is None:
        return
    if before[User.USERNAME_FIELD] != username:
        audit.record(
            AccessEvent.Kind.USER_RENAMED,
            actor_id=_actor(instance),
            subject_id=instance.pk,
            detail={"old_username": before[User.USERNAME_FIELD], "username": username},
        )
    changed = {flag: getattr(instance, flag) for flag in FLAGS if before[flag] != getattr(instance, flag)}
    if changed:
        audit.record(
            AccessEvent.Kind.USER_FLAGS_CHANGED,
            actor_id=_actor(instance),
            subject_id=instance.pk,
            detail=changed,
        )


@receiver(post_delete, sender=User)
def _record_user_deleted(sender: type[Model], instance: AbstractBaseUser, **kwargs: Any) -> None:
    audit.record(
        AccessEvent.Kind.USER_DELETED,
        actor_id=_actor(instance),
        subject_id=instance.pk,
        detail={"username": instance.get_username()},
    )


@receiver(pre_save, sender=Agency)
def _remember_agency(sender: type[Agency], instance: Agency, raw: bool = False, **kwargs: Any) -> None:
    setattr(
        instance,
        _BEFORE,
        None
        if raw or instance.pk is None
        else Agency.objects.filter(pk=instance.pk).values("abbreviation", "name").first(),
    )


@receiver(post_save, sender=Agency)
def _record_agency(
    sender: type[Agency], instance: Agency, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    before = getattr(instance, _BEFORE, None)
    if raw or created or before is None:
        return
    now = {"abbreviation": instance.abbreviation, "name": instance.name}
    if before != now:
        audit.record(
            AccessEvent.Kind.AGENCY_RENAMED,
            actor_id=None,
            agency_id=instance.pk,
            detail={"old_abbreviation": before["abbreviation"], "old_name": before["name"], **now},
        )


@receiver(user_locked_out)
def _record_lockout(
    sender: object,
    request: object,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    username = account_name(username) if username else username
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).values_list("pk", flat=True).first()
    audit.record(
        AccessEvent.Kind.LOCKED_OUT,
        actor_id=None,
        subject_id=user,
        detail={"username": username or "", "ip_address": ip_address or ""},
    )
