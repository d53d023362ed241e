"""Who a notice goes to, whether it still holds, and what an email of notices says; sending it.

The outbox rows and their states belong to ``actions.outbox``; this module turns one claimed delivery
into one email through Django's email backend. Development writes emails to files under ``data/mail``
(or the console), production uses SMTP from the environment (``EMAIL_*`` settings); templates are in
``templates/emails/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from agencies.access import active_emails, reviewer_emails
from agencies.models import Agency, Membership
from directives.models import Delivery, Directive, ExtensionRequest, Involvement, Notification, Status
from directives.models.notices import EVENT_NOTICE_KINDS
from directives.models.outreach import DEFAULT_TIME_ZONE, NotificationPreference

# Notices about an extension request: about the request, not the deadline, so they hold whatever the
# directive's status or deadline does meanwhile.
EXTENSION_KINDS = frozenset({Notification.Kind.EXTENSION_REQUESTED, Notification.Kind.EXTENSION_DECIDED})
# Notices of what an event did: they hold whatever happens next (the next event owes its own).
EVENT_KINDS = frozenset(EVENT_NOTICE_KINDS)


def editor_emails(directive: Directive) -> list[str]:
    """Return the addresses of the active editors of ``directive``'s lead agencies or their departments.

    An editor of a department edits for its components (``agencies.access``), so the editors of DHS
    hear about what CISA leads.
    """
    lead_ids = Involvement.objects.filter(directive=directive, role=Involvement.Role.LEAD).values("agency_id")
    acting_for = Agency.objects.filter(id__in=lead_ids).with_departments()
    users = get_user_model().objects.filter(
        memberships__agency__in=acting_for, memberships__role=Membership.Role.EDITOR
    )
    return active_emails(users)


def recipients_for(notification: Notification, directive: Directive) -> list[str]:
    """Return who ``notification`` goes to: reviewers for an escalation or an extension request, the
    requester for a decision, else the leads' editors."""
    if notification.kind in (Notification.Kind.ESCALATION, Notification.Kind.EXTENSION_REQUESTED):
        return reviewer_emails()
    if notification.kind == Notification.Kind.EXTENSION_DECIDED:
        request = extension_request_of(notification)
        return active_emails(get_user_model().objects.filter(pk=request.requested_by_id)) if request else []
    if notification.kind in EVENT_KINDS:
        return event_watchers(notification, directive)
    return editor_emails(directive)


def event_watchers(notification: Notification, directive: Directive) -> list[str]:
    """Return who may hear of what an event of ``directive`` did: the leads' editors, the oversight
    reviewers and the staff, but not the person who did it. Each hears only if they asked
    (``NotificationPreference``: these kinds are off unless chosen)."""
    event = notification.event
    actor_id = event.actor_id if event is not None else None
    actor_emails = set(active_emails(get_user_model().objects.filter(pk=actor_id))) if actor_id else set()
    staff = active_emails(get_user_model().objects.filter(is_staff=True))
    everyone = {*editor_emails(directive), *reviewer_emails(), *staff}
    return sorted(everyone - actor_emails)


def extension_request_of(notification: Notification) -> ExtensionRequest | None:
    """Return the newest request of ``notification``'s directive for the date it is about."""
    return (
        ExtensionRequest.objects.filter(
            directive_id=notification.directive_id, requested_due_on=notification.due_on
        )
        .select_related("requested_by", "decided_by")
        .order_by("-created", "-id")
        .first()
    )


def current_directive(notification: Notification) -> Directive:
    """Return ``notification``'s directive as it is now, with its agencies."""
    return Directive.objects.with_agencies().get(pk=notification.directive_id)


