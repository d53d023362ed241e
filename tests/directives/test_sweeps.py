"""flag_overdue: set-based, idempotent, at the exact end of the due day in America/New_York.

EO 14409 was signed on Tuesday 2026-06-02. Its 30-day directives are due Thursday 2026-07-02, which
ends at 2026-07-03 04:00 UTC (midnight EDT); its 60-day ones Saturday 2026-08-01, ending at
2026-08-02 04:00 UTC.
"""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from directives import actions
from directives.actions import sweeps
from directives.models import Directive, DirectiveEvent, Notification, Status

JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)
AUGUST_1_ENDS = dt.datetime(2026, 8, 2, 4, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)

# The parents 2(c) and 3 are not flagged: their parts are (a parent's deadline is what they inherit).
THIRTY_DAY_REFS = {"2(a)", "2(b)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)"}
SIXTY_DAY_REFS = {"2(f)", "3(a)", "3(b)"}


def flag_at(instant: dt.datetime) -> set[str]:
    """Run the sweep at ``instant`` and return the refs it flagged."""
    with time_machine.travel(instant, tick=False):
        ids = actions.flag_overdue(actor=None)
    return set(Directive.objects.filter(id__in=ids).values_list("ref", flat=True))


def flagged_events(ref: str) -> int:
    return DirectiveEvent.objects.filter(directive__ref=ref, kind=DirectiveEvent.Kind.FLAGGED_OVERDUE).count()


def overdue_notices(ref: str) -> list[dt.date]:
    return list(
        Notification.objects.filter(directive__ref=ref, kind=Notification.Kind.OVERDUE)
        .order_by("due_on")
        .values_list("due_on", flat=True)
    )


def test_it_flags_nothing_a_minute_before_the_due_day_ends(order):
    assert flag_at(JULY_2_ENDS - MINUTE) == set()
    assert not Directive.objects.filter(overdue_flagged_at__isnull=False).exists()
    assert Notification.objects.count() == 0


def test_it_flags_every_open_30_day_directive_when_the_due_day_ends(directive, order):
    assert flag_at(JULY_2_ENDS) == THIRTY_DAY_REFS
    d = directive("2(a)")
    assert d.overdue_flagged_at == JULY_2_ENDS
    event = d.events.get(kind=DirectiveEvent.Kind.FLAGGED_OVERDUE)
    assert event.created == JULY_2_ENDS
    assert event.actor is None
    assert event.note == (
        "Overdue: the deadline of Thu 2026-07-02 passed unmet (end of that day, Eastern time)."
    )
    assert event.old_due_on == dt.date(2026, 7, 2)
    notice = Notification.objects.get(directive=d)
    assert (notice.kind, notice.due_on, notice.offset_days, notice.state) == (
        "overdue",
        dt.date(2026, 7, 2),
        0,
        "pending",
    )
    assert notice.event == event
    assert notice.next_attempt_at == JULY_2_ENDS


def test_a_minute_after_the_end_the_same_directives_are_flagged(order):
    assert flag_at(JULY_2_ENDS + MINUTE) == THIRTY_DAY_REFS


def test_a_parent_is_not_flagged_for_its_own_deadline_only_its_parts_are(directive, order):
    flagged = flag_at(JULY_2_ENDS)
    assert {"2(c)(i)", "2(c)(ii)", "2(c)(iii)"} <= flagged
    assert "2(c)" not in flagged
    assert directive("2(c)").is_parent
    assert directive("2(c)").overdue_flagged_at is None


def test_the_saturday_deadline_is_flagged_when_saturday_ends_not_on_friday(directive, order):
    assert dt.date(2026, 8, 1).weekday() == 5
    flag_at(JULY_2_ENDS)
    assert flag_at(AUGUST_1_ENDS - MINUTE) == set()
    assert flag_at(AUGUST_1_ENDS) == SIXTY_DAY_REFS
    assert directive("3(a)").events.get(kind="flagged_overdue").old_due_on == dt.date(2026, 8, 1)


def test_a_directive_without_a_deadline_is_never_flagged(order):
    assert "4" not in flag_at(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))


