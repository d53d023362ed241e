"""Webhooks: subscriptions (the one write path) and their outbox, beside the email outbox.

A subscription names one agency (its directives and its components') or one order, the notice kinds
it wants, a delivery format and an address. Deliveries follow the email outbox's pattern
(``outbox.py``), planned from the same notices:

1. **Plan** (``plan_webhooks``, called by ``outbox.plan_deliveries`` for each notice it hands on): one
   ``WebhookDelivery`` per matching active subscription, unique per (subscription, notice): a notice
   planned twice (a retry, two dispatchers) is still one delivery. Exactly-once *intent*; the sending is
   at least once, like email, and every attempt carries the same ``webhook-id`` so a receiver drops
   a copy.
2. **Send** (``dispatch_webhooks``): claim one delivery at a time under a lease (``skip_locked``), POST
   it signed, mark it delivered on a 2xx; otherwise retry with exponential backoff until
   ``WEBHOOK_MAX_ATTEMPTS``. A subscription whose attempts fail ``WEBHOOK_DISABLE_AFTER_FAILURES`` times
   in a row is disabled, its waiting deliveries cancelled, and the change is in the access log.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import secrets
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from agencies.access import editor_agency_ids
from agencies.models import Agency
from directives.models.outreach import WebhookDelivery, WebhookSubscription, unasked_kinds
from directives.notices import notify, payloads
from ledger import audit
from ledger.models import AccessEvent

from ..models import Directive, Involvement, Notification, Order
from . import leases

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 6 * 60 * 60
MAX_NAME_LENGTH = 100
MAX_URL_LENGTH = 500


# --- Subscriptions ---------------------------------------------------------------------------------
def may_manage(user: User | None, *, agency: Agency | None, order: Order | None) -> bool:
    """Return whether ``user`` may manage a subscription to ``agency`` or ``order``.

    An administrator may manage any; an editor may manage those of the agencies they edit for (a
    department's editor, its components'). An order's subscriptions are the administrators'.
    """
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return agency is not None and order is None and agency.pk in editor_agency_ids(user)


def url_problem(url: str) -> str | None:
    """Return what is wrong with ``url`` as a webhook address, or None.

    Production sends only over HTTPS, and never to this machine or a private network, where a
    webhook could reach services that trust their neighbours (WEBHOOK_ALLOW_PRIVATE_ADDRESSES turns
    both checks off, for development and the tests' local receiver).
    """
    if len(url) > MAX_URL_LENGTH:
        return f"Ensure this address has at most {MAX_URL_LENGTH} characters."
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return "Enter a valid http:// or https:// address."
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "Webhooks are sent over HTTPS only: the address must start with https://."
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return f"The host {parts.hostname} cannot be found."
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return f"The host {parts.hostname} is on a private or local network ({address}): not allowed."
    return None


def _validate(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            errors["name"] = ["Give the webhook a name that says what it is for."]
        elif len(data["name"]) > MAX_NAME_LENGTH:
            errors["name"] = [f"Ensure the name has at most {MAX_NAME_LENGTH} characters."]
    if "url" in data:
        data["url"] = (data["url"] or "").strip()
        problem = url_problem(data["url"])
        if problem:
            errors["url"] = [problem]
    if "format" in data and data["format"] not in WebhookSubscription.Format.values:
        choices = ", ".join(WebhookSubscription.Format.values)
        errors["format"] = [f"{data['format']!r} is not a format; use one of {choices}."]
    if "kinds" in data:
        kinds = data["kinds"]
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
            errors["kinds"] = ["Choose at least one kind of notice."]
        else:
            unknown = sorted(set(kinds) - set(Notification.Kind.values))
            if unknown:
                choices = ", ".join(Notification.Kind.values)
                errors["kinds"] = [f"Unknown kinds {', '.join(unknown)}; use {choices}."]
            else:
                data["kinds"] = sorted(set(kinds), key=Notification.Kind.values.index)


def _detail(subscription: WebhookSubscription) -> dict[str, object]:
    return {
        "webhook": subscription.pk,
        "name": subscription.name,
        "url": subscription.url,
        "format": subscription.format,
        "scope": subscription.scope,
        "kinds": subscription.kinds,
        "active": subscription.active,
    }


def create_webhook(
    *,
    actor: User | None,
    name: str,
    url: str,
    agency: Agency | None = None,
    order: Order | None = None,
    format: str = WebhookSubscription.Format.STANDARD,
    kinds: list[str] | None = None,
) -> WebhookSubscription:
    """Subscribe ``url`` to the notices about ``agency``'s or ``order``'s directives; return it."""
    data = {
        "name": name,
        "url": url,
        "format": format,
        "kinds": kinds if kinds is not None else unasked_kinds(),
    }
    errors: dict[str, list[str]] = {}
    if (agency is None) == (order is None):
        errors["scope"] = ["Name exactly one agency or one order."]
    _validate(data, errors)
    if errors:
        raise ValidationError(errors)
    if not may_manage(actor, agency=agency, order=order):
        raise PermissionDenied(
            "Only an administrator, or an editor of the agency, may add a webhook for it."
            if order is None
            else "Only an administrator may add a webhook for a whole order."
        )
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            **data,
            agency=agency,
            order=order,
            secret=payloads.new_secret(),
            created=timezone.now(),
            created_by=actor,
        )
        audit.record(
            AccessEvent.Kind.WEBHOOK_CREATED,
            actor_id=actor.pk if actor else None,
            agency_id=agency.pk if agency else None,
            detail=_detail(subscription),
        )
    return subscription


def update_webhook(
    subscription: WebhookSubscription, *, actor: User | None, **changes: object
) -> WebhookSubscription:
    """Change a subscription's name, url, format, kinds or ``active``; re-enabling clears its failures."""
    allowed = {"name", "url", "format", "kinds", "active"}
    errors: dict[str, list[str]] = {
        key: ["This field cannot be changed."] for key in changes if key not in allowed
    }
    data = {key: value for key, value in changes.items() if key in allowed}
    if "active" in data and not isinstance(data["active"], bool):
        errors["active"] = ["Must be true or false."]
    _validate(data, errors)
    if errors:
        raise ValidationError(errors)
    if not may_manage(actor, agency=subscription.agency, order=subscription.order):
        raise PermissionDenied("Only an administrator, or an editor of the agency, may change this webhook.")
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        for key, value in data.items():
            setattr(locked, key, value)
        if data.get("active") is True:
            locked.consecutive_failures, locked.disabled_at, locked.disabled_reason = 0, None, ""
        locked.save()
        audit.record(
            AccessEvent.Kind.WEBHOOK_CHANGED,
            actor_id=actor.pk if actor else None,
            agency_id=locked.agency_id,
            detail=_detail(locked),
        )
    return locked


def rotate_webhook_secret(
    subscription: WebhookSubscription, *, actor: User | None
) -> tuple[WebhookSubscription, str]:
    """Give ``subscription`` a new signing secret and return it with that secret, the one time it is shown.

    The old secret keeps signing beside the new one for ``WEBHOOK_SECRET_OVERLAP_HOURS``, so the
    receiver can switch to the new one without losing a message; a rotation during an overlap ends the
    overlap of the secret before (only the latest two ever sign).
    """
    if not may_manage(actor, agency=subscription.agency, order=subscription.order):
        raise PermissionDenied(
            "Only an administrator, or an editor of the agency, may rotate this webhook's secret."
        )
    now = timezone.now()
    secret = payloads.new_secret()
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        locked.previous_secret, locked.secret = locked.secret, secret
        locked.previous_secret_until = now + dt.timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        audit.record(
            AccessEvent.Kind.WEBHOOK_SECRET_ROTATED,
            actor_id=actor.pk if actor else None,
            agency_id=locked.agency_id,
            detail={**_detail(locked), "previous_secret_until": locked.previous_secret_until.isoformat()},
        )
    return locked, secret


def delete_webhook(subscription: WebhookSubscription, *, actor: User | None) -> None:
    """Remove a subscription; its delivery log goes with it."""
    if not may_manage(actor, agency=subscription.agency, order=subscription.order):
        raise PermissionDenied("Only an administrator, or an editor of the agency, may delete this webhook.")
    with transaction.atomic():
        detail = _detail(subscription)
        WebhookSubscription.objects.filter(pk=subscription.pk).delete()
        audit.record(
            AccessEvent.Kind.WEBHOOK_DELETED,
            actor_id=actor.pk if actor else None,
            agency_id=subscription.agency_id,
            detail=detail,
        )


# --- The outbox ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TestSend:
    """What the receiver answered a test message: its HTTP status (None: no answer) and its words.

    With no answer, ``failure`` says why: "address" (not one webhooks may be sent to), "timeout" (no
    answer within WEBHOOK_TIMEOUT_SECONDS) or "connection" (refused, unknown host, TLS, ...).
    """

    status: int | None
    answer: str
    failure: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def send_test_webhook(subscription: WebhookSubscription, *, actor: User | None) -> TestSend:
    """Send a signed sample message to ``subscription`` now and return the receiver's answer.

    For whoever may manage the subscription. Nothing is recorded: a test is no notice, counts no
    failure and never disables the subscription; production's address rules apply as for a delivery.
    """
    if not may_manage(actor, agency=subscription.agency, order=subscription.order):
        raise PermissionDenied("Only those who may manage this subscription may test it.")
    problem = url_problem(subscription.url)
    if problem:
        return TestSend(None, problem, "address")
    now = timezone.now()
    body = payloads.test_body(subscription, now)
    headers = payloads.signed_headers(
        subscription.signing_secrets(now), f"msg_test_{secrets.token_hex(12)}", now, body
    )
    try:
        response = requests.post(
            subscription.url,
            data=body.encode(),
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.Timeout as exc:
        return TestSend(None, f"{type(exc).__name__}: {exc}"[:500], "timeout")
    except requests.RequestException as exc:
        return TestSend(None, f"{type(exc).__name__}: {exc}"[:500], "connection")
    return TestSend(response.status_code, response.text[:500])


def subscriptions_for(notification: Notification, directive: Directive) -> list[WebhookSubscription]:
    """Return the active subscriptions that want ``notification``: its order's, or its leads' agencies'.

    An agency's subscription hears of its components' directives too (the department rule).
    """
    leads = Agency.objects.filter(
        involvements__directive=directive, involvements__role=Involvement.Role.LEAD
    ).with_departments()
    candidates = WebhookSubscription.objects.filter(
        Q(order_id=directive.order_id) | Q(agency__in=leads), active=True
    ).order_by("id")
    return [s for s in candidates if notification.kind in s.kinds]


def plan_webhooks(notification: Notification, directive: Directive, now: dt.datetime) -> int:
    """Owe one delivery of ``notification`` to each subscription that wants it; return how many are new."""
    return sum(plan_webhook(s, notification, now) for s in subscriptions_for(notification, directive))


def plan_webhook(subscription: WebhookSubscription, notification: Notification, now: dt.datetime) -> bool:
    """Owe one delivery of ``notification`` to ``subscription``; return False if it was owed already."""
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                subscription=subscription,
                notification=notification,
                message_id=f"msg_{secrets.token_hex(16)}",
                created=now,
                next_attempt_at=now,
            )
    except IntegrityError:
        return False  # planned already: the unique constraint keeps the intent single
    return True


@dataclass
class WebhookReport:
    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    gave_up: list[int] = field(default_factory=list)
    disabled: list[int] = field(default_factory=list)
    more: bool = False

    def summary(self) -> str:
        text = (
            f"{len(self.delivered)} webhooks delivered, {len(self.failed)} failed (will retry), "
            f"{len(self.gave_up)} given up, {len(self.disabled)} subscriptions disabled"
        )
        return text + ("; more are due" if self.more else "")


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    )


