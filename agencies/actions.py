"""The one write path for personal API tokens and single sign-on links.

A token is created for a user by that user, by an administrator, or by the system (``actor=None``, the
``create_api_token`` command); the plain key is returned once and only its digest is stored. A token is
revoked by deleting it, which is what knox does on logout too. All of a user's tokens are revoked when
their password changes or their account is deactivated (``agencies.signals`` calls
``revoke_api_tokens_of`` on any save that does either, whatever path it came by).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ledger import audit
from ledger.models import AccessEvent

from .models import APIToken, SignOnLink
from .tokens import token_lifetime_errors, token_name_errors

logger = logging.getLogger(__name__)


def _require_owner_or_admin(user: User, actor: User | None, verb: str) -> None:
    if actor is None or (actor.is_active and (actor.pk == user.pk or actor.is_superuser)):
        return
    raise PermissionDenied(
        f"Only {user.get_username()} or an administrator can {verb} this user's API tokens."
    )


def create_api_token(
    user: User,
    *,
    actor: User | None,
    name: str,
    read_only: bool = False,
    expires_days: int | None = None,
) -> tuple[APIToken, str]:
    """Create an API token for ``user`` and return it with its plain key, which is never stored.

    A read-only token may read but never write. ``expires_days`` None means the token does not expire,
    which only a read-only token may do: a read-write one expires within API_TOKEN_MAX_DAYS_READ_WRITE.
    """
    _require_owner_or_admin(user, actor, "create")
    name = name.strip()
    errors: dict[str, list[str]] = {}
    name_errors = token_name_errors(name)
    if name_errors:
        errors["name"] = name_errors
    lifetime_errors = token_lifetime_errors(read_only=read_only, expires_days=expires_days)
    if lifetime_errors:
        errors["expires_days"] = lifetime_errors
    if not user.is_active:
        errors["user"] = [f"{user.get_username()} is inactive and cannot hold API tokens."]
    if errors:
        raise ValidationError(errors)
    expiry = dt.timedelta(days=expires_days) if expires_days is not None else None
    with transaction.atomic():
        token, key = APIToken.objects.create(user=user, expiry=expiry, name=name, read_only=read_only)
        audit.record(
            AccessEvent.Kind.TOKEN_CREATED,
            actor_id=actor.pk if actor is not None else None,
            subject_id=user.pk,
            detail={
                "token_key": token.token_key,
                "name": name,
                "read_only": read_only,
                "expires_days": expires_days,
            },
        )
    logger.info(
        "API token %s (%s) created for %s by %s",
        token.token_key,
        "read-only" if read_only else "read-write",
        user.get_username(),
        actor.get_username() if actor is not None else "the system",
    )
    return token, key


def revoke_api_token(token: APIToken, *, actor: User | None) -> None:
    """Delete ``token`` so that it no longer authenticates."""
    _require_owner_or_admin(token.user, actor, "revoke")
    with transaction.atomic():
        APIToken.objects.filter(pk=token.pk).delete()
        audit.record(
            AccessEvent.Kind.TOKEN_REVOKED,
            actor_id=actor.pk if actor is not None else None,
            subject_id=token.user_id,
            detail={"token_key": token.token_key},
        )
    logger.info(
        "API token %s of %s revoked by %s",
        token.token_key,
        token.user.get_username(),
        actor.get_username() if actor is not None else "the system",
    )


def revoke_api_tokens_of(user: User, *, actor: User | None, reason: str) -> int:
    """Delete every API token of ``user`` because ``reason`` (e.g. "password changed"); return how many.

    A token acts as its owner without the password: once the password that vouched for it is gone, or
    the owner may no longer act at all, the token goes too.
    """
    _require_owner_or_admin(user, actor, "revoke")
    with transaction.atomic():
        revoked = sorted(APIToken.objects.filter(user_id=user.pk).values_list("token_key", flat=True))
        APIToken.objects.filter(user_id=user.pk).delete()
    if revoked:
        logger.info(
            "API tokens %s of %s revoked by %s: %s",
            ", ".join(revoked),
            user.get_username(),
            actor.get_username() if actor is not None else "the system",
            reason,
        )
    return len(revoked)


def _require_admin(actor: User | None, verb: str) -> None:
    if actor is None or (actor.is_active and actor.is_superuser):
        return
    raise PermissionDenied(f"Only an administrator can {verb} a single sign-on link.")


def link_sign_on(user: User, *, actor: User | None, issuer: str, subject: str, how: str) -> SignOnLink:
    """Link ``user`` to the person ``subject`` at the provider ``issuer``: from now on they sign in as it.

    ``how`` says what vouched for the link, for the access log: "new account" (made at first sign-in),
    "verified email" (a pre-provisioned account's address) or "administrator". Who may be linked by
    email is the sign-in backend's decision (``agencies.sso``); this refuses a second link of the same
    person and records the link in the access log, in one transaction.
    """
    _require_admin(actor, "make")
    errors: dict[str, list[str]] = {}
    if not issuer.strip():
        errors["issuer"] = ["Give the provider's issuer URL."]
    if not subject.strip():
        errors["subject"] = ["Give the person's subject at the provider."]
    if not user.is_active:
        errors["user"] = [f"{user.get_username()} is inactive and cannot sign in."]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            link = SignOnLink.objects.create(
                user=user, issuer=issuer, subject=subject, created=timezone.now()
            )
            audit.record(
                AccessEvent.Kind.SIGN_ON_LINKED,
                actor_id=actor.pk if actor is not None else None,
                subject_id=user.pk,
                detail={"issuer": issuer, "subject": subject, "how": how},
            )
    except IntegrityError:
        raise ValidationError(
            {"subject": [f"{subject} at {issuer} is already linked to an account; unlink it first."]}
        ) from None
    logger.info("single sign-on linked %s to %s at %s (%s)", user.get_username(), subject, issuer, how)
    return link


def unlink_sign_on(link: SignOnLink, *, actor: User | None) -> None:
    """Remove ``link``: its person no longer signs in as its user, nor can its user be linked by email."""
    _require_admin(actor, "remove")
    with transaction.atomic():
        updated = SignOnLink.objects.filter(pk=link.pk, unlinked__isnull=True).update(unlinked=timezone.now())
        if not updated:
            return
        audit.record(
            AccessEvent.Kind.SIGN_ON_UNLINKED,
            actor_id=actor.pk if actor is not None else None,
            subject_id=link.user_id,
            detail={"issuer": link.issuer, "subject": link.subject},
        )
    logger.info("single sign-on link of %s to %s at %s removed", link.user_id, link.subject, link.issuer)
