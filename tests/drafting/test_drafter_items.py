"""Items and paragraphs that say by when without the "Within N days, X shall" of a plain duty."""

import datetime as dt

from directives import deadlines
from directives.drafting import draft
from tests.drafting.test_drafter import by_ref

D = deadlines
HEADER = """Executive Order 99011 of March 3, 2026

By the authority vested in me as President, it is hereby ordered:

"""


def test_an_item_dated_before_its_verb_takes_that_date():
    d = draft(
        HEADER
        + """Sec. 3. Security. The Secretary of Homeland Security shall:

(a) review existing plans;

(b) building upon current initiatives, not later than December 31, 2026, develop a sector plan; and

(c) require vendors to, by June 1, 2027, adopt the standard.
"""
    )

    got = by_ref(d)
    assert got["3(b)"].rule == D.OnDate(dt.date(2026, 12, 31))
    assert got["3(c)"].rule == D.NoDeadline()  # the date is inside what vendors are to do


def test_dated_action_items_under_a_lead_in_that_lists_content_are_duties_of_its_office():
    d = draft(
        HEADER
        + """Sec. 4. Statistics. (a) The Director of the Office of Management and Budget shall improve Federal
statistical data collection. This effort shall include:

(i) within 180 days of the date of this order, assessing the feasibility of a national measurement; and

(ii) a description of the data sources.

(b) The Secretary of Energy shall develop a process, including--

(i) collecting information on existing efforts; and

(ii) not later than 90 days after the date of this order, consistent with section 313 of the Act, as
amended (6 U.S.C. 193), establishing lists of available technologies.
"""
    )

    got = by_ref(d)
    assert (got["4(a)(i)"].leads, got["4(a)(i)"].due_on) == (("OMB",), dt.date(2026, 8, 30))
    assert (got["4(b)(ii)"].leads, got["4(b)(ii)"].due_on) == (("DOE",), dt.date(2026, 6, 1))
    assert "4(a)(ii)" not in got and "4(b)(i)" not in got  # what is described, with no date of its own
    assert d.unplaced == ()


def test_an_item_whose_purpose_has_commas_of_its_own_is_still_a_duty_once_its_deadline_comes():
    d = draft(
        HEADER
        + """Sec. 5. Drugs. The Secretary of Health and Human Services shall:

(i) support price transparency; and

(ii) to help ensure that the patent system, while incentivizing innovation, does not delay competition,
not later than 45 days after the date of this order, through the Commissioner of Food and Drugs, write a
letter to the Director of the United States Patent and Trademark Office.
"""
    )

    assert by_ref(d)["5(ii)"].due_on == dt.date(2026, 4, 17)  # 2026-03-03 + 45 days


def test_a_passive_sentence_dates_the_duty_of_its_paragraph_and_a_second_one_gives_ref_2():
    d = draft(
        HEADER
        + """Sec. 2. Reports. (a) The Director of the Office of Personnel Management shall issue an annual
report to the President on the progress made by agencies. The first annual report shall be issued no later
than 1 year from the date of this order.

(b) The Secretary of Energy shall assess the electricity sector. The assessment shall be provided to the
President within 90 days of the date of this order, and a final assessment shall be published within 180
days of the date of this order.

(c) The Secretary of Labor shall study apprenticeships. The study shall be consistent with applicable law.
"""
    )

    got = by_ref(d)
    assert got["2(a)"].rule == D.Recurring(first=D.YearsAfterOrder(1), every_months=12)
    assert got["2(b)"].rule == D.DaysAfterOrder(90)
    assert (got["2(b)-2"].rule, got["2(b)-2"].leads) == (D.DaysAfterOrder(180), ("DOE",))
    assert any("passive voice" in note for note in [got["2(a)"].review, got["2(b)"].review])
    assert got["2(c)"].rule == D.NoDeadline()
    assert d.unplaced == ()


def test_a_paragraph_after_a_list_that_ended_is_its_lead_in_s_not_the_last_item_s():
    d = draft(
        HEADER
        + """Sec. 3. Strategy. The Committee on the Bay, chaired by the Administrator of the Environmental
Protection Agency, shall prepare a strategy. The strategy shall:

(a) define environmental goals; and

(b) describe a process for adaptive management.

The draft strategy shall be published within 180 days of the date of this order.

Sec. 4. Modernizing. (a) Within 60 days of the date of this order, the Administrator of General Services
shall begin modernizing the program by:

(i) establishing a training program;

(ii) improving communication with providers.

These communications may include status updates;

(iii) digitizing documentation.
"""
    )

    got = by_ref(d)
    assert got["3"].rule == D.DaysAfterOrder(180)
    assert all(x.due_on is None for ref, x in got.items() if ref.startswith("3("))  # not the last item's
    # The list goes on after the unmarked paragraph: its items keep the lead-in's deadline.
    assert [got[f"4(a)({r})"].due_on for r in ("i", "ii", "iii")] == [dt.date(2026, 5, 2)] * 3


def test_a_marker_on_a_line_of_its_own_opens_its_item():
    d = draft(
        HEADER
        + """Sec. 2. Oversight.

(a) Updates.
(A)
Policies.

The Secretary of Energy shall review the policies.
(B)
Reports.

Within 1 year of the date of this order, the Secretary of Energy shall publish a report.
"""
    )

    got = by_ref(d)
    assert got["2(a)(B)"].due_on == dt.date(2027, 3, 3)
    assert got["2(a)(A)"].due_on is None


