"""The drafter on lead-ins and their items: whose duty each item is, and which deadline governs it."""

import datetime as dt

import pytest

from directives import deadlines
from directives.drafting import draft
from directives.orderfile import parse_order_file
from tests.drafting.test_drafter import by_ref

D = deadlines

FRAMED_ITEMS = """Executive Order 99003 of March 3, 2026

By the authority vested in me as President, it is hereby ordered:

Sec. 5. Competition. (a) The Secretary of Transportation shall:

(i) to better protect consumers, and as appropriate and consistent with applicable law:

(A) not later than 30 days after the date of this order, appoint members of the Advisory Committee;

(B) to ensure that farmers have access to markets, not later than 90 days after the date of this order,
publish a proposed rule; and

(C) consider the views of airports.
"""


def test_an_item_that_only_frames_its_items_passes_the_lead_in_s_actors_to_them():
    d = draft(FRAMED_ITEMS)

    got = {x.ref: (x.leads, x.due_on) for x in d.directives}
    assert got["5(a)(i)(A)"] == (("DOT",), dt.date(2026, 4, 2))  # 2026-03-03 + 30 days
    assert got["5(a)(i)(B)"] == (("DOT",), dt.date(2026, 6, 1))  # + 90 days, after its purpose clause
    assert got["5(a)(i)(C)"] == (("DOT",), None)
    assert "5(a)(i)" not in got


DEADLINE_LEAD_IN = """Executive Order 99005 of March 3, 2026

By the authority vested in me as President, it is hereby ordered:

Sec. 4. Safety. (a) Within 180 days of the date of this order, to advance safety:

(i) the Secretary of Energy shall develop a plan; and

(ii) the Director of the Office of Science and Technology Policy shall issue a report.

(b) The Attorney General shall, within 30 days of the date of this order, publish a notice.
"""


def test_a_lead_in_deadline_governs_items_that_name_their_own_actors():
    d = draft(DEADLINE_LEAD_IN)

    assert {x.ref: (x.leads, x.due_on) for x in d.directives} == {
        "4(a)(i)": (("DOE",), dt.date(2026, 8, 30)),  # 2026-03-03 + 180 days
        "4(a)(ii)": (("OSTP",), dt.date(2026, 8, 30)),
        "4(b)": (("DOJ",), dt.date(2026, 4, 2)),
    }
    assert d.unplaced == ()  # the lead-in's deadline is the items'


def test_a_deadline_for_a_qualified_group_reaches_the_items_that_name_its_members():
    text = DEADLINE_LEAD_IN.replace(
        "to advance safety:",
        "the heads of agencies specified in subsections (a)(i)-(ii) of this section shall submit reports. "
        "The reports shall be submitted to the President and",
    )

    d = draft(text)

    assert {x.ref: x.due_on for x in d.directives if x.ref.startswith("4(a)(")} == {
        "4(a)(i)": dt.date(2026, 8, 30),  # 2026-03-03 + 180 days
        "4(a)(ii)": dt.date(2026, 8, 30),
    }


def test_a_group_the_order_defines_is_kept_as_an_unknown_group_and_flagged():
    text = DEADLINE_LEAD_IN.replace(
        "(b) The Attorney General shall",
        "(b) The heads of Federal LTAs shall",
    )

    d = draft(text)

    directive = next(x for x in d.directives if x.ref == "4(b)")
    assert directive.due_on == dt.date(2026, 4, 2)  # 2026-03-03 + 30 days
    assert "Unknown actor 'heads of Federal LTAs'" in directive.review
    assert {a.abbreviation: a.kind for a in d.agencies}[directive.leads[0]] == "committee"


def test_a_deadline_chained_to_a_part_that_is_not_a_directive_counts_from_the_event_and_loads():
    text = """Executive Order 99006 of March 3, 2026

By the authority vested in me as President, it is hereby ordered:

Sec. 2. Guidance. (a) Within 90 days of the date of this order:

(i) guidance on testing to be published; and

(ii) within 30 days of the publication of the guidance described in subsection (a)(i) of this section,
the Attorney General shall review the guidance.
"""
    d = draft(text)

    review = next(x for x in d.directives if x.ref == "2(a)(ii)")
    assert "2(a)(i)" not in {x.ref for x in d.directives}
    assert review.rule == D.DaysFromEvent(days=30, event="2(a)(i) is published")
    assert "not a directive of this draft" in review.review
    parse_order_file(d.toml)


_HEAD = (
    "Executive Order 99002 of March 3, 2026\n\nTesting Subjects\n\n"
    "By the authority vested in me as President by the Constitution and the laws of the United States "
    "of America, it is hereby ordered as follows:\n\n"
)


def test_a_deadline_a_colon_cut_from_its_duty_is_the_next_clauses():
    d = draft(
        _HEAD + "Sec. 2. Data. (a) Within 180 days of the date of this order, and in accordance with the "
        "Cross-Agency Priority Goal: Leveraging Federal Data as a Strategic Asset, agencies shall consider "
        "methods of improving the quality of priority data.\n"
    )
    directive = by_ref(d)["2(a)"]
    assert (directive.rule, directive.leads) == (D.DaysAfterOrder(days=180), ("AGENCIES",))
    assert d.unplaced == ()


