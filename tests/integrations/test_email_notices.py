"""Notice emails as mail programs read them: parsed back with Python's ``email`` package, multipart
(plain text and HTML, each with the directive's link and deadline), marked auto-generated, threaded per
directive, and with a one-click unsubscribe (RFC 8058) that works without a session."""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy
from email.message import EmailMessage

import pytest
import time_machine
from django.core import mail

from directives import actions
from directives.actions.preferences import preference_of
from directives.models import Notification

JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)  # 2(c)(ii) falls overdue
AUGUST_1_ENDS = dt.datetime(2026, 8, 2, 4, 0, tzinfo=dt.UTC)


def overdue_emails(ref: str, instant: dt.datetime = JULY_2_ENDS) -> list[EmailMessage]:
    """Flag what is overdue at ``instant``, keep ``ref``'s notice, send it; return the emails as parsed."""
    mail.outbox.clear()
    with time_machine.travel(instant, tick=False):
        actions.flag_overdue(actor=None)
        Notification.objects.exclude(directive__ref=ref).delete()
        actions.dispatch_notifications()
    return [email.message_from_bytes(m.message().as_bytes(), policy=policy.default) for m in mail.outbox]


def unsubscribe_header(message: EmailMessage) -> str:
    # A long header may be folded before its first word (RFC 5322 2.2.3); the parser keeps the space.
    return str(message["List-Unsubscribe"]).strip()


def to(messages: list[EmailMessage], address: str) -> EmailMessage:
    [found] = [m for m in messages if m["To"] == address]
    return found


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://orderctl.example.gov"


def test_a_notice_has_a_plain_text_and_an_html_part_with_the_link_and_deadline(
    site, directive, cisa_editor, dhs_editor
):
    d = directive("2(c)(ii)")
    message = to(overdue_emails("2(c)(ii)"), "cisa-editor@example.com")
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    link = f"https://orderctl.example.gov/directives/{d.pk}/"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert link in text and "Thu 2026-07-02" in text
    assert f'<a href="{link}"' in html
    assert '<time datetime="2026-07-02">Thu 2026-07-02</time>' in html
    assert '<html lang="en">' in html
    assert "<h2" in html and "sec. 2(c)(ii)" in html


def test_a_notice_is_marked_auto_generated_and_offers_one_click_unsubscribe(site, directive, cisa_editor):
    message = to(overdue_emails("2(c)(ii)"), "cisa-editor@example.com")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<https://orderctl\.example\.gov/notifications/unsubscribe/[\w:.-]+/>", unsubscribe_header(message)
    )


def test_notices_about_one_directive_are_one_thread(site, directive, cisa_editor, admin_user):
    d = directive("2(c)(ii)")
    first = to(overdue_emails("2(c)(ii)"), "cisa-editor@example.com")
    with time_machine.travel(dt.datetime(2026, 7, 10, 15, 0, tzinfo=dt.UTC), tick=False):
        actions.extend_deadline(d, dt.date(2026, 8, 1), actor=admin_user, justification="OMB agreed.")
    second = to(overdue_emails("2(c)(ii)", AUGUST_1_ENDS), "cisa-editor@example.com")
    thread = f"<orderctl.directive.{d.pk}@orderctl.example.gov>"
    for message in (first, second):
        assert message["In-Reply-To"] == message["References"] == thread
    assert first["Message-ID"] != second["Message-ID"]


# What a person who never chose gets by email: every kind but the notices of events, which are asked for.
UNASKED = ["reminder", "overdue", "escalation", "extension_requested", "extension_decided"]


def test_one_click_unsubscribe_stops_the_emails_without_a_session(
    site, client, directive, cisa_editor, dhs_editor, admin_user
):
    message = to(overdue_emails("2(c)(ii)"), "cisa-editor@example.com")
    path = unsubscribe_header(message).strip("<>").removeprefix("https://orderctl.example.gov")
    asked = client.get(path)  # a mail scanner following the link changes nothing
    assert asked.status_code == 200
    assert "Stop these emails" in asked.content.decode()
    assert preference_of(cisa_editor).kinds == UNASKED
    # What a mail program sends for its Unsubscribe button (RFC 8058 section 3.2).
    done = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    assert "no more deadline notices" in done.content.decode()
    assert preference_of(cisa_editor).kinds == []
    d = directive("2(c)(ii)")
    with time_machine.travel(dt.datetime(2026, 7, 10, 15, 0, tzinfo=dt.UTC), tick=False):
        actions.extend_deadline(d, dt.date(2026, 8, 1), actor=admin_user, justification="OMB agreed.")
    later = overdue_emails("2(c)(ii)", AUGUST_1_ENDS)
    assert [m["To"] for m in later] == ["dhs-editor@example.com"]  # still told; the CISA editor not


def test_a_tampered_unsubscribe_link_is_refused_and_changes_nothing(site, client, directive, cisa_editor):
    message = to(overdue_emails("2(c)(ii)"), "cisa-editor@example.com")
    path = unsubscribe_header(message).strip("<>").removeprefix("https://orderctl.example.gov")
    tampered = path.replace("/unsubscribe/", "/unsubscribe/x")
    refused = client.post(tampered, {"List-Unsubscribe": "One-Click"})
    assert refused.status_code == 400
    assert "not valid" in refused.content.decode()
    assert client.post(path, {}).status_code == 400  # not the one-click body
    assert preference_of(cisa_editor).kinds == UNASKED
