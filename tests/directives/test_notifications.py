"""The notification outbox and its dispatcher: who gets what, once, one email each, and failures."""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction

from agencies.models import Agency, Membership
from directives import actions
from directives.models import Delivery, Notification, Status

JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)
AUGUST_1_ENDS = dt.datetime(2026, 8, 2, 4, 0, tzinfo=dt.UTC)
SEVEN_DAYS_OVERDUE = dt.datetime(2026, 7, 9, 4, 0, tzinfo=dt.UTC)


def at(instant: dt.datetime):
    return time_machine.travel(instant, tick=False)


def dispatch(instant: dt.datetime) -> actions.DispatchReport:
    with at(instant):
        return actions.dispatch_notifications()


def only(ref: str) -> None:
    """Keep the outbox to ``ref``'s notifications, so a test reads one email."""
    Notification.objects.exclude(directive__ref=ref).delete()


def sent_to(ref: str) -> list[str]:
    """Return who got an email about ``ref``: each email goes to one person."""
    assert all(len(m.to) == 1 for m in mail.outbox)
    return sorted(m.to[0] for m in mail.outbox if f"sec. {ref}" in m.body)


def test_an_overdue_notice_goes_to_the_lead_agency_and_its_department(
    directive, cisa_editor, dhs_editor, treasury_editor, oncd_editor, reviewer, outsider
):
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
    only("2(c)(ii)")
    report = dispatch(JULY_2_ENDS)
    assert len(report.sent) == 1
    assert len(report.emails) == 2  # one each: nobody sees the others' addresses
    assert sent_to("2(c)(ii)") == ["cisa-editor@example.com", "dhs-editor@example.com"]
    notice = Notification.objects.get()
    assert notice.state == Notification.State.SENT
    assert notice.sent_at == JULY_2_ENDS
    assert notice.attempts == 1
    assert notice.recipients == ["cisa-editor@example.com", "dhs-editor@example.com"]


def test_the_email_says_what_is_overdue_and_links_to_the_directive(directive, cisa_editor, settings):
    settings.SITE_URL = "https://orderctl.example.gov"
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
    only("2(c)(ii)")
    dispatch(JULY_2_ENDS)
    [message] = mail.outbox
    d = directive("2(c)(ii)")
    assert message.subject == "Overdue: EO 14409 sec. 2(c)(ii) was due Thu 2026-07-02"
    assert f"https://orderctl.example.gov/directives/{d.pk}/" in message.body
    assert "Lead: CISA" in message.body
    assert message.to == ["cisa-editor@example.com"]
    assert message.extra_headers["Message-ID"] == (
        f"<orderctl.delivery.{Delivery.objects.get().pk}@orderctl.example.gov>"
    )


def test_joint_leads_are_all_told(directive, treasury_editor, cisa_editor):
    nsa_editor = get_user_model().objects.create_user("nsa-editor", "nsa-editor@example.com", "pw")
    Membership.objects.create(
        user=nsa_editor, agency=Agency.objects.get(abbreviation="NSA"), role=Membership.Role.EDITOR
    )
    with at(AUGUST_1_ENDS):
        actions.flag_overdue(actor=None)
    only("3(a)")
    dispatch(AUGUST_1_ENDS)
    assert sent_to("3(a)") == [
        "cisa-editor@example.com",
        "nsa-editor@example.com",
        "treasury-editor@example.com",
    ]
    assert "Sat 2026-08-01" in mail.outbox[0].subject


def test_viewers_inactive_editors_and_editors_without_an_address_are_not_told(directive, cisa_editor):
    cisa = Agency.objects.get(abbreviation="CISA")
    User = get_user_model()
    viewer = User.objects.create_user("cisa-viewer", "cisa-viewer@example.com", "pw")
    Membership.objects.create(user=viewer, agency=cisa, role=Membership.Role.VIEWER)
    gone = User.objects.create_user("cisa-gone", "cisa-gone@example.com", "pw", is_active=False)
    Membership.objects.create(user=gone, agency=cisa, role=Membership.Role.EDITOR)
    blank = User.objects.create_user("cisa-blank", "", "pw")
    Membership.objects.create(user=blank, agency=cisa, role=Membership.Role.EDITOR)
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
    only("2(c)(ii)")
    dispatch(JULY_2_ENDS)
    assert sent_to("2(c)(ii)") == ["cisa-editor@example.com"]


def test_an_escalation_goes_to_the_oversight_reviewers_only(directive, reviewer, cisa_editor):
    with at(SEVEN_DAYS_OVERDUE):
        actions.escalate_overdue(actor=None)
    only("2(c)(ii)")
    dispatch(SEVEN_DAYS_OVERDUE)
    assert sent_to("2(c)(ii)") == ["reviewer@example.com"]
    assert mail.outbox[0].subject == "Escalation: EO 14409 sec. 2(c)(ii) is 7 days overdue (CISA)"


