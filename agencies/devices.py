"""Known devices: a browser someone signed in on keeps a signed cookie, so others' failures for their
username, from the address they share, do not lock them out (OWASP's "device cookies").

django-axes counts failed sign-ins per (username, address). An attacker behind the same address as the
victim (an agency's egress, a hotel's wifi) could fail five times every fifteen minutes and keep the
victim paused for ever. A browser that signed in as that username before sends this cookie, and its
attempts count under a name of their own, "<username> [device <id>]": the attacker's failures lock
the untrusted pair only, while the browser's own failures still lock it after five (the cookie is no
free pass at guessing). The cookie is signed with ``SECRET_KEY``, names one username, and lasts
``KNOWN_DEVICE_DAYS``.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

COOKIE = "orderctl_device"
_SALT = "agencies.devices"
_NEW = "_orderctl_new_device"
MARK = " [device "


def device_of(request: HttpRequest | None, username: str) -> str | None:
    """Return the id of this browser's known-device cookie if it vouches for ``username``, else None."""
    if request is None or not (value := request.COOKIES.get(COOKIE)):
        return None
    try:
        payload = signing.loads(value, salt=_SALT, max_age=settings.KNOWN_DEVICE_DAYS * 86_400)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or str(payload.get("u", "")).lower() != username.lower():
        return None
    device = payload.get("d")
    return device if isinstance(device, str) else None


def counted_name(username: str, device: str | None) -> str:
    """Return the name failures of ``username`` from ``device`` (None: an unknown browser) count under."""
    return username if device is None else f"{username}{MARK}{device}]"


def account_name(counted: str) -> str:
    """Return the username a ``counted_name`` is for."""
    return counted.split(MARK, 1)[0]


@receiver(user_logged_in)
def _remember_device(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        setattr(request, _NEW, user.get_username())


def set_cookie(request: HttpRequest, response: HttpResponse) -> None:
    """Give the browser that just signed in its known-device cookie (kept if it already had one)."""
    username: str | None = getattr(request, _NEW, None)
    if username is None:
        return
    device = device_of(request, username) or secrets.token_urlsafe(12)
    response.set_cookie(
        COOKIE,
        signing.dumps({"u": username, "d": device}, salt=_SALT),
        max_age=settings.KNOWN_DEVICE_DAYS * 86_400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