@pytest.mark.parametrize(
    ("subject", "lead"),
    [
        ("Departments and agencies shall", "AGENCIES"),
        ("the President\u2019s Council of Advisors on Science and Technology shall", "PCAST"),
    ],
)
def test_it_drafts_duties_of_groups_and_bodies_named_with_a_capital_or_a_possessive(subject, lead):
    d = draft(_HEAD + f"Sec. 2. Duties. (a) Within 30 days of the date of this order, {subject} report.\n")
    assert by_ref(d)["2(a)"].leads == (lead,)


def test_a_later_sentence_s_thereafter_makes_the_first_deadline_recur():
    d = draft(
        _HEAD + "Sec. 2. Progress. (a) Within 180 days of the date of this order, agencies shall report "
        "progress to the Director of OMB.\n\nThereafter, agencies shall report progress quarterly, and as "
        "appropriate.\n"
    )
    directive = by_ref(d)["2(a)"]
    assert directive.rule == D.Recurring(first=D.DaysAfterOrder(days=180), every_months=3)
    assert [x.ref for x in d.directives] == ["2(a)"]
    assert d.unplaced == ()


def test_items_that_open_with_shall_act_for_the_office_their_lead_in_names():
    d = draft(
        _HEAD + "Sec. 2. Policies. (a) The Secretary of Energy:\n\n(i) shall continue to use the current "
        "policies; and\n\n(ii) shall, within 1 year of the date of this order, update those policies.\n"
    )
    directive = by_ref(d)["2(a)(ii)"]
    assert (directive.rule, directive.leads) == (D.YearsAfterOrder(years=1), ("DOE",))


def test_items_that_are_what_the_lead_in_s_verb_acts_on_are_its_duties():
    d = draft(
        _HEAD + "Sec. 2. Access. Within 120 days of the date of this order, the Secretary of State and the "
        "Secretary of Commerce shall update, as appropriate and consistent with national interests:\n\n"
        "(a) export policies and programs, in coordination with the Administrator of NASA; and\n\n"
        "(b) export controls, in coordination with the Secretary of Transportation.\n"
    )
    assert {x.ref: (x.rule, x.leads) for x in d.directives if x.ref != "2"} == {
        "2(a)": (D.DaysAfterOrder(days=120), ("STATE", "DOC")),
        "2(b)": (D.DaysAfterOrder(days=120), ("STATE", "DOC")),
    }


def test_a_second_shall_with_no_subject_continues_the_office_before_it():
    d = draft(
        _HEAD + "Sec. 2. Steps. (a) The Attorney General and the Secretary of Homeland Security shall take "
        "immediate steps to share data; and shall, within 30 days of the date of this order:\n\n"
        "(i) review the nomination criteria; and\n\n(ii) propose modifications to the process.\n"
    )
    assert {x.ref: (x.rule, x.leads) for x in d.directives} == {
        "2(a)": (D.DaysAfterOrder(days=30), ("DOJ", "DHS")),
        "2(a)(i)": (D.DaysAfterOrder(days=30), ("DOJ", "DHS")),
        "2(a)(ii)": (D.DaysAfterOrder(days=30), ("DOJ", "DHS")),
    }


def test_a_shared_opening_deadline_is_not_drafted_twice_for_a_second_shall():
    d = draft(
        _HEAD + "Sec. 2. Guidance. (a) Within 90 days of the date of this order, the Director of OMB shall "
        "issue guidance and shall publish it.\n"
    )
    assert [x.ref for x in d.directives] == ["2(a)"]


def test_items_that_open_with_a_capitalized_verb_are_duties_with_their_own_deadline():
    d = draft(
        _HEAD + "Sec. 3. Policies. In implementing this section, heads of agencies shall:\n\n"
        "(i) Provide the Director with any information the Director deems necessary;\n\n"
        "(ii) Review and, as needed, update within 60 days of the date of this order any website content "
        "that is inconsistent with the principles of this order.\n"
    )
    assert by_ref(d)["3(ii)"].rule == D.DaysAfterOrder(days=60)
    assert by_ref(d)["3(ii)"].leads == ("AGENCIES",)


def test_the_items_of_a_designee_who_shall_are_its_standing_role_not_dated_by_the_designation():
    d = draft(
        _HEAD + "Sec. 6. Officers. Within 120 days of the date of this order, the heads of agencies shall "
        "designate a senior agency employee as the agency's chief science officer, who shall:\n\n"
        "(i) serve as the principal advisor to the head of the agency on scientific issues; and\n\n"
        "(ii) oversee the implementation of policies affecting the integrity of research.\n"
    )
    assert by_ref(d)["6"].rule == D.DaysAfterOrder(days=120)
    assert by_ref(d)["6(ii)"].rule == D.NoDeadline()


PROCESS_STEPS = """Executive Order 99004 of March 3, 2026

By the authority vested in me as President, it is hereby ordered:

Sec. 2. Apprenticeships. (a) Within 30 days of the date of this order, the Secretary of Labor shall convene
and chair an interagency working group on apprenticeships, culminating in a plan to be published within
120 days of the date of this order.

As part of this process, the interagency working group shall:

(i) review existing programs; and

(ii) recommend new programs.
"""


def test_items_that_are_steps_of_a_process_are_due_when_the_process_ends_and_its_body_leads_them():
    d = draft(PROCESS_STEPS)

    got = {x.ref: (x.leads, x.due_on) for x in d.directives}
    assert got["2(a)"] == (("DOL",), dt.date(2026, 4, 2))  # 2026-03-03 + 30 days
    assert got["2(a)(i)"] == (("DOL",), dt.date(2026, 7, 1))  # + 120 days: the plan that ends the process
    assert got["2(a)(ii)"] == (("DOL",), dt.date(2026, 7, 1))