def test_a_completed_directive_is_not_flagged(directive, cisa_editor):
    with time_machine.travel(JULY_2_ENDS - dt.timedelta(days=2), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    flagged = flag_at(JULY_2_ENDS)
    assert "2(c)(ii)" not in flagged
    assert directive("2(c)(ii)").overdue_flagged_at is None
    assert overdue_notices("2(c)(ii)") == []


def test_two_sweeps_write_one_event_and_one_notification(order):
    assert flag_at(JULY_2_ENDS) == THIRTY_DAY_REFS
    assert flag_at(JULY_2_ENDS + MINUTE) == set()
    assert flag_at(JULY_2_ENDS + dt.timedelta(hours=5)) == set()
    for ref in THIRTY_DAY_REFS:
        assert flagged_events(ref) == 1
        assert overdue_notices(ref) == [dt.date(2026, 7, 2)], ref
    assert Notification.objects.count() == len(THIRTY_DAY_REFS)


def test_after_three_days_without_beat_one_run_catches_up(directive, order):
    three_days_later = JULY_2_ENDS + dt.timedelta(days=3, hours=2)
    assert flag_at(three_days_later) == THIRTY_DAY_REFS
    assert directive("2(b)").overdue_flagged_at == three_days_later
    assert flag_at(three_days_later + MINUTE) == set()
    assert Notification.objects.count() == len(THIRTY_DAY_REFS)


def test_an_extension_clears_the_flag_and_the_new_deadline_is_flagged_again(directive, admin_user):
    flag_at(JULY_2_ENDS)
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(days=1), tick=False):
        actions.extend_deadline(
            directive("2(a)"), dt.date(2026, 7, 20), actor=admin_user, justification="CNSS asked for time."
        )
    assert directive("2(a)").overdue_flagged_at is None
    new_deadline_ends = dt.datetime(2026, 7, 21, 4, 0, tzinfo=dt.UTC)
    assert flag_at(new_deadline_ends - MINUTE) == set()
    assert flag_at(new_deadline_ends) == {"2(a)"}
    assert flagged_events("2(a)") == 2
    assert overdue_notices("2(a)") == [dt.date(2026, 7, 2), dt.date(2026, 7, 20)]


def test_completing_late_keeps_the_flag_and_records_it_as_late(directive, cisa_editor):
    flag_at(JULY_2_ENDS)
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(days=2), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    d = directive("2(c)(ii)")
    assert d.overdue_flagged_at == JULY_2_ENDS
    assert d.outcome == "late"
    assert flag_at(JULY_2_ENDS + dt.timedelta(days=3)) == set()


def test_the_sweep_queues_one_dispatch_on_commit_and_a_second_sweep_none(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        flag_at(JULY_2_ENDS)
    assert callbacks == [actions.queue_dispatch]
    with django_capture_on_commit_callbacks() as callbacks:
        flag_at(JULY_2_ENDS + MINUTE)
    assert callbacks == []


def test_a_sweep_that_fails_after_its_writes_leaves_nothing_behind(order, monkeypatch):
    def broken():
        raise RuntimeError("the broker connection pool is exhausted")

    # The last step inside the sweep's transaction, after the flags, events and notifications.
    monkeypatch.setattr(sweeps, "queue_dispatch_on_commit", broken)
    with time_machine.travel(JULY_2_ENDS, tick=False), pytest.raises(RuntimeError):
        actions.flag_overdue(actor=None)
    assert not Directive.objects.filter(overdue_flagged_at__isnull=False).exists()
    assert not DirectiveEvent.objects.filter(kind=DirectiveEvent.Kind.FLAGGED_OVERDUE).exists()
    assert Notification.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_flag_each_directive_once(order):
    barrier = threading.Barrier(2)
    flagged: list[list[int]] = []

    def sweep():
        try:
            barrier.wait()
            flagged.append(actions.flag_overdue(actor=None))
        finally:
            connection.close()

    with time_machine.travel(JULY_2_ENDS, tick=False):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(flagged) == 2
    assert sorted(flagged[0] + flagged[1]) == sorted(
        Directive.objects.filter(ref__in=THIRTY_DAY_REFS).values_list("id", flat=True)
    )
    assert DirectiveEvent.objects.filter(kind="flagged_overdue").count() == len(THIRTY_DAY_REFS)
    assert Notification.objects.count() == len(THIRTY_DAY_REFS)


def test_a_second_sweep_at_the_same_instant_records_only_its_own_directives(directive, cisa_editor):
    # Both sweeps read the same clock (frozen here), so the flag instant alone cannot tell them apart.
    with time_machine.travel(JULY_2_ENDS - dt.timedelta(days=2), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    with time_machine.travel(JULY_2_ENDS, tick=False):
        assert len(actions.flag_overdue(actor=None)) == 6
        actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor, note="Reopened.")
        assert actions.flag_overdue(actor=None) == [directive("2(c)(ii)").pk]
    for ref in THIRTY_DAY_REFS:
        assert flagged_events(ref) == 1, ref
        assert overdue_notices(ref) == [dt.date(2026, 7, 2)], ref
