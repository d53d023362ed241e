"""A directive's status, review and standing as the lists show them, row by row.

Written in Python rather than as included templates: a page of 100 rows rendered three includes a row,
which was most of the All directives page's time (issue 26). The HTML is the same as the includes gave,
but for the whitespace between their tags.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import date, pluralize
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

_OVERDUE_TAG = SafeString('<span class="usa-tag orderctl-tag--overdue">Overdue</span> ')

_COMPLETED_AS = {
    "on_time": "Completed on time",
    "late": "Completed late",
    "flagged": "Completed, flagged for review",
    "disputed": "Completion disputed",
}


@register.simple_tag
def status_tag(directive: Any) -> SafeString:
    """The directive's status as a USWDS tag; says so of a completion reviewers disputed or found
    no evidence of."""
    if directive.status == "completed" and directive.review == "disputed":
        return SafeString(
            '<span class="usa-tag orderctl-status orderctl-status--completion_disputed">'
            "Completion disputed</span>"
        )
    if directive.status == "completed" and directive.review == "no_evidence_found":
        return SafeString(
            '<span class="usa-tag orderctl-status orderctl-status--completion_disputed">'
            "Completed, no evidence found</span>"
        )
    return format_html(
        '<span class="usa-tag orderctl-status orderctl-status--{}">{}</span>',
        directive.status,
        directive.get_status_display(),
    )


@register.simple_tag
def review_tag(directive: Any) -> SafeString:
    """The oversight review of a claim (or of a directive reviewed anyway), or nothing."""
    if not (directive.is_claim or directive.review != "unreviewed"):
        return SafeString("")
    return format_html(
        '<span class="usa-tag orderctl-review orderctl-review--{}" title="Oversight review">{}</span>',
        directive.review,
        directive.get_review_display(),
    )


@register.simple_tag
def deadline_text(row: Any, tag: bool = False) -> SafeString:
    """Where a directive stands against its deadline, from a ``directives.queries.rows.Row``;
    ``tag`` adds an Overdue tag."""
    d = row.directive
    if row.overdue:
        overdue = _OVERDUE_TAG if tag else SafeString("")
        if row.days_overdue:
            days = format_html(
                '<span class="orderctl-overdue-days">{} day{} overdue</span>',
                row.days_overdue,
                pluralize(row.days_overdue),
            )
        else:
            days = SafeString('<span class="orderctl-overdue-days">a part is overdue</span>')
        return overdue + days
    if d.status == "completed":
        text = _COMPLETED_AS.get(d.outcome, "Completed")
        if d.completed_on:
            return format_html("{} ({})", text, date(d.completed_on))
        return format_html("{}", text)
    if d.status == "rescinded":
        return SafeString("Rescinded by a later order")
    if row.days_remaining is not None:
        if row.days_remaining == 0:
            return SafeString("Due today")
        return format_html("{} day{} left", row.days_remaining, pluralize(row.days_remaining))
    if d.due_on is None and d.deadline_kind == "none":
        return SafeString("No fixed deadline")
    if d.due_on is None:
        return SafeString("Not dated yet")
    return SafeString("")