def obsolete_reason(notification: Notification, directive: Directive) -> str | None:
    """Return why ``notification`` stopped being true, or None if it holds.

    Completed, or rescinded by a later order (any status that ends the duty, ``CLOSED_STATUSES``), or
    its deadline moved (the new one owes notices of its own), or, for a reminder, its deadline passed
    before it could go out: "1 day left" after the deadline would be false, and the overdue notice
    says what is true then. A notice about an extension request holds whatever happens meanwhile
    (the decision's notice says what was decided).
    """
    if notification.kind in EXTENSION_KINDS or notification.kind in EVENT_KINDS:
        return None
    if directive.status == Status.COMPLETED:
        return f"{directive.ref} was completed before the notice went out."
    if not directive.is_open:
        return f"{directive.ref} was {directive.get_status_display().lower()} before the notice went out."
    if directive.due_on != notification.due_on:
        return f"The deadline of {directive.ref} moved from {notification.due_on} to {directive.due_on}."
    if notification.kind == Notification.Kind.REMINDER and directive.is_own_overdue(timezone.now()):
        return f"The deadline of {directive.ref} passed before the reminder went out."
    return None


def directive_url(directive: Directive) -> str:
    """Return the absolute link to the directive's page (``/directives/<id>/``, the staff pages)."""
    return f"{settings.SITE_URL.rstrip('/')}/directives/{directive.pk}/"


def message_id(delivery: Delivery) -> str:
    """Return the delivery's ``Message-ID``: the same on every attempt, so a copy is recognisable."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<orderctl.delivery.{delivery.pk}@{domain}>"


UNSUBSCRIBE_SALT = "orderctl.notify.unsubscribe"


def unsubscribe_token(address: str) -> str:
    """Return the signed token of the unsubscribe link for ``address`` (no expiry: RFC 8058 links last)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(address.lower(), compress=True)


def address_of_unsubscribe_token(token: str) -> str | None:
    """Return the address ``token`` was made for, or None when it is not one of ours."""
    try:
        address = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return address if isinstance(address, str) else None


def unsubscribe_url(address: str) -> str:
    """Return the one-click unsubscribe link for ``address`` (``List-Unsubscribe``, RFC 8058)."""
    return f"{settings.SITE_URL.rstrip('/')}/notifications/unsubscribe/{unsubscribe_token(address)}/"


def thread_id(directive: Directive) -> str:
    """Return the ``Message-ID`` every notice about ``directive`` refers to, so mail programs thread them.

    No email carries it: it names the conversation (the directive), as a first message would.
    """
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<orderctl.directive.{directive.pk}@{domain}>"


def local_time(instant: dt.datetime, zone: str) -> str:
    """Return ``instant`` as read in the time zone ``zone`` (an IANA name), in the pages' one format
    (``DATETIME_FORMAT``, orderctl/formats), the zone named: "Mon 2026-12-07 09:05 CST (America/Chicago)".
    """
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %Y-%m-%d %H:%M %Z} ({zone})"


