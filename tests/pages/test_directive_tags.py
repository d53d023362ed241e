"""The status tag, review tag and deadline text the lists and the directive page show, branch by branch."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from directives.templatetags.directive_tags import deadline_text, review_tag, status_tag


def directive(**fields):
    defaults = {
        "status": "in_progress",
        "review": "unreviewed",
        "is_claim": False,
        "outcome": "",
        "completed_on": None,
        "due_on": dt.date(2026, 7, 2),
        "deadline_kind": "days_after_order",
    }
    values = {**defaults, **fields}
    return SimpleNamespace(
        **values,
        get_status_display=lambda: values["status"].replace("_", " ").capitalize(),
        get_review_display=lambda: values["review"].replace("_", " ").capitalize(),
    )


def row(d, overdue=False, days_overdue=None, days_remaining=None):
    return SimpleNamespace(
        directive=d, overdue=overdue, days_overdue=days_overdue, days_remaining=days_remaining
    )


@pytest.mark.parametrize(
    ("fields", "html"),
    [
        ({}, '<span class="usa-tag orderctl-status orderctl-status--in_progress">In progress</span>'),
        (
            {"status": "completed", "review": "disputed"},
            '<span class="usa-tag orderctl-status orderctl-status--completion_disputed">'
            "Completion disputed</span>",
        ),
        (
            {"status": "completed", "review": "no_evidence_found"},
            '<span class="usa-tag orderctl-status orderctl-status--completion_disputed">'
            "Completed, no evidence found</span>",
        ),
        (
            {"status": "completed", "review": "verified"},
            '<span class="usa-tag orderctl-status orderctl-status--completed">Completed</span>',
        ),
    ],
)
def test_the_status_tag(fields, html):
    assert status_tag(directive(**fields)) == html


def test_the_review_tag_shows_on_a_claim_or_a_review_and_escapes_its_text():
    assert review_tag(directive()) == ""
    assert review_tag(directive(is_claim=True)) == (
        '<span class="usa-tag orderctl-review orderctl-review--unreviewed" title="Oversight review">'
        "Unreviewed</span>"
    )
    assert "&lt;b&gt;" in review_tag(directive(review="<b>"))


@pytest.mark.parametrize(
    ("the_row", "tag", "text"),
    [
        (
            row(directive(), overdue=True, days_overdue=1),
            False,
            '<span class="orderctl-overdue-days">1 day overdue</span>',
        ),
        (
            row(directive(), overdue=True, days_overdue=3),
            True,
            '<span class="usa-tag orderctl-tag--overdue">Overdue</span> '
            '<span class="orderctl-overdue-days">3 days overdue</span>',
        ),
        (
            row(directive(), overdue=True),
            False,
            '<span class="orderctl-overdue-days">a part is overdue</span>',
        ),
        (
            row(directive(status="completed", outcome="late", completed_on=dt.date(2026, 7, 9))),
            False,
            "Completed late (Thu 2026-07-09)",
        ),
        (row(directive(status="completed", outcome="flagged")), False, "Completed, flagged for review"),
        (row(directive(status="completed")), False, "Completed"),
        (row(directive(status="rescinded")), False, "Rescinded by a later order"),
        (row(directive(), days_remaining=0), False, "Due today"),
        (row(directive(), days_remaining=1), False, "1 day left"),
        (row(directive(), days_remaining=12), False, "12 days left"),
        (row(directive(due_on=None, deadline_kind="none")), False, "No fixed deadline"),
        (row(directive(due_on=None, deadline_kind="days_from_event")), False, "Not dated yet"),
    ],
)
def test_the_deadline_text(the_row, tag, text):
    assert deadline_text(the_row, tag=tag) == text
