"""Events are built by name in ``directives/actions/events.py``; the notices they owe are declared there."""

import datetime as dt
import pathlib

from directives.actions import events
from directives.models import Notification

NOON = dt.datetime(2026, 6, 25, 16, 0, tzinfo=dt.UTC)
ACTIONS = pathlib.Path(events.__file__).parent / "actions"


def test_no_action_builds_an_event_by_hand():
    by_hand = [p.name for p in sorted(ACTIONS.glob("*.py")) if "NewEvent.of(" in p.read_text()]
    assert by_hand == []


def test_an_extension_request_owes_the_reviewers_notice_and_a_decision_the_requesters():
    assert events.notices_of(events.extension_requested) == (Notification.Kind.EXTENSION_REQUESTED,)
    assert events.notices_of(events.extension_denied) == (Notification.Kind.EXTENSION_DECIDED,)
    assert events.DECISION_NOTICES == (Notification.Kind.EXTENSION_DECIDED,)


def test_an_event_declared_with_no_notice_owes_none():
    assert events.notices_of(events.evidence_added) == ()
    assert events.notices_of(events.deadline_extended) == ()


def test_a_status_change_owes_a_completion_or_status_notice_and_a_review_its_own():
    assert events.notices_of(events.update_recorded) == ("status_changed", "completed")
    assert events.status_notices("in_progress", "completed") == ("completed",)
    assert events.status_notices("not_started", "in_progress") == ("status_changed",)
    assert events.status_notices("in_progress", "in_progress") == ()
    assert events.notices_of(events.review_recorded) == ("review_recorded",)


def test_an_agency_update_is_named_by_what_it_changes(directive, today):
    d = directive("2(c)(ii)")

    def update(new_status: str, new_forecast_on: dt.date | None):
        return events.update_recorded(
            d,
            new_status=new_status,
            completed_on=None,
            new_forecast_on=new_forecast_on,
            note="",
            evidence_url="",
            actor=None,
            agency=None,
            created=NOON,
        )

    status = update("in_progress", d.forecast_on)
    forecast = update(d.status, today)
    note = update(d.status, d.forecast_on)
    assert (status.kind, forecast.kind, note.kind) == ("status_changed", "forecast_changed", "note")
    assert (status.old_status, status.new_status) == ("not_started", "in_progress")
