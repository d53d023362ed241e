"""What a webhook says of a notice, in each delivery format, and how it is signed.

Three formats (``WebhookSubscription.Format``):

- **standard**: a JSON event ``{"type", "timestamp", "data"}`` signed per the Standard Webhooks
  specification (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``), through the
  ``standardwebhooks`` package, so any receiver with the secret verifies it with that package.
- **teams**: a Microsoft Teams Workflows ("When a Teams webhook request is received") message carrying
  one Adaptive Card (schema 1.4). The headline and the title are ``TextRun``s of a ``RichTextBlock``,
  which Adaptive Cards never read as Markdown, so a title's ``*``, ``_`` or ``[x](y)`` shows as written.
- **slack**: a Slack incoming-webhook message with Block Kit blocks and a plain ``text`` fallback; our
  text in mrkdwn (the fallback included) has ``&``, ``<`` and ``>`` escaped, as Slack asks.

The standard event's ``timestamp`` is when the event happened (the history event the notice is about,
or when the notice fell due), the same on every retry; the ``webhook-timestamp`` header is the send
time, which the signature covers and receivers check for freshness.

Teams and Slack do not check signatures, but every format carries the same signed headers, so a
relay in between can. No format carries notes or evidence: a notice says what is due, not what was said.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.conf import settings
from standardwebhooks.webhooks import Webhook

from directives import deadlines
from directives.models import Directive, Notification
from directives.models.outreach import WebhookSubscription
from directives.queries.public_status import public_status, review_status

from .notify import directive_url

# Keyed by the notice's kind as stored (a str; the Kind members are those strings).
EVENT_TYPES: dict[str, str] = {
    Notification.Kind.REMINDER: "directive.deadline_approaching",
    Notification.Kind.OVERDUE: "directive.overdue",
    Notification.Kind.ESCALATION: "directive.escalated",
    Notification.Kind.EXTENSION_REQUESTED: "directive.extension_requested",
    Notification.Kind.EXTENSION_DECIDED: "directive.extension_decided",
    Notification.Kind.STATUS_CHANGED: "directive.status_changed",
    Notification.Kind.COMPLETED: "directive.completed",
    Notification.Kind.REVIEW_RECORDED: "directive.review_recorded",
}
HEADLINES: dict[str, str] = {
    Notification.Kind.REMINDER: "Deadline approaching",
    Notification.Kind.OVERDUE: "Overdue: the deadline passed unmet",
    Notification.Kind.ESCALATION: "Escalated to oversight",
    Notification.Kind.EXTENSION_REQUESTED: "Extension requested",
    Notification.Kind.EXTENSION_DECIDED: "Extension request decided",
    Notification.Kind.STATUS_CHANGED: "Status changed",
    Notification.Kind.COMPLETED: "Completed",
    Notification.Kind.REVIEW_RECORDED: "Review recorded",
}


def new_secret() -> str:
    """Return a new signing secret in the specification's form: ``whsec_`` and 32 random bytes, base64."""
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def event_data(notification: Notification, directive: Directive) -> dict[str, Any]:
    """Return the facts of one notice, shared by every format."""
    due = notification.due_on
    return {
        "notice_id": notification.pk,
        "kind": notification.kind,
        "order": directive.order.number,
        "directive": directive.ref,
        "title": directive.title,
        "lead_agencies": [a.abbreviation for a in directive.lead_agencies],
        "due_on": due.isoformat(),
        "due_at": deadlines.end_of_day(due).isoformat(),
        "days_from_deadline": notification.offset_days,
        "status": public_status(directive),
        "review_status": review_status(directive),
        "url": directive_url(directive),
    }


def _headline(notification: Notification, directive: Directive) -> str:
    return f"{HEADLINES[notification.kind]}: EO {directive.order.number} sec. {directive.ref}"


def _facts(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Due", f"{data['due_on']} (end of the day, Eastern Time)"),
        ("Lead", ", ".join(data["lead_agencies"]) or "no agency"),
        ("Status", data["status"].replace("_", " ")),
    ]


def event_time(notification: Notification) -> dt.datetime:
    """Return when the notice's event happened: its history event's time, else when it fell due.

    A deadline notice is written by the sweep in the transaction that finds it owed, so its ``created``
    is the moment it became true; an extension notice points at the request's or decision's event.
    """
    event = notification.event  # None, without a query, when the notice has no history event
    return event.created if event is not None else notification.created


def standard_body(notification: Notification, directive: Directive) -> dict[str, Any]:
    return {
        "type": EVENT_TYPES[notification.kind],
        "timestamp": event_time(notification).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": event_data(notification, directive),
    }


def teams_body(notification: Notification, directive: Directive) -> dict[str, Any]:
    """Return a Teams Workflows message: one Adaptive Card attachment."""
    data = event_data(notification, directive)
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "RichTextBlock",
                "inlines": [
                    {
                        "type": "TextRun",
                        "text": _headline(notification, directive),
                        "weight": "Bolder",
                        "size": "Medium",
                    }
                ],
            },
            {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": directive.title}]},
            {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in _facts(data)]},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open the directive", "url": data["url"]}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(notification: Notification, directive: Directive) -> dict[str, Any]:
    """Return a Slack incoming-webhook message: blocks, and ``text`` for notifications and old clients."""
    data = event_data(notification, directive)
    headline = _headline(notification, directive)
    return {
        "text": _slack_escape(f"{headline}: {directive.title}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": headline[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(directive.title)}},
            {
                "type": "section",
                "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{_slack_escape(v)}"} for k, v in _facts(data)],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the directive"},
                        "url": data["url"],
                    }
                ],
            },
        ],
    }


def body_for(subscription: WebhookSubscription, notification: Notification, directive: Directive) -> str:
    """Return the JSON text sent to ``subscription`` about ``notification``."""
    if subscription.format == WebhookSubscription.Format.TEAMS:
        body = teams_body(notification, directive)
    elif subscription.format == WebhookSubscription.Format.SLACK:
        body = slack_body(notification, directive)
    else:
        body = standard_body(notification, directive)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def signed_headers(secrets: list[str], message_id: str, now: dt.datetime, body: str) -> dict[str, str]:
    """Return the Standard Webhooks headers for ``body``: its id, timestamp and a signature by each of
    ``secrets``, space-separated as the specification allows (the current and, after a rotation, the
    previous secret, so a receiver still holding the old one verifies)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": f"orderctl webhooks ({settings.SITE_URL})",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(message_id, now, body) for secret in secrets),
    }


TEST_EVENT_TYPE = "orderctl.test"


def test_body(subscription: WebhookSubscription, now: dt.datetime) -> str:
    """Return a sample message in ``subscription``'s format: what its test button sends."""
    text = f"orderctl test: the subscription {subscription.name!r} reaches this address."
    if subscription.format == WebhookSubscription.Format.TEAMS:
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [{"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text}]}],
        }
        body: dict[str, Any] = {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }
    elif subscription.format == WebhookSubscription.Format.SLACK:
        body = {"text": _slack_escape(text)}
    else:
        body = {
            "type": TEST_EVENT_TYPE,
            "timestamp": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "data": {"subscription": subscription.name, "message": text},
        }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