def test_a_reminder_says_how_many_days_are_left(directive, cisa_editor):
    with at(JULY_2_ENDS - dt.timedelta(days=1)):
        actions.send_reminders(actor=None)
    only("2(c)(ii)")
    dispatch(JULY_2_ENDS - dt.timedelta(days=1))
    [message] = mail.outbox
    assert message.subject == "Reminder: EO 14409 sec. 2(c)(ii) is due in 1 day (Thursday, July 2)"


def test_two_sweeps_and_two_dispatches_send_each_person_one_email_of_every_notice(order, cisa_editor):
    for minutes in (0, 1):
        instant = JULY_2_ENDS + dt.timedelta(minutes=minutes)
        with at(instant):
            actions.flag_overdue(actor=None)
        dispatch(instant)
    # CISA leads the three parts of 2(c); the parent is told through them, so it owes no notice.
    [email] = mail.outbox
    assert email.to == ["cisa-editor@example.com"]
    assert email.subject == "orderctl: 3 overdue (EO 14409)"
    assert email.body.startswith("3 directives need attention: 3 overdue.")
    for ref in ("2(c)(i)", "2(c)(ii)", "2(c)(iii)"):
        assert f"Executive Order 14409, sec. {ref}: " in email.body
    assert "sec. 2(c):" not in email.body
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 3
    assert not Notification.objects.filter(directive__ref="2(c)").exists()


def test_ten_directives_overdue_at_once_are_one_email_to_each_editor(
    order, cisa_editor, treasury_editor, dhs_editor
):
    with at(AUGUST_1_ENDS):
        actions.flag_overdue(actor=None)
        actions.escalate_overdue(actor=None)
    report = dispatch(AUGUST_1_ENDS)
    per_person = {m.to[0]: m for m in mail.outbox}
    assert sorted(per_person) == [
        "cisa-editor@example.com",
        "dhs-editor@example.com",
        "treasury-editor@example.com",
    ]
    assert len(mail.outbox) == 3 and len(report.emails) == 3
    treasury = per_person["treasury-editor@example.com"].body
    # 2(d) (July 2) and, jointly led, 3(a) and 3(b) (August 1).
    assert [ref for ref in ("2(d)", "3(a)", "3(b)", "2(c)(i)") if f"sec. {ref}:" in treasury] == [
        "2(d)",
        "3(a)",
        "3(b)",
    ]
    cisa = per_person["cisa-editor@example.com"]
    assert cisa.subject == "orderctl: 5 overdue (EO 14409)"


def test_a_reviewer_gets_the_escalations_as_one_email(order, reviewer, cisa_editor):
    with at(SEVEN_DAYS_OVERDUE):
        actions.flag_overdue(actor=None)
        actions.escalate_overdue(actor=None)
    dispatch(SEVEN_DAYS_OVERDUE)
    [to_reviewer] = [m for m in mail.outbox if m.to == ["reviewer@example.com"]]
    # Seven trackable items due July 2 and open: 2(a), 2(b), 2(c)(i)-(iii), 2(d), 2(e).
    assert to_reviewer.subject == "orderctl: 7 escalated (EO 14409)"
    assert "You receive the escalations as an oversight reviewer" in to_reviewer.body
    assert "edit for a lead agency" not in to_reviewer.body


def test_a_sent_notification_is_never_sent_again(order, cisa_editor):
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
    only("2(c)(ii)")
    dispatch(JULY_2_ENDS)
    for days in (1, 30, 365):
        assert dispatch(JULY_2_ENDS + dt.timedelta(days=days)).sent == []
    assert len(mail.outbox) == 1


def test_a_notice_that_stopped_being_true_is_cancelled_not_sent(directive, cisa_editor, admin_user):
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
        actions.extend_deadline(
            directive("2(c)(iii)"), dt.date(2026, 8, 1), actor=admin_user, justification="x"
        )
    Notification.objects.exclude(directive__ref__in=["2(c)(ii)", "2(c)(iii)"]).delete()
    report = dispatch(JULY_2_ENDS)
    # The two overdue notices, and the notice of the completion, which nobody asked for.
    assert len(report.cancelled) == 3
    assert mail.outbox == []
    assert Notification.objects.get(kind="completed").last_error == (
        "Nobody it goes to asked for notices of this kind (completed)."
    )
    states = dict(Notification.objects.filter(kind="overdue").values_list("directive__ref", "last_error"))
    assert states["2(c)(ii)"] == "2(c)(ii) was completed before the notice went out."
    assert states["2(c)(iii)"] == "The deadline of 2(c)(iii) moved from 2026-07-02 to 2026-08-01."