def claim_webhook_delivery() -> WebhookDelivery | None:
    """Claim the next due webhook delivery under a lease, or return None (as ``outbox.claim_delivery``)."""
    return leases.claim_next(WebhookDelivery, seconds=settings.WEBHOOK_CLAIM_SECONDS, expired=_interrupted)


def _interrupted(row: WebhookDelivery, now: dt.datetime) -> bool:
    """Note on ``row``, locked, that its attempt never ended; give it up (True) after the last attempt."""
    row.last_error = f"Attempt {row.attempts} was interrupted and never marked."
    if row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        row.state = WebhookDelivery.State.FAILED
        row.save(update_fields=["state", "last_error"])
        return True
    return False


def _finish(claimed: WebhookDelivery, **values: object) -> bool:
    return leases.finish(claimed, **values)


def _post(claimed: WebhookDelivery, now: dt.datetime) -> requests.Response:
    subscription = claimed.subscription
    problem = url_problem(subscription.url)
    if problem:
        raise ValueError(problem)
    directive = Directive.objects.with_agencies().get(pk=claimed.notification.directive_id)
    body = payloads.body_for(subscription, claimed.notification, directive)
    headers = payloads.signed_headers(subscription.signing_secrets(now), claimed.message_id, now, body)
    return requests.post(
        subscription.url,
        data=body.encode(),
        headers=headers,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        allow_redirects=False,  # a redirect could lead anywhere; the subscriber gives the final address
    )


