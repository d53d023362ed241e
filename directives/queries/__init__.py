"""The read side: what the pages, the dashboard, the exports and the API show, and how they filter it.

Everything that reads directives for a person or a script goes through here, so that the All
directives page, the dashboard, the downloads and ``/api/v1/`` cannot disagree:

- **one clock per request** (``request_now``): "overdue?" is asked at one instant per response;
- **one filter set, one vocabulary** (``DirectiveFilter``): ``order`` (an order's number), ``agency``
  (the lead agency, a department including its components), ``involving`` (an agency in any role),
  ``status`` (repeatable), ``overdue`` (``true`` or ``false``), ``due_before``/``due_after``,
  ``search`` and ``ordering``. The API refuses what it does not understand (``api.filters``), the
  pages show the same filters as a form;
- **the rows a list shows** (``Row``) and **the numbers a dashboard counts** (``summarize``), over
  the *trackable* directives: a parent whose status rolls up from its parts is counted through its
  parts, never as one more item.

Nothing here writes; writes go through ``directives.actions``.
"""

# The read side in three modules: the clock and the one filter set (``filters``), the numbers
# (``counts``), the rows a page lists and where they come from (``rows``); paging, permissions and the
# public status beside them.
from .counts import (
    CLAIMS,
    COMPLETED,
    COMPLETED_LATE,
    COMPLETED_ON_TIME,
    DISPUTED,
    FLAGGED,
    FLAGGED_ON_TIME,
    FLAGGED_PENDING,
    HONEST_LATE,
    HONEST_ON_TIME,
    NEXT_DEADLINES,
    VERIFIED,
    VERIFIED_LATE,
    VERIFIED_ON_TIME,
    pending_extensions,
    summarize,
    worst_first,
)
from .filters import (
    DIRECTIVE_SEQUENCE,
    ISO_DATE,
    ORDER_SELECT_LIMIT,
    PAGE_FILTERS,
    PAGE_HELP,
    AgencyField,
    AgencyFilter,
    BooleanChoiceFilter,
    DirectiveFilter,
    DirectiveOrdering,
    OrderNumberField,
    OrderNumberFilter,
    ScopeFilter,
    filter_form,
    request_now,
)
from .rows import ChangeRow, Provenance, Row, changes_of, overdue_first, provenance, rows_of, series_rows

__all__ = [
    "CLAIMS",
    "COMPLETED",
    "COMPLETED_LATE",
    "COMPLETED_ON_TIME",
    "DIRECTIVE_SEQUENCE",
    "DISPUTED",
    "FLAGGED",
    "FLAGGED_ON_TIME",
    "FLAGGED_PENDING",
    "HONEST_LATE",
    "HONEST_ON_TIME",
    "ISO_DATE",
    "NEXT_DEADLINES",
    "ORDER_SELECT_LIMIT",
    "PAGE_FILTERS",
    "PAGE_HELP",
    "VERIFIED",
    "VERIFIED_LATE",
    "VERIFIED_ON_TIME",
    "AgencyField",
    "AgencyFilter",
    "BooleanChoiceFilter",
    "ChangeRow",
    "DirectiveFilter",
    "DirectiveOrdering",
    "OrderNumberField",
    "OrderNumberFilter",
    "Provenance",
    "Row",
    "ScopeFilter",
    "changes_of",
    "filter_form",
    "overdue_first",
    "pending_extensions",
    "provenance",
    "request_now",
    "rows_of",
    "series_rows",
    "summarize",
    "worst_first",
]
