"""English date formats: the one way pages, emails and the admin print a day or an instant.

A day is its weekday and its ISO date ("Thu 2026-07-02"): unambiguous to every reader, sortable, and
the form deadlines are quoted in. An instant adds the 24-hour time and its zone's abbreviation, since
pages show US Eastern time ("Thu 2026-07-02 09:15 EDT"). Templates write ``|date`` for a day and
``|date:"DATETIME_FORMAT"`` for an instant, never a format of their own; machine outputs (CSV, JSON,
iCalendar, ``datetime`` attributes) keep ISO 8601. Python code writing a day into words people read
(an error message, an event's note, the PDF brief) uses ``deadlines.weekday_date``, the same format.
"""

DATE_FORMAT = "D Y-m-d"
DATETIME_FORMAT = "D Y-m-d H:i T"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
TIME_FORMAT = "H:i T"
