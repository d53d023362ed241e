"""Deadline phrases counted in weeks or hours: a deadline is a date, so both are drafted in whole days."""

import pytest

from directives import deadlines as D
from directives.drafting.phrase_refs import unclassified
from directives.drafting.phrases import find


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Within 2 weeks of the date of this order, X shall act.", D.DaysAfterOrder(14)),
        ("Within three weeks after the date of this memorandum, X shall act.", D.DaysAfterOrder(21)),
        ("Within 48 hours of the date of this order, X shall act.", D.DaysAfterOrder(2)),
        ("Within seventy-two hours of the date of this order, X shall act.", D.DaysAfterOrder(3)),
    ],
)
def test_weeks_and_hours_after_the_signing_date_are_days(sentence, rule):
    (phrase,) = find(sentence)
    assert phrase.rule == rule


def test_hours_after_an_event_are_whole_days_and_flagged():
    (phrase,) = find("The Board shall issue a notice no later than 48 hours after a spill.")
    assert phrase.rule == D.DaysFromEvent(days=2, event="a spill")
    assert "counts hours" in phrase.review and "2 days" in phrase.review


def test_hours_that_are_no_whole_days_round_down_so_the_date_is_never_late():
    (phrase,) = find("The Board shall issue a notice within 36 hours of a spill.")
    assert phrase.rule == D.DaysFromEvent(days=1, event="a spill")
    assert "rounded down" in phrase.review


def test_weeks_after_an_event_are_seven_days_each():
    (phrase,) = find("No later than 4 weeks following a spill, the Board shall hold a hearing.")
    assert phrase.rule == D.DaysFromEvent(days=28, event="a spill")
    assert phrase.review.startswith("The deadline counts from 'a spill'")


def test_weeks_after_a_named_directive_are_days_of_its_rule():
    (phrase,) = find(
        "Within 6 weeks of the completion of the review described in subsection (a), X shall act."
    )
    assert phrase.chain.rule("3(a)") == D.AfterDirective("3(a)", days=42)


def test_a_recurrence_in_weeks_is_every_seven_days_each():
    (phrase,) = find(
        "Within 30 days of the date of this order, and every 2 weeks thereafter, X shall report."
    )
    assert phrase.rule == D.Recurring(first=D.DaysAfterOrder(30), every_days=14)


def test_hours_with_no_start_are_not_counted_from_the_signing_date_but_reported():
    sentence = "The Board shall issue a notice within 24 hours."
    assert find(sentence) == []
    assert unclassified(sentence, []) == ["within 24 hours."]
