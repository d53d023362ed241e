"""Deadline phrases: each family, where it sits in the sentence, and the rule it means."""

import datetime as dt

import pytest

from directives import deadlines as D
from directives.drafting.phrase_refs import resolve_ref, unclassified
from directives.drafting.phrases import NO_START, find


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Within 30 days of the date of this order, X shall act.", D.DaysAfterOrder(30)),
        ("Within 180 days of this order, X shall act.", D.DaysAfterOrder(180)),
        ("Within 90 days of the date of this memorandum, X shall act.", D.DaysAfterOrder(90)),
        ("Within 90 days after the date of this proclamation, X shall act.", D.DaysAfterOrder(90)),
        ("X shall act within 180 days of the issuance of this order.", D.DaysAfterOrder(180)),
        ("No later than 90 days from the date of this order, X shall act.", D.DaysAfterOrder(90)),
        ("Not later than 60 days after the date of this order, X shall act.", D.DaysAfterOrder(60)),
        ("Within sixty days of the date of this order, X shall act.", D.DaysAfterOrder(60)),
        ("Within 6 months of the date of this order, X shall act.", D.MonthsAfterOrder(6)),
        ("Within 1 year of the date of this order, X shall act.", D.YearsAfterOrder(1)),
        ("Within 3 years of the date of this order, X shall act.", D.YearsAfterOrder(3)),
        ("By December 31, 2025, X shall act.", D.OnDate(dt.date(2025, 12, 31))),
        ("Not later than January 2, 2030, X shall act.", D.OnDate(dt.date(2030, 1, 2))),
        (
            "Within 90 days of the date of this order, and annually thereafter, X shall report.",
            D.Recurring(first=D.DaysAfterOrder(90), every_months=12),
        ),
        (
            "Within 1 year of the date of this order and every 2 years thereafter, X shall report.",
            D.Recurring(first=D.YearsAfterOrder(1), every_months=24),
        ),
        (
            "X shall report every 60 days after the date of this order.",
            D.Recurring(first=D.DaysAfterOrder(60), every_days=60),
        ),
        (
            "X shall report every 60 days after the date of this order until December 31, 2027.",
            D.Recurring(first=D.DaysAfterOrder(60), every_days=60, until=dt.date(2027, 12, 31)),
        ),
        ("On an ongoing basis, X shall act.", D.NoDeadline()),
        ("X shall initiate efforts in the first 60 days from the date of this order.", D.DaysAfterOrder(60)),
        ("During the first 2 years after the date of this order, X shall act.", D.YearsAfterOrder(2)),
        ("X shall terminate all existing exclusions as of March 12, 2025.", D.OnDate(dt.date(2025, 3, 12))),
        ("X shall revise the schedule within ten days of March 12, 2025.", D.OnDate(dt.date(2025, 3, 22))),
        ("X shall act not later than 2 months after June 30, 2026.", D.OnDate(dt.date(2026, 8, 30))),
        (
            "Starting in January 2022, X shall provide an annual update to the Council.",
            D.Recurring(first=D.OnDate(dt.date(2022, 1, 31)), every_months=12),
        ),
        ("In 2026, X shall initiate a review of the recommendations.", D.OnDate(dt.date(2026, 12, 31))),
        (
            "Beginning in 2010, X shall publish a report quarterly.",
            D.Recurring(first=D.OnDate(dt.date(2010, 12, 31)), every_months=3),
        ),
    ],
)
def test_each_family_means_its_rule(sentence, rule):
    assert find(sentence)[0].rule == rule


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        (
            "X shall submit two further reports, by June 1, 2027, and June 1, 2028, that update the Council.",
            D.Recurring(first=D.OnDate(dt.date(2027, 6, 1)), every_months=12, until=dt.date(2028, 6, 1)),
        ),
        (
            "X shall report by March 1, 2027, June 1, 2027, and September 1, 2027.",
            D.Recurring(first=D.OnDate(dt.date(2027, 3, 1)), every_months=3, until=dt.date(2027, 9, 1)),
        ),
        (
            "X shall report by March 1, 2027 and March 15, 2027.",
            D.Recurring(first=D.OnDate(dt.date(2027, 3, 1)), every_days=14, until=dt.date(2027, 3, 15)),
        ),
    ],
)
def test_a_list_of_evenly_spaced_dates_is_one_series_from_the_first_to_the_last(sentence, rule):
    (phrase,) = find(sentence)
    assert phrase.rule == rule
    assert phrase.text.startswith("by ") and phrase.text.endswith(("2028", "2027"))
    assert "dates" in phrase.review


