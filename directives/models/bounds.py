"""Field validators that keep every date a person or a script enters within the dates orderctl handles
(``deadlines.EARLIEST_DATE`` to ``deadlines.LATEST_DATE``), so no deadline computed from it can leave
the calendar: a 400 naming the field, never a 500. Used by the forms and the API serializers alike."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from directives import deadlines


def within_dates(value: dt.date) -> None:
    """Refuse a date outside the range orderctl handles."""
    problem = deadlines.date_out_of_range(value)
    if problem:
        raise ValidationError(f"The date {problem}.", code="date_out_of_range")