def _record_failure(claimed: WebhookDelivery, error: str, status: int | None, report: WebhookReport) -> None:
    now = timezone.now()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=claimed.subscription_id)
        if claimed.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            if _finish(claimed, state=WebhookDelivery.State.FAILED, last_error=error, response_status=status):
                report.gave_up.append(claimed.pk)
        elif _finish(
            claimed,
            state=WebhookDelivery.State.PENDING,
            next_attempt_at=now + _backoff(claimed.attempts),
            last_error=error,
            response_status=status,
        ):
            report.failed.append(claimed.pk)
        subscription.consecutive_failures += 1
        subscription.save(update_fields=["consecutive_failures"])
        if (
            subscription.active
            and subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
        ):
            _disable(
                subscription,
                f"{subscription.consecutive_failures} attempts in a row failed; last: {error}",
                now,
            )
            report.disabled.append(subscription.pk)


def _disable(subscription: WebhookSubscription, reason: str, now: dt.datetime) -> None:
    subscription.active = False
    subscription.disabled_at = now
    subscription.disabled_reason = reason[:2000]
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason"])
    subscription.deliveries.filter(state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.CANCELLED,
        last_error="The subscription was disabled after repeated failures.",
    )
    audit.record(
        AccessEvent.Kind.WEBHOOK_CHANGED,
        actor_id=None,
        agency_id=subscription.agency_id,
        detail={**_detail(subscription), "disabled_reason": subscription.disabled_reason},
    )


