"""What a history event changed, in words: the directive page's timeline and its CSV download."""

from __future__ import annotations

import datetime as dt

from directives import deadlines
from directives.models import DirectiveEvent, Status


def _day(day: dt.date | None) -> str:
    return deadlines.weekday_date(day) if day else "none"


def describe_event(event: DirectiveEvent) -> str:
    """Return what ``event`` changed, in words, for the history timeline."""
    kind = DirectiveEvent.Kind
    forecast = f"Forecast changed from {_day(event.old_forecast_on)} to {_day(event.new_forecast_on)}."
    if event.kind == kind.FORECAST_CHANGED:
        return forecast
    if event.kind == kind.STATUS_CHANGED:
        text = f"Status changed from {event.get_old_status_display()} to {event.get_new_status_display()}"
        if event.new_status == Status.COMPLETED and event.completed_on:
            text += f", completed on {_day(event.completed_on)}"
        text += "."
    elif event.kind == kind.DEADLINE_EXTENDED:
        text = f"Deadline extended from {_day(event.old_due_on)} to {_day(event.new_due_on)}."
    elif event.kind == kind.EXTENSION_REQUESTED:
        text = f"Extension requested: from {_day(event.old_due_on)} to {_day(event.new_due_on)}."
    elif event.kind == kind.EXTENSION_DENIED:
        text = f"Extension to {_day(event.new_due_on)} denied."
    elif event.kind in (kind.VERIFIED, kind.DISPUTED, kind.NO_EVIDENCE_FOUND):
        text = f"{event.get_kind_display()} ({event.get_new_status_display().lower()})."
    elif event.kind in (kind.DEADLINE_SET, kind.EVENT_DATED):
        text = f"{event.get_kind_display()}: due {_day(event.new_due_on)}."
    elif event.kind == kind.AMENDED and event.old_due_on != event.new_due_on:
        moved = f"from {_day(event.old_due_on)} to {_day(event.new_due_on)}"
        text = f"Amended by a later order: deadline moved {moved}."
    else:
        text = f"{event.get_kind_display()}."
    # One update may change the status and the forecast together; say both.
    if event.old_forecast_on != event.new_forecast_on:
        text += f" {forecast}"
    return text
