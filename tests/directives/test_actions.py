"""The one write path: each action writes its event atomically, or refuses and writes nothing."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from directives import actions, history
from directives.models import Directive, DirectiveEvent, Outcome, Status

NOON_NOV_26 = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)  # 12:00 Eastern


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOON_NOV_26, tick=False):
        yield


def snapshot() -> tuple:
    """Return everything an action could write, to prove a refused one wrote nothing."""
    return (
        DirectiveEvent.objects.count(),
        list(Directive.objects.order_by("pk").values_list("status", "completed_on", "forecast_on", "due_on")),
    )


def test_it_changes_the_status_and_records_who_for_which_agency(directive, cisa_editor):
    event = actions.change_status(
        directive("2(c)(ii)"),
        Status.IN_PROGRESS,
        actor=cisa_editor,
        note="Drafting the program charter.",
        evidence_url="https://www.cisa.gov/example",
    )
    d = directive("2(c)(ii)")
    assert d.status == Status.IN_PROGRESS
    assert d.status_changed_at == NOON_NOV_26
    assert (event.kind, event.old_status, event.new_status) == (
        "status_changed",
        "not_started",
        "in_progress",
    )
    assert event.actor == cisa_editor
    assert event.agency.abbreviation == "CISA"
    assert event.note == "Drafting the program charter."
    assert event.created == NOON_NOV_26


def test_completing_without_a_date_means_today_in_eastern_time(directive, cisa_editor):
    # 02:00 UTC on Nov 27 is still Nov 26 in New York.
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor)
    assert directive("2(c)(ii)").completed_on == dt.date(2026, 11, 26)


def test_a_completion_after_the_due_date_is_late_and_on_it_is_on_time(directive, cisa_editor):
    # Recorded the day after the later date: neither is flagged for review, whatever day the suite runs.
    with time_machine.travel(dt.datetime(2026, 7, 4, 16, 0, tzinfo=dt.UTC), tick=False):
        actions.change_status(
            directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 2)
        )
        actions.change_status(
            directive("2(c)(iii)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 3)
        )
    assert directive("2(c)(ii)").completion_flag == ""
    assert directive("2(c)(ii)").outcome == Outcome.ON_TIME
    assert directive("2(c)(iii)").outcome == Outcome.LATE


def test_reopening_a_completed_directive_clears_its_completion_date(directive, cisa_editor):
    actions.change_status(
        directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1)
    )
    actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor, note="Reopened.")
    d = directive("2(c)(ii)")
    assert (d.status, d.completed_on, d.outcome) == (Status.IN_PROGRESS, None, None)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"status": "done"}, "status", "is not a valid status"),
        ({"status": Status.NOT_STARTED}, "status", "is already not started"),
        (
            {"status": Status.COMPLETED, "completed_on": dt.date(2026, 11, 27)},
            "completed_on",
            "in the future",
        ),
        (
            {"status": Status.COMPLETED, "completed_on": dt.date(2026, 6, 1)},
            "completed_on",
            "before Executive Order 14409 was signed (Tue 2026-06-02)",
        ),
        ({"status": Status.IN_PROGRESS, "completed_on": dt.date(2026, 7, 1)}, "completed_on", "only with"),
        ({"status": Status.IN_PROGRESS, "evidence_url": "ftp://example.com/x"}, "evidence_url", "http"),
        ({"status": Status.IN_PROGRESS, "evidence_url": "javascript:alert(1)"}, "evidence_url", "http"),
        ({"status": Status.IN_PROGRESS, "note": "x" * 4001}, "note", "at most 4000"),
        ({"forecast_on": dt.date(2026, 5, 1)}, "forecast_on", "before Executive Order 14409 was signed"),
        ({}, NON_FIELD_ERRORS, "Nothing to record"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_writes_nothing(
    directive, cisa_editor, kwargs, field, message
):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.record_update(directive("2(c)(ii)"), actor=cisa_editor, **kwargs)
    assert message in " ".join(exc.value.message_dict[field])
    assert snapshot() == before


def test_it_refuses_to_change_a_parent_directly(directive, cisa_editor):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.change_status(directive("2(c)"), Status.COMPLETED, actor=cisa_editor)
    assert "update 2(c)(i), 2(c)(ii), 2(c)(iii) instead" in exc.value.message_dict["status"][0]
    assert snapshot() == before


def test_a_parent_rolls_up_from_its_children(directive, cisa_editor):
    assert directive("2(c)").status == Status.NOT_STARTED
    actions.change_status(directive("2(c)(i)"), Status.BLOCKED, actor=cisa_editor)
    assert directive("2(c)").status == Status.IN_PROGRESS
    for ref, day in (("2(c)(i)", 1), ("2(c)(ii)", 20), ("2(c)(iii)", 5)):
        actions.change_status(
            directive(ref), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, day)
        )
    parent = directive("2(c)")
    assert parent.status == Status.COMPLETED
    assert parent.completed_on == dt.date(2026, 7, 20)  # done when the last part was
    assert parent.outcome == Outcome.LATE
    rollups = parent.events.filter(kind=DirectiveEvent.Kind.STATUS_CHANGED)
    assert [e.new_status for e in rollups.order_by("id")] == ["in_progress", "completed"]
    assert all(e.actor is None for e in rollups)


def test_a_parent_is_overdue_when_any_child_is(directive, cisa_editor):
    for ref in ("2(c)(i)", "2(c)(ii)"):
        actions.change_status(
            directive(ref), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1)
        )
    parent, now = directive("2(c)"), NOON_NOV_26
    assert parent.status == Status.IN_PROGRESS
    assert parent.is_overdue(now)
    assert Directive.objects.overdue(now).filter(ref="2(c)").exists()


def _extend_the_last_open_part_of_2c(directive, cisa_editor, admin_user) -> None:
    """Complete 2(c)(i) and (ii) on Jul 1; move 2(c)(iii), the last open part, out to Dec 15."""
    for ref in ("2(c)(i)", "2(c)(ii)"):
        actions.change_status(
            directive(ref), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1)
        )
    actions.extend_deadline(
        directive("2(c)(iii)"), dt.date(2026, 12, 15), actor=admin_user, justification="Funding late."
    )


def test_a_parent_is_not_overdue_on_its_own_deadline_once_its_last_open_part_is_extended(
    directive, cisa_editor, admin_user
):
    _extend_the_last_open_part_of_2c(directive, cisa_editor, admin_user)
    parent = directive("2(c)")
    assert parent.due_on == dt.date(2026, 7, 2)  # its own 30 days, long passed
    assert parent.status == Status.IN_PROGRESS
    assert not parent.is_overdue(NOON_NOV_26)
    assert not Directive.objects.overdue(NOON_NOV_26).filter(ref="2(c)").exists()
    assert parent.days_overdue(NOON_NOV_26) == 0
    assert parent.days_remaining(NOON_NOV_26) == 19  # Nov 26 to Dec 15, the part's new date
    assert parent.effective_due_on() == dt.date(2026, 12, 15)


def test_a_parent_falls_overdue_when_its_extended_part_does(directive, cisa_editor, admin_user):
    _extend_the_last_open_part_of_2c(directive, cisa_editor, admin_user)
    dec_15_ends = dt.datetime(2026, 12, 16, 5, 0, tzinfo=dt.UTC)  # midnight EST
    parent = directive("2(c)")
    assert not parent.is_overdue(dec_15_ends - dt.timedelta(minutes=1))
    assert parent.is_overdue(dec_15_ends)
    assert Directive.objects.overdue(dec_15_ends).filter(ref="2(c)").exists()
    assert parent.days_overdue(dt.datetime(2026, 12, 18, 17, tzinfo=dt.UTC)) == 3
    assert parent.days_remaining(dec_15_ends) is None


def test_a_consulted_editor_may_add_a_note_but_not_change_the_status(directive, oncd_editor):
    event = actions.add_note(directive("2(c)(ii)"), "ONCD reviewed the draft.", actor=oncd_editor)
    assert (event.kind, event.agency.abbreviation) == ("note", "ONCD")
    before = snapshot()
    with pytest.raises(PermissionDenied, match=r"lead agency \(CISA\)"):
        actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=oncd_editor)
    assert snapshot() == before


def test_another_agencys_editor_may_do_nothing(directive, treasury_editor):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=treasury_editor)
    with pytest.raises(PermissionDenied):
        actions.add_note(directive("2(c)(ii)"), "Hello", actor=treasury_editor)
    assert snapshot() == before


def test_a_reviewer_is_told_reviewers_change_nothing(directive, reviewer):
    with pytest.raises(PermissionDenied, match="Oversight reviewers"):
        actions.change_status(directive("2(a)"), Status.IN_PROGRESS, actor=reviewer)


def test_a_department_editor_acts_for_its_component(directive, dhs_editor):
    event = actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=dhs_editor)
    assert event.agency.abbreviation == "CISA"


def test_any_joint_lead_may_change_a_joint_directive(directive, treasury_editor, cisa_editor):
    actions.change_status(directive("3(a)"), Status.IN_PROGRESS, actor=cisa_editor)
    actions.change_status(directive("3(a)"), Status.BLOCKED, actor=treasury_editor)
    assert directive("3(a)").status == Status.BLOCKED


def test_a_forecast_is_distinct_from_the_deadline(directive, cisa_editor):
    event = actions.set_forecast(directive("2(c)(ii)"), dt.date(2026, 12, 15), actor=cisa_editor)
    d = directive("2(c)(ii)")
    assert (d.forecast_on, d.due_on) == (dt.date(2026, 12, 15), dt.date(2026, 7, 2))
    assert (event.kind, event.old_forecast_on, event.new_forecast_on) == (
        "forecast_changed",
        None,
        d.forecast_on,
    )


def test_an_unchanged_forecast_is_refused(directive, cisa_editor):
    actions.set_forecast(directive("2(c)(ii)"), dt.date(2026, 12, 15), actor=cisa_editor)
    with pytest.raises(ValidationError, match="unchanged"):
        actions.set_forecast(directive("2(c)(ii)"), dt.date(2026, 12, 15), actor=cisa_editor)


def test_an_empty_note_is_refused(directive, cisa_editor):
    with pytest.raises(ValidationError) as exc:
        actions.add_note(directive("2(a)"), "   ", actor=cisa_editor)
    assert "note" in exc.value.message_dict


def test_a_stale_version_is_refused_and_nothing_is_written(directive, cisa_editor):
    seen = actions.version_of(directive("2(c)(ii)"))
    actions.add_note(directive("2(c)(ii)"), "Someone else got there first.", actor=cisa_editor)
    before = snapshot()
    with pytest.raises(actions.StaleVersion) as exc:
        actions.change_status(
            directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor, expected_version=seen
        )
    assert exc.value.directive.ref == "2(c)(ii)"
    assert snapshot() == before


def test_a_current_version_is_accepted(directive, cisa_editor):
    seen = actions.version_of(directive("2(c)(ii)"))
    actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor, expected_version=seen)
    assert directive("2(c)(ii)").status == Status.IN_PROGRESS


def test_an_extension_moves_the_effective_deadline_and_keeps_the_original(directive, admin_user):
    d = directive("2(f)")
    event = actions.extend_deadline(
        d, dt.date(2026, 12, 31), actor=admin_user, justification="OPM asked for time."
    )
    d = directive("2(f)")
    assert (d.original_due_on, d.due_on) == (dt.date(2026, 8, 1), dt.date(2026, 12, 31))
    assert d.due_at == dt.datetime(2027, 1, 1, 5, 0, tzinfo=dt.UTC)
    assert not d.is_overdue(NOON_NOV_26)
    assert (event.kind, event.old_due_on, event.new_due_on) == (
        "deadline_extended",
        dt.date(2026, 8, 1),
        d.due_on,
    )


@pytest.mark.parametrize(
    ("ref", "new_due_on", "justification", "field"),
    [
        ("2(f)", dt.date(2026, 7, 31), "Earlier", "new_due_on"),
        ("2(f)", dt.date(2026, 12, 31), "  ", "justification"),
        ("4", dt.date(2026, 12, 31), "No deadline", "new_due_on"),
    ],
)
def test_it_refuses_a_bad_extension(directive, admin_user, ref, new_due_on, justification, field):
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        actions.extend_deadline(directive(ref), new_due_on, actor=admin_user, justification=justification)
    assert field in exc.value.message_dict
    assert snapshot() == before


def test_only_an_administrator_may_extend_a_deadline(directive, cisa_editor):
    with pytest.raises(PermissionDenied, match="administrators"):
        actions.extend_deadline(
            directive("2(c)(ii)"), dt.date(2026, 12, 31), actor=cisa_editor, justification="x"
        )


def test_a_failure_after_the_event_is_written_rolls_everything_back(directive, cisa_editor, monkeypatch):
    """The event and the state change share one transaction: a crash mid-way leaves neither."""
    before = snapshot()
    real_append = history.append
    written: list[list[int]] = []

    def append_then_crash(events):
        written.append(real_append(events))  # the events are in the table now, uncommitted
        assert DirectiveEvent.objects.filter(pk__in=written[0]).count() == len(events)
        raise RuntimeError("crash after the events were written")

    monkeypatch.setattr(history, "append", append_then_crash)
    with pytest.raises(RuntimeError, match="after the events were written"):
        actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor)
    assert len(written) == 1 and written[0]
    assert not DirectiveEvent.objects.filter(pk__in=written[0]).exists()
    assert snapshot() == before
