"""Reminders before a deadline (default 7 days and 1 day) and the escalation a week after it.

The 30-day directives are due Thursday 2026-07-02, whose end is 2026-07-03 04:00 UTC: the 7-day
reminder is due from 2026-06-26 04:00 UTC, the 1-day reminder from 2026-07-02 04:00 UTC, and the
escalation from the start of 2026-07-09 Eastern (04:00 UTC), when they are 7 days overdue.
"""

import datetime as dt

import time_machine

from directives import actions
from directives.models import Directive, DirectiveEvent, Notification, Status
from tests.conftest import _user

JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)
SEVEN_DAYS_BEFORE = JULY_2_ENDS - dt.timedelta(days=7)
ONE_DAY_BEFORE = JULY_2_ENDS - dt.timedelta(days=1)
SEVEN_DAYS_OVERDUE = dt.datetime(2026, 7, 9, 4, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)

# The trackable items due July 2: the parent 2(c) is reminded and escalated through its three parts.
THIRTY_DAY_REFS = {"2(a)", "2(b)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)"}


def remind_at(instant: dt.datetime) -> dict[int, set[str]]:
    """Run the reminder sweep at ``instant``; return the refs reminded, by days before the deadline."""
    with time_machine.travel(instant, tick=False):
        owed = actions.send_reminders(actor=None)
    return {
        days: set(Directive.objects.filter(id__in=ids).values_list("ref", flat=True))
        for days, ids in owed.items()
    }


def escalate_at(instant: dt.datetime) -> set[str]:
    with time_machine.travel(instant, tick=False):
        ids = actions.escalate_overdue(actor=None)
    return set(Directive.objects.filter(id__in=ids).values_list("ref", flat=True))


def reminders(ref: str) -> list[tuple[dt.date, int]]:
    return list(
        Notification.objects.filter(directive__ref=ref, kind=Notification.Kind.REMINDER)
        .order_by("due_on", "offset_days")
        .values_list("due_on", "offset_days")
    )


def test_no_reminder_a_minute_before_its_moment(order):
    assert remind_at(SEVEN_DAYS_BEFORE - MINUTE) == {}
    assert Notification.objects.count() == 0


def test_the_7_day_reminder_is_owed_at_its_moment_and_a_minute_after(order):
    assert remind_at(SEVEN_DAYS_BEFORE) == {7: THIRTY_DAY_REFS}
    assert reminders("2(a)") == [(dt.date(2026, 7, 2), -7)]


def test_the_history_says_a_reminder_was_sent_only_once_the_mail_server_took_it(order, mailoutbox):
    cnss_editor = _user("cnss-editor", editor_of="CNSS")
    remind_at(SEVEN_DAYS_BEFORE)
    notice = Notification.objects.get(directive__ref="2(a)")
    assert (notice.event, DirectiveEvent.objects.filter(kind=DirectiveEvent.Kind.REMINDER_SENT).count()) == (
        None,
        0,
    )
    with time_machine.travel(SEVEN_DAYS_BEFORE + MINUTE, tick=False):
        actions.dispatch_notifications()
    event = DirectiveEvent.objects.get(directive__ref="2(a)", kind=DirectiveEvent.Kind.REMINDER_SENT)
    assert event.created == SEVEN_DAYS_BEFORE + MINUTE
    assert event.note == (
        "Reminder sent to the lead agencies' editors (1 address): 7 days to the deadline of Thu 2026-07-02."
    )
    assert Notification.objects.get(directive__ref="2(a)").event == event
    assert [m.to for m in mailoutbox if "2(a)" in m.subject] == [[cnss_editor.email]]


def test_a_cancelled_reminder_leaves_no_claim_of_sending(order, directive, mailoutbox):
    _user("cnss-editor", editor_of="CNSS")
    remind_at(SEVEN_DAYS_BEFORE)
    with time_machine.travel(SEVEN_DAYS_BEFORE + MINUTE, tick=False):
        actions.change_status(directive("2(a)"), "completed", actor=None)
        report = actions.dispatch_notifications()
    notice = Notification.objects.get(directive__ref="2(a)", kind=Notification.Kind.REMINDER)
    assert notice.id in report.cancelled and notice.state == Notification.State.CANCELLED
    assert not DirectiveEvent.objects.filter(
        directive__ref="2(a)", kind=DirectiveEvent.Kind.REMINDER_SENT
    ).exists()


def test_a_reminder_that_fails_to_send_leaves_no_claim_of_sending(order, settings):
    _user("cnss-editor", editor_of="CNSS")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens
    remind_at(SEVEN_DAYS_BEFORE)
    with time_machine.travel(SEVEN_DAYS_BEFORE + MINUTE, tick=False):
        report = actions.dispatch_notifications()
    assert report.deferred and not report.sent
    assert not DirectiveEvent.objects.filter(kind=DirectiveEvent.Kind.REMINDER_SENT).exists()