def test_with_nobody_to_tell_it_waits_with_a_clear_error_and_retries_later(directive):
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
    only("2(c)(ii)")
    report = dispatch(JULY_2_ENDS)
    assert len(report.waiting) == 1
    notice = Notification.objects.get()
    assert notice.state == Notification.State.PENDING
    assert notice.last_error == "NoRecipients: No active lead editors with an email address for 2(c)(ii)."
    assert notice.next_attempt_at == JULY_2_ENDS + dt.timedelta(seconds=60)
    # An editor joins; the retry finds them.
    get_user_model().objects.create_user("late-editor", "late@example.com", "pw").memberships.create(
        agency=Agency.objects.get(abbreviation="CISA"), role=Membership.Role.EDITOR
    )
    assert dispatch(JULY_2_ENDS + dt.timedelta(seconds=59)).sent == []
    assert len(dispatch(JULY_2_ENDS + dt.timedelta(seconds=60)).sent) == 1
    assert sent_to("2(c)(ii)") == ["late@example.com"]


def test_waiting_backs_off_exponentially_to_six_hours_and_never_gives_up(directive, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
    only("2(c)(ii)")
    instant = JULY_2_ENDS
    waits = []
    for _ in range(14):
        report = dispatch(instant)
        assert report.refused == []
        notice = Notification.objects.get()
        waits.append((notice.next_attempt_at - instant).total_seconds())
        instant = notice.next_attempt_at
    assert waits[:4] == [60, 120, 240, 480]
    assert waits[-5:] == [6 * 3600] * 5  # capped, for ever
    assert (notice.state, notice.attempts) == (Notification.State.PENDING, 14)
    assert dispatch(instant).waiting == [notice.pk]


def test_an_unreachable_mail_server_is_retried_every_minute_and_never_given_up(
    directive, cisa_editor, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = "directives.notices.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
        "127.0.0.1",
        9,
        False,
    )  # discard: refused
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
    only("2(c)(ii)")
    instant, waits = JULY_2_ENDS, []
    for _ in range(5):
        report = dispatch(instant)
        assert (len(report.deferred), report.refused) == (1, [])
        delivery = Delivery.objects.get()
        waits.append((delivery.next_attempt_at - instant).total_seconds())
        instant = delivery.next_attempt_at
    assert waits == [60] * 5  # an outage is tried again each minute, however long it lasts
    assert "ConnectionRefusedError" in delivery.last_error
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 5)
    assert list(Delivery.objects.needing_attention()) == [delivery]
    assert Notification.objects.get().state == Notification.State.SENDING


def test_a_notice_that_stops_being_true_before_its_email_is_left_out_of_it(directive, cisa_editor):
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        actions.plan_deliveries()  # the email to cisa-editor carries 2(c)(i), (ii) and (iii)
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    report = dispatch(JULY_2_ENDS)
    [email] = mail.outbox
    assert "sec. 2(c)(i):" in email.body and "sec. 2(c)(iii):" in email.body
    assert "sec. 2(c)(ii)" not in email.body
    overdue = Notification.objects.filter(kind="overdue")
    completed = Notification.objects.get(kind="completed")  # asked for by nobody: cancelled too
    assert sorted(report.cancelled) == sorted([overdue.get(directive__ref="2(c)(ii)").pk, completed.pk])
    states = dict(overdue.filter(directive__ref__startswith="2(c)").values_list("directive__ref", "state"))
    assert states == {"2(c)(i)": "sent", "2(c)(ii)": "cancelled", "2(c)(iii)": "sent"}


def test_dispatch_notifications_command_prints_what_it_did(order, cisa_editor):
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
        out = io.StringIO()
        call_command("dispatch_notifications", stdout=out)
    # Seven trackable items overdue; only CISA's three have an editor to tell, in one email.
    assert out.getvalue() == (
        "3 notices sent in 1 email, 0 emails deferred, 0 refused, 0 unconfirmed, 0 database errors, "
        "4 notices waiting for someone to tell (will retry), 0 cancelled as no longer true.\n"
    )


def test_flag_overdue_and_send_reminders_commands_print_what_they_did(order):
    out = io.StringIO()
    with at(JULY_2_ENDS):
        call_command("flag_overdue", stdout=out)
        call_command("flag_overdue", stdout=out)
    lines = out.getvalue().splitlines()
    assert "flagged overdue: EO 14409 sec. 2(c)(ii) (due 2026-07-02)" in lines
    # Seven trackable items: the parent 2(c) is overdue through its parts, which carry the flags.
    assert lines[-2:] == ["7 directives flagged overdue.", "0 directives flagged overdue."]
    out = io.StringIO()
    with at(SEVEN_DAYS_OVERDUE):
        call_command("send_reminders", stdout=out)
    assert "escalation: EO 14409 sec. 2(a) (due 2026-07-02)" in out.getvalue()
    assert out.getvalue().endswith("0 reminders and 7 escalations owed.\n")


def test_the_outbox_refuses_a_second_notice_for_the_same_deadline(directive):
    with at(JULY_2_ENDS):
        actions.flag_overdue(actor=None)
    existing = Notification.objects.get(directive__ref="2(a)")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            directive=existing.directive,
            kind=existing.kind,
            due_on=existing.due_on,
            offset_days=existing.offset_days,
            created=JULY_2_ENDS,
            next_attempt_at=JULY_2_ENDS,
        )
    assert Notification.objects.filter(directive__ref="2(a)").count() == 1