def send_webhook(claimed: WebhookDelivery, report: WebhookReport) -> None:
    """POST ``claimed`` and record the outcome: delivered on a 2xx, else a retry or giving up.

    A notice that stopped being true since it was planned (completed, rescinded, deadline moved) is not
    sent, as the email outbox does: the delivery is cancelled with the reason.
    """
    now = timezone.now()
    notification = claimed.notification
    reason = notify.obsolete_reason(notification, notify.current_directive(notification))
    if reason is not None:
        with transaction.atomic():
            _finish(claimed, state=WebhookDelivery.State.CANCELLED, last_error=reason)
        return
    try:
        response = _post(claimed, now)
    except Exception as exc:
        logger.warning("webhook delivery %s failed (attempt %s): %s", claimed.pk, claimed.attempts, exc)
        _record_failure(claimed, f"{type(exc).__name__}: {exc}"[:2000], None, report)
        return
    if 200 <= response.status_code < 300:
        with transaction.atomic():
            if _finish(
                claimed,
                state=WebhookDelivery.State.DELIVERED,
                delivered_at=timezone.now(),
                response_status=response.status_code,
                last_error="",
            ):
                WebhookSubscription.objects.filter(pk=claimed.subscription_id).update(consecutive_failures=0)
                report.delivered.append(claimed.pk)
        return
    _record_failure(
        claimed, f"HTTP {response.status_code}: {response.text[:500]}", response.status_code, report
    )


def dispatch_webhooks(*, max_seconds: float | None = None) -> WebhookReport:
    """Send every webhook delivery that is due; report what happened (bounded by ``max_seconds``)."""
    started = time.monotonic()
    report = WebhookReport()
    while True:
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            report.more = True
            break
        claimed = claim_webhook_delivery()
        if claimed is None:
            break
        send_webhook(claimed, report)
    return report
