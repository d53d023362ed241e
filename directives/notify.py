"""Who a notification goes to, what it says, and sending it through Django's email backend.

The outbox rows and their states belong to ``actions``; this module only turns one claimed row into
one email. Development writes emails to files under ``data/mail`` (or the console), production uses
SMTP from the environment (``EMAIL_*`` settings); templates are in ``templates/emails/``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from agencies.models import Agency, Membership

from . import deadlines
from .models import Directive, Involvement, Notification, Status


class Obsolete(Exception):
    """The notification is no longer true, so it must not be sent; the message says why."""


class NoRecipients(Exception):
    """Nobody is there to receive the notification (yet): the send fails and is retried later."""


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
    return _addresses(users)


def reviewer_emails() -> list[str]:
    """Return the addresses of the active oversight reviewers."""
    return _addresses(get_user_model().objects.filter(oversight_reviewer__isnull=False))


def _addresses(users) -> list[str]:
    emails = users.filter(is_active=True).exclude(email="").values_list("email", flat=True).distinct()
    unique = {email.strip().lower(): email.strip() for email in emails}
    return sorted(unique.values(), key=str.lower)


def recipients_for(notification: Notification) -> list[str]:
    """Return who ``notification`` goes to: reviewers for an escalation, else the leads' editors."""
    if notification.kind == Notification.Kind.ESCALATION:
        return reviewer_emails()
    return editor_emails(notification.directive)


def directive_url(directive: Directive) -> str:
    """Return the absolute link to the directive's page (``/directives/<id>/``, the staff pages)."""
    return f"{settings.SITE_URL.rstrip('/')}/directives/{directive.pk}/"


def _message_id(notification: Notification) -> str:
    # The same for every attempt, so a copy sent again after a crash is recognisable as one.
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<orderctl.notification.{notification.pk}@{domain}>"


def render(notification: Notification) -> tuple[str, str]:
    """Return the subject and plain-text body of ``notification``."""
    directive = notification.directive
    now = timezone.now()
    context = {
        "notification": notification,
        "directive": directive,
        "order": directive.order,
        "leads": ", ".join(a.abbreviation for a in directive.lead_agencies) or "no agency",
        "due_on": notification.due_on,
        "due_at_eastern": deadlines.end_of_day(notification.due_on),
        "days_before": -notification.offset_days,
        "days_overdue": directive.days_overdue(now),
        "url": directive_url(directive),
        "site_url": settings.SITE_URL,
    }
    template = f"emails/{notification.kind}"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    return subject, body


def send_notification(notification: Notification) -> list[str]:
    """Email ``notification`` to its recipients through the configured backend; return the addresses.

    Raise ``Obsolete`` when the directive was completed or its deadline moved since the notice was
    owed, and ``NoRecipients`` when nobody is there to tell; any error of the backend propagates.
    """
    directive = Directive.objects.with_agencies().get(pk=notification.directive_id)
    notification.directive = directive
    if directive.status == Status.COMPLETED:
        raise Obsolete(f"{directive.ref} was completed before the notice went out.")
    if directive.due_on != notification.due_on:
        raise Obsolete(
            f"The deadline of {directive.ref} moved from {notification.due_on} to {directive.due_on}."
        )
    recipients = recipients_for(notification)
    if not recipients:
        who = "oversight reviewers" if notification.kind == Notification.Kind.ESCALATION else "lead editors"
        raise NoRecipients(f"No active {who} with an email address for {directive.ref}.")
    subject, body = render(notification)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={"Message-ID": _message_id(notification)},
    ).send()
    return recipients