def test_a_list_of_unevenly_spaced_dates_is_its_first_date_for_a_person_to_complete():
    (phrase,) = find("X shall report by March 1, 2027, June 3, 2027, and September 1, 2027.")
    assert phrase.rule == D.OnDate(dt.date(2027, 3, 1))
    assert phrase.text == "by March 1, 2027, June 3, 2027, and September 1, 2027"
    assert "uneven" in phrase.review


def test_dates_given_respectively_are_not_a_series():
    (phrase,) = find("X and Y shall report by March 1, 2027, and June 1, 2027, respectively.")
    assert phrase.rule == D.OnDate(dt.date(2027, 3, 1))
    assert phrase.text == "by March 1, 2027"


def test_a_recurrence_for_a_period_keeps_its_length_for_the_signing_date_to_date():
    (phrase,) = find(
        "Within 1 year of this order, and annually thereafter for a period of 3 years, X shall report."
    )
    assert phrase.rule == D.Recurring(first=D.YearsAfterOrder(1), every_months=12)
    assert phrase.lasts == (36, "months")
    assert phrase.text.endswith("for a period of 3 years")


def test_a_chained_deadline_names_what_it_waits_for():
    (phrase,) = find(
        "Within 90 days of the publication of the guidance described in subsection (c), X shall act."
    )
    assert phrase.chain.what == "the guidance described in subsection (c)"
    assert phrase.chain.rule("4(c)") == D.AfterDirective("4(c)", days=90, trigger=D.Trigger.PUBLISHED)


@pytest.mark.parametrize(
    ("words", "trigger"),
    [
        ("receipt of", D.Trigger.COMPLETED),
        ("the issuance of", D.Trigger.ISSUED),
        ("completion of", "completed"),
    ],
)
def test_the_trigger_is_how_the_text_words_it(words, trigger):
    (phrase,) = find(f"Within 30 days of {words} the report described in subsection (b), X shall act.")
    assert phrase.chain.trigger == trigger


def test_by_the_date_a_review_is_completed_is_chained_with_no_days():
    (phrase,) = find(
        "By the date on which the review described in subsection (f)(i) is completed, X shall act."
    )
    assert phrase.chain.rule("7(f)(i)") == D.AfterDirective("7(f)(i)", days=0)


def test_a_duty_that_recurs_with_no_start_leaves_its_first_date_to_be_recorded():
    (phrase,) = find("The Director shall provide quarterly reports to the APNSA.")
    assert isinstance(phrase.rule, D.Recurring)
    assert phrase.rule.every_months == 3
    assert phrase.rule.first.kind == D.RuleKind.DAYS_FROM_EVENT
    assert "no start" in phrase.review


def test_business_days_are_drafted_as_calendar_days_and_flagged():
    (phrase,) = find("Within 10 business days of the date of this order, X shall act.")
    assert phrase.rule == D.DaysAfterOrder(10)
    assert "business days" in phrase.review


def test_a_within_phrase_no_family_knows_is_reported():
    sentence = "Within 30 days before the end of the fiscal year, X shall act."
    assert unclassified(sentence, find(sentence)) == [
        "Within 30 days before the end of the fiscal year, X shall act."
    ]