def time_zone_of(address: str) -> str:
    """Return the time zone the person with ``address`` chose (their notification settings), else Eastern."""
    zone = (
        NotificationPreference.objects.filter(user__email__iexact=address, user__is_active=True)
        .order_by("user_id")
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone or DEFAULT_TIME_ZONE


def _item(notification: Notification, directive: Directive, now: dt.datetime, zone: str) -> dict[str, Any]:
    """Return what a message says of one notice (times of events in ``zone``)."""
    event = notification.event if notification.kind in EVENT_KINDS else None
    return {
        "notification": notification,
        "directive": directive,
        "order": directive.order,
        "leads": ", ".join(a.abbreviation for a in directive.lead_agencies) or "no agency",
        "due_on": notification.due_on,
        "days_before": -notification.offset_days,
        "days_overdue": directive.days_overdue(now),
        "url": directive_url(directive),
        "request": extension_request_of(notification) if notification.kind in EXTENSION_KINDS else None,
        "event": event,
        "when": local_time(event.created, zone) if event is not None else "",
    }


# The digest's sections, in this order: what is late first.
SECTIONS = (
    (Notification.Kind.EXTENSION_REQUESTED, "Extension requests waiting for a reviewer's decision"),
    (Notification.Kind.EXTENSION_DECIDED, "Your extension requests, decided"),
    (Notification.Kind.ESCALATION, "Escalated to oversight: still open a week or more after the deadline"),
    (Notification.Kind.OVERDUE, "Overdue: the deadline passed unmet"),
    (Notification.Kind.REMINDER, "Due soon"),
    (Notification.Kind.COMPLETED, "Completed"),
    (Notification.Kind.STATUS_CHANGED, "Status changed"),
    (Notification.Kind.REVIEW_RECORDED, "Reviews recorded"),
)


REVIEWER_KINDS = frozenset({Notification.Kind.ESCALATION, Notification.Kind.EXTENSION_REQUESTED})
EDITOR_KINDS = frozenset({Notification.Kind.REMINDER, Notification.Kind.OVERDUE})


@dataclass(frozen=True)
class Rendered:
    """What an email of notices says: its subject, plain text and HTML, and the directives it is about."""

    subject: str
    text: str
    html: str
    directives: tuple[Directive, ...]


def render(notifications: list[Notification], zone: str = DEFAULT_TIME_ZONE) -> tuple[str, str]:
    """Return the subject and plain-text body of an email carrying ``notifications`` to one person."""
    rendered = render_email(notifications, zone)
    return rendered.subject, rendered.text


def render_email(notifications: list[Notification], zone: str = DEFAULT_TIME_ZONE) -> Rendered:
    """Return what an email carrying ``notifications`` to one person says, as plain text and HTML.

    One notice reads as it always did (its kind's own template); several are a digest, by kind. The
    HTML part (``emails/notice.html``) lists the same notices, each with its link and deadline. The
    times of events are printed in ``zone``, the recipient's (deadlines end at midnight Eastern).
    """
    now = timezone.now()
    items = [_item(n, current_directive(n), now, zone) for n in notifications]
    context: dict[str, Any] = {"site_url": settings.SITE_URL}
    if len(items) == 1:
        context |= items[0]
        template = f"emails/{items[0]['notification'].kind}"
    else:
        sections = [(title, [i for i in items if i["notification"].kind == kind]) for kind, title in SECTIONS]
        context |= {"sections": [(title, rows) for title, rows in sections if rows], "count": len(items)}
        counts = [
            f"{len(rows)} {label}"
            for (kind, _), (_, rows), label in zip(
                SECTIONS,
                sections,
                (
                    "extension requested",
                    "extension decided",
                    "escalated",
                    "overdue",
                    "due soon",
                    "completed",
                    "status changed",
                    "reviewed",
                ),
                strict=True,
            )
            if rows
        ]
        orders = sorted({i["order"].number for i in items})
        context |= {
            "summary": ", ".join(counts),
            "orders": ", ".join(f"EO {n}" for n in orders),
            "reviewer": any(i["notification"].kind == Notification.Kind.ESCALATION for i in items),
            "extensions": any(i["notification"].kind == Notification.Kind.EXTENSION_REQUESTED for i in items),
            "editor": any(i["notification"].kind in EDITOR_KINDS for i in items),
        }
        template = "emails/digest"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(
        "emails/notice.html", context | {"subject": subject, "items": items, "single": len(items) == 1}
    )
    return Rendered(subject, text, html, tuple(i["directive"] for i in items))


def send_delivery(delivery: Delivery, notifications: list[Notification]) -> str:
    """Email ``notifications`` to ``delivery``'s recipient through the configured backend; return the
    mail server's 250 reply when the backend reports it (``directives.notices.mail.EmailBackend``), else "".

    Any error of the backend propagates, for the dispatcher to read (``mail.read_answer``).
    """
    rendered = render_email(notifications, time_zone_of(delivery.recipient))
    headers = {
        "Message-ID": message_id(delivery),
        # RFC 3834: written by a program, so mail systems send no out-of-office or bounce replies to it.
        "Auto-Submitted": "auto-generated",
        # RFC 2369 and 8058: the mail program's own "Unsubscribe" button, one click, no sign-in.
        "List-Unsubscribe": f"<{unsubscribe_url(delivery.recipient)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if len({d.pk for d in rendered.directives}) == 1:
        # Every notice about one directive refers to the same conversation, so they are threaded.
        headers["In-Reply-To"] = headers["References"] = thread_id(rendered.directives[0])
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()
    return str(getattr(message, "smtp_reply", ""))