def test_the_1_day_reminder_follows_the_7_day_one(order):
    remind_at(SEVEN_DAYS_BEFORE)
    assert remind_at(ONE_DAY_BEFORE - MINUTE) == {}
    assert remind_at(ONE_DAY_BEFORE) == {1: THIRTY_DAY_REFS}
    assert reminders("2(b)") == [(dt.date(2026, 7, 2), -7), (dt.date(2026, 7, 2), -1)]


def test_each_reminder_is_owed_once_however_often_the_sweep_runs(order):
    for hour in range(30):
        remind_at(SEVEN_DAYS_BEFORE + hour * HOUR)
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER).count() == 7


def test_a_reminder_missed_for_less_than_a_day_is_caught_up(order):
    # Beat was down from the day before the moment until 23 hours after it.
    assert remind_at(SEVEN_DAYS_BEFORE + dt.timedelta(hours=23)) == {7: THIRTY_DAY_REFS}


def test_a_reminder_whose_moment_passed_more_than_a_day_ago_is_never_sent(order):
    # Beat was down three days: the "7 days left" reminder would now arrive with 4 days left.
    three_days_late = SEVEN_DAYS_BEFORE + dt.timedelta(days=3)
    assert remind_at(three_days_late) == {}
    assert remind_at(SEVEN_DAYS_BEFORE + dt.timedelta(days=1)) == {}
    assert Notification.objects.count() == 0
    # The next reminder still comes at its own moment.
    assert remind_at(ONE_DAY_BEFORE) == {1: THIRTY_DAY_REFS}


def test_no_reminder_once_the_deadline_has_passed(order):
    assert remind_at(JULY_2_ENDS) == {}
    assert remind_at(JULY_2_ENDS + dt.timedelta(days=30)) == {}