@pytest.mark.parametrize(
    ("text", "current", "ref"),
    [
        ("the recommendations described in subsection (b) of this section", "2(d)", "2(b)"),
        ("the recommendations described in subsection (g)(i) of this section", "2(g)(ii)", "2(g)(i)"),
        ("winning applications under subsection 4(g) of this order", "7(c)(i)", "4(g)"),
        ("the plan described in section 3 of this order", "5(a)", "3"),
    ],
)
def test_a_named_subsection_resolves_to_a_ref(text, current, ref):
    assert resolve_ref(text, current=current) == ref


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        (
            "Within 60 days of the date of this order, and on a semiannual basis thereafter, X shall report.",
            D.Recurring(first=D.DaysAfterOrder(60), every_months=6),
        ),
        (
            "By March 1, 2031, and on an annual basis thereafter, X shall report.",
            D.Recurring(first=D.OnDate(dt.date(2031, 3, 1)), every_months=12),
        ),
        (
            "Within 45 days of the date of this order, and at least once every quarter thereafter, X shall "
            "meet.",
            D.Recurring(first=D.DaysAfterOrder(45), every_months=3),
        ),
        (
            "Within 2 years of the date of this order, and on a regular basis thereafter, X shall review it.",
            D.YearsAfterOrder(2, ongoing=True),
        ),
        (
            "Within 180 days of the date of this memorandum, and on an ongoing basis, the Director shall "
            "establish requirements.",
            D.DaysAfterOrder(180, ongoing=True),
        ),
    ],
)
def test_a_first_deadline_followed_by_how_often_thereafter_recurs_or_goes_on(sentence, rule):
    assert find(sentence)[0].rule == rule


def test_semiannual_is_every_six_months_not_the_annual_inside_it():
    rule = find("X shall report to Congress on a semiannual basis.")[0].rule

    assert isinstance(rule, D.Recurring)
    assert rule.every_months == 6


@pytest.mark.parametrize(
    "sentence",
    [
        "Within 90 days, the Secretary of the Army shall report on the harbors.",
        "The Secretary of the Army shall survey the harbors and, within 90 days, shall report on them.",
    ],
)
def test_a_time_with_no_start_named_counts_from_the_signing_date_and_asks_for_a_check(sentence):
    phrase = find(sentence)[0]

    assert phrase.rule == D.DaysAfterOrder(90)
    assert "names no start" in phrase.review


@pytest.mark.parametrize(
    "sentence",
    [
        "If the harbor is closed, the Secretary of the Army shall within 90 days report on it.",
        "The Secretary of the Army shall reply no later than 45 days subsequent to a port's request.",
    ],
)
def test_a_time_in_a_condition_or_counted_from_an_event_is_not_counted_from_the_signing_date(sentence):
    assert not any(isinstance(p.rule, D.DaysAfterOrder) for p in find(sentence))


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("By February 2031, the Secretary of the Army shall publish a map.", D.OnDate(dt.date(2031, 2, 28))),
        (
            "In June 2031, and on an annual basis thereafter, the Secretary shall submit a plan.",
            D.Recurring(first=D.OnDate(dt.date(2031, 6, 30)), every_months=12),
        ),
    ],
)
def test_a_month_without_a_day_is_due_on_its_last_day(sentence, rule):
    phrase = find(sentence)[0]

    assert phrase.rule == rule
    assert "names a month" in phrase.review


def test_a_month_in_a_past_event_is_not_a_deadline():
    assert find("In May 2023, the Secretary issued guidance that the Secretary shall update.") == []


def test_a_year_a_policy_starts_in_with_no_period_is_no_deadline():
    # "Beginning in 2027, agencies shall not purchase ...": when a rule starts, not by when a duty is done.
    assert find("Beginning in 2027, X shall not purchase single-use plastics.") == []


def test_a_year_that_opens_a_sentence_of_the_past_is_no_deadline():
    assert find("In 2023, the Secretary issued a rule on the matter.") == []


@pytest.mark.parametrize(
    ("sentence", "every_months"),
    [
        ("The Board shall hold at least one open hearing per year.", 12),
        ("The Board shall meet at least once a quarter.", 3),
        ("The Board shall hold one briefing each fiscal year.", 12),
        ("The Board shall meet twice a year.", 6),
        ("The Board shall report once every month.", 1),
    ],
)
def test_how_many_times_in_a_period_is_a_recurrence_with_no_start(sentence, every_months):
    (phrase,) = find(sentence)
    assert phrase.rule == D.Recurring(first=D.DaysFromEvent(0, NO_START), every_months=every_months)


@pytest.mark.parametrize(
    "sentence",
    [
        "The Board shall cut its use of water by one percent per year.",
        "The Government buys some $300 million of paper per year.",
    ],
)
def test_an_amount_per_year_is_no_recurrence(sentence):
    assert find(sentence) == []