def test_a_first_deadline_starts_the_recurrence_its_duty_names():
    d = draft(
        HEADER
        + """Sec. 6. Data. (a) Within 180 days of the date of this order, the Attorney General shall submit
data on a monthly basis to the Federal Bureau of Investigation.

(b) Within 90 days of the date of this order, the Director of National Intelligence shall produce an
assessment of the threat, followed by annual assessments.

(c) The Secretary of Energy shall, within 6 months of the date of this order, create a screening tool and
shall annually publish maps.
"""
    )

    got = by_ref(d)
    assert got["6(a)"].rule == D.Recurring(first=D.DaysAfterOrder(180), every_months=1)
    assert got["6(b)"].rule == D.Recurring(first=D.DaysAfterOrder(90), every_months=12)
    # A second duty ("and shall annually publish") recurs on its own; the first keeps its one date.
    assert got["6(c)"].rule == D.MonthsAfterOrder(6)
    assert isinstance(got["6(c)-2"].rule, D.Recurring)


def test_a_deadline_in_a_later_sentence_of_other_offices_is_drafted_with_those_offices():
    d = draft(
        HEADER
        + """Sec. 8. Incentives. (a) The Secretary of Homeland Security shall coordinate a set of incentives.
Within 120 days of the date of this order, the Secretary of Homeland Security and the Secretaries of the
Treasury and Commerce each shall make recommendations to the President.
"""
    )

    got = by_ref(d)["8(a)"]
    assert (got.leads, got.due_on) == (("DHS", "TREASURY", "DOC"), dt.date(2026, 7, 1))
    assert "actor differs" in got.review


def test_a_second_deadline_counted_from_the_order_in_an_item_gives_ref_2():
    d = draft(
        HEADER
        + """Sec. 3. Integrity. (a) The heads of agencies shall:

(i) designate an official; and

(ii) Review and, as needed, update within 60 days of the date of this order any website content, and
within 300 days of the date of this order any agency reports that are inconsistent with these principles.
"""
    )

    got = by_ref(d)
    assert got["3(a)(ii)"].due_on == dt.date(2026, 5, 2)  # 2026-03-03 + 60 days
    assert (got["3(a)(ii)-2"].due_on, got["3(a)(ii)-2"].leads) == (dt.date(2026, 12, 28), ("AGENCIES",))


def test_an_item_done_through_an_office_is_that_office_s_not_when_it_names_where_a_report_goes():
    d = draft(
        HEADER
        + """Sec. 5. Measures. (a) The Secretary of Health and Human Services shall:

(i) not later than 45 days after the date of this order, through the Commissioner of Food and Drugs, write
a letter to the Director of the United States Patent and Trademark Office; and

(ii) within 180 days of the date of this order, assessing, through the Department of Commerce's Bureau of
Economic Analysis, the feasibility of a measurement; and

(iii) within 90 days of the date of this order, submit to the President, through the Director of the
National Economic Council, a report.
"""
    )

    got = by_ref(d)
    assert got["5(a)(i)"].leads == ("FDA",)
    assert got["5(a)(ii)"].leads == ("BEA",)  # an office the catalog lacks, by its own name's initials
    assert got["5(a)(iii)"].leads == ("HHS",)


def test_a_short_name_the_order_defines_is_a_subject_and_a_run_on_title_ends_at_for():
    d = draft(
        HEADER
        + """Sec. 1. General. Agencies shall comply with the Act. The Chief Counsel for Advocacy of the Small
Business Administration (Advocacy) shall advise agencies.

Sec. 6. Reporting For the purpose of promoting compliance with this order, Advocacy shall submit a report
within 90 days of the date of this order to the Director of the Office of Management and Budget.
"""
    )

    got = by_ref(d)["6"]
    assert (got.leads, got.due_on) == (("SBA",), dt.date(2026, 6, 1))


def test_a_date_set_off_after_what_a_duty_sends_is_its_deadline_and_a_list_of_dates_a_series():
    d = draft(
        HEADER
        + """Sec. 4. Reports. (a) The Attorney General shall submit to the President, no later than 10 months
from the date of this order, a report on agency implementation.

The Attorney General shall thereafter submit two further annual reports, by June 1, 2027, and June 1,
2028, that provide the President with an update on that implementation.

(b) The Secretary of Labor shall submit a plan to require contractors to, by June 1, 2027, adopt the
standard.
"""
    )

    got = by_ref(d)
    assert got["4(a)-2"].rule == D.Recurring(
        first=D.OnDate(dt.date(2027, 6, 1)), every_months=12, until=dt.date(2028, 6, 1)
    )
    assert got["4(a)-2"].leads == ("DOJ",)
    assert got["4(b)"].rule == D.NoDeadline()  # the date is inside what contractors are to do


def test_a_recurrence_for_a_period_of_years_ends_that_long_after_its_first_occurrence():
    d = draft(
        HEADER
        + """Sec. 8. Updates. The Secretary of Agriculture shall:

(a) within 1 year of the date of this order, and annually thereafter for a period of 3 years, provide an
update regarding progress to the Director of the Office of Management and Budget.

Sec. 9. Reports. The Secretary of Labor shall report by June 1, 2027, and annually thereafter for a period
of 2 years.
"""
    )

    got = by_ref(d)
    # Signed March 3, 2026: the first update due March 3, 2027, the last three years later.
    assert got["8(a)"].rule == D.Recurring(
        first=D.YearsAfterOrder(1), every_months=12, until=dt.date(2030, 3, 3)
    )
    assert got["9"].rule == D.Recurring(
        first=D.OnDate(dt.date(2027, 6, 1)), every_months=12, until=dt.date(2029, 6, 1)
    )
    assert "for a period of 2 years" in got["9"].review