def test_a_completed_directive_gets_no_reminder(directive, cisa_editor):
    with time_machine.travel(SEVEN_DAYS_BEFORE - HOUR, tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    assert "2(c)(ii)" not in remind_at(SEVEN_DAYS_BEFORE)[7]


def test_an_extended_deadline_gets_its_own_reminders(directive, admin_user):
    remind_at(ONE_DAY_BEFORE)
    with time_machine.travel(ONE_DAY_BEFORE + HOUR, tick=False):
        actions.extend_deadline(
            directive("2(a)"), dt.date(2026, 7, 20), actor=admin_user, justification="CNSS asked for time."
        )
    july_20_ends = dt.datetime(2026, 7, 21, 4, 0, tzinfo=dt.UTC)
    assert remind_at(july_20_ends - dt.timedelta(days=7)) == {7: {"2(a)"}}
    assert remind_at(july_20_ends - dt.timedelta(days=1)) == {1: {"2(a)"}}
    assert reminders("2(a)") == [
        (dt.date(2026, 7, 2), -1),
        (dt.date(2026, 7, 20), -7),
        (dt.date(2026, 7, 20), -1),
    ]


def test_reminder_offsets_come_from_settings(order, settings):
    settings.REMINDER_OFFSETS_DAYS = [3]
    assert remind_at(SEVEN_DAYS_BEFORE) == {}
    assert remind_at(JULY_2_ENDS - dt.timedelta(days=3)) == {3: THIRTY_DAY_REFS}
    assert reminders("2(e)") == [(dt.date(2026, 7, 2), -3)]


def test_the_reminder_sweep_queues_a_dispatch_only_when_it_owes_something(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        remind_at(SEVEN_DAYS_BEFORE - MINUTE)
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        remind_at(SEVEN_DAYS_BEFORE)
    assert callbacks == [actions.queue_dispatch]


def test_escalation_waits_until_the_dashboards_count_7_days_overdue(directive, order):
    assert escalate_at(SEVEN_DAYS_OVERDUE - MINUTE) == set()
    with time_machine.travel(SEVEN_DAYS_OVERDUE - MINUTE, tick=False):
        assert directive("2(a)").days_overdue(SEVEN_DAYS_OVERDUE - MINUTE) == 6
    assert escalate_at(SEVEN_DAYS_OVERDUE) == THIRTY_DAY_REFS
    assert directive("2(a)").days_overdue(SEVEN_DAYS_OVERDUE) == 7
    notice = Notification.objects.get(directive__ref="2(a)", kind=Notification.Kind.ESCALATION)
    assert (notice.due_on, notice.offset_days) == (dt.date(2026, 7, 2), 7)
    assert notice.event is None  # owed, not sent: the history says nothing yet


def test_the_history_says_an_escalation_was_sent_once_the_reviewers_got_it(order, reviewer, mailoutbox):
    escalate_at(SEVEN_DAYS_OVERDUE)
    with time_machine.travel(SEVEN_DAYS_OVERDUE + MINUTE, tick=False):
        actions.dispatch_notifications()
    notice = Notification.objects.get(directive__ref="2(a)", kind=Notification.Kind.ESCALATION)
    event = DirectiveEvent.objects.get(directive__ref="2(a)", kind=DirectiveEvent.Kind.ESCALATED)
    assert notice.event == event
    assert event.note == (
        "Escalation sent to the oversight reviewers (1 address): still open 7 or more days after the "
        "deadline of Thu 2026-07-02."
    )


def test_escalation_happens_once_per_deadline(order):
    escalate_at(SEVEN_DAYS_OVERDUE)
    assert escalate_at(SEVEN_DAYS_OVERDUE + MINUTE) == set()
    # Forty days on, only the 60-day directives are new to escalate (Sec. 3 through its parts).
    assert escalate_at(SEVEN_DAYS_OVERDUE + dt.timedelta(days=40)) == {"2(f)", "3(a)", "3(b)"}
    assert escalate_at(SEVEN_DAYS_OVERDUE + dt.timedelta(days=41)) == set()
    assert Notification.objects.filter(kind=Notification.Kind.ESCALATION).count() == 10


def test_an_escalation_missed_during_an_outage_is_sent_late_not_never(order):
    assert escalate_at(SEVEN_DAYS_OVERDUE + dt.timedelta(days=12)) == THIRTY_DAY_REFS


def test_a_directive_completed_within_the_week_is_not_escalated(directive, cisa_editor):
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(days=3), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    assert "2(c)(ii)" not in escalate_at(SEVEN_DAYS_OVERDUE)


# --- Daylight saving: reminders keep the deadline's Eastern wall-clock time ----------------------------
# Clocks go back on Sunday 2026-11-01 and forward on Sunday 2027-03-14. A deadline of Thursday
# 2026-11-05 ends at midnight Eastern (EST): 2026-11-06 05:00 UTC. Seven Eastern days before is midnight
# EDT starting 2026-10-30, 04:00 UTC: 7 x 24 hours would be 05:00 UTC, an hour late.
NOV_5_ENDS = dt.datetime(2026, 11, 6, 5, 0, tzinfo=dt.UTC)
MIDNIGHT_OCT_30_EDT = dt.datetime(2026, 10, 30, 4, 0, tzinfo=dt.UTC)
# 2027-03-18 ends at 2027-03-19 04:00 UTC (EDT); seven Eastern days before is midnight EST starting
# 2027-03-12, 05:00 UTC: 7 x 24 hours would be 04:00 UTC, an hour early.
MAR_18_ENDS = dt.datetime(2027, 3, 19, 4, 0, tzinfo=dt.UTC)
MIDNIGHT_MAR_12_EST = dt.datetime(2027, 3, 12, 5, 0, tzinfo=dt.UTC)


def test_a_7_day_reminder_across_the_autumn_change_comes_at_eastern_midnight_not_an_hour_late(
    directive, admin_user
):
    actions.extend_deadline(directive("2(a)"), dt.date(2026, 11, 5), actor=admin_user, justification="Test.")
    assert Directive.objects.get(ref="2(a)").due_at == NOV_5_ENDS
    assert remind_at(MIDNIGHT_OCT_30_EDT - MINUTE) == {}
    assert remind_at(MIDNIGHT_OCT_30_EDT) == {7: {"2(a)"}}
    assert reminders("2(a)") == [(dt.date(2026, 11, 5), -7)]


def test_a_7_day_reminder_across_the_spring_change_comes_at_eastern_midnight_not_an_hour_early(
    directive, admin_user
):
    actions.extend_deadline(directive("2(a)"), dt.date(2027, 3, 18), actor=admin_user, justification="Test.")
    assert Directive.objects.get(ref="2(a)").due_at == MAR_18_ENDS
    assert remind_at(MAR_18_ENDS - dt.timedelta(days=7)) == {}  # 7 x 24 h: an hour too early
    assert remind_at(MIDNIGHT_MAR_12_EST - MINUTE) == {}
    assert remind_at(MIDNIGHT_MAR_12_EST) == {7: {"2(a)"}}


def test_a_reminder_across_a_change_is_still_caught_up_within_its_eastern_day(directive, admin_user):
    actions.extend_deadline(directive("2(a)"), dt.date(2026, 11, 5), actor=admin_user, justification="Test.")
    # Its Eastern day, 2026-10-30, ends at 2026-10-31 04:00 UTC (still EDT).
    assert remind_at(dt.datetime(2026, 10, 31, 4, 0, tzinfo=dt.UTC) + MINUTE) == {}  # stale: dropped
    assert remind_at(dt.datetime(2026, 10, 31, 4, 0, tzinfo=dt.UTC) - MINUTE) == {7: {"2(a)"}}
