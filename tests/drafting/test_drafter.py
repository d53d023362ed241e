"""The drafter end to end, pure (no database): from an order's text to a draft order file that loads."""

import datetime as dt

import pytest

from directives import deadlines
from directives.drafting import DraftError, draft
from directives.orderfile import parse_order_file
from tests.drafting.texts import AMENDING, PLAIN, SHAPE_OF_14409

D = deadlines


@pytest.fixture(scope="module")
def shaped():
    return draft(SHAPE_OF_14409, filename="testing.wh.md", number=99409)


@pytest.fixture(scope="module")
def plain():
    return draft(PLAIN)


def by_ref(d):
    return {x.ref: x for x in d.directives}


# --- EO 14409's shape: the same directives, leads, consulted and rules as the shipped file would have ------


def test_it_drafts_one_directive_per_duty_and_nothing_for_provisions(shaped):
    assert [x.ref for x in shaped.directives] == [
        "2(a)",
        "2(b)",
        "2(c)",
        "2(c)(i)",
        "2(c)(ii)",
        "2(c)(iii)",
        "2(d)",
        "3",
        "3(a)",
        "3(b)",
        "4",
    ]


@pytest.mark.parametrize(
    ("ref", "leads", "consulted"),
    [
        ("2(a)", ("CNSS",), ()),
        ("2(b)", ("DOW",), ()),
        ("2(c)", ("CISA",), ("OMB", "NSC", "ONCD")),  # DHS acts through CISA, which owns it
        ("2(d)", ("OPM",), ()),
        ("3", ("TREASURY", "NSA", "CISA"), ("ONCD", "NIST")),  # joint leads, the first named owns it
        ("4", ("DOJ",), ()),
    ],
)
def test_it_finds_leads_owner_first_and_consulted_offices(shaped, ref, leads, consulted):
    directive = by_ref(shaped)[ref]
    assert directive.leads == leads
    assert directive.consulted == consulted


def test_a_lead_in_deadline_and_its_actors_govern_its_items(shaped):
    d = by_ref(shaped)
    for ref in ("2(c)(i)", "2(c)(ii)", "2(c)(iii)"):
        assert d[ref].parent == "2(c)"
        assert d[ref].leads == ("CISA",)
        assert d[ref].consulted == ("OMB", "NSC", "ONCD")
        assert d[ref].rule == D.DaysAfterOrder(30)
    for ref in ("3(a)", "3(b)"):
        assert d[ref].parent == "3"
        assert d[ref].leads == ("TREASURY", "NSA", "CISA")
    assert d["3"].rule == D.DaysAfterOrder(60)
    assert d["3(b)"].rule == D.DaysAfterOrder(60)


def test_develop_and_maintain_is_an_ongoing_duty(shaped):
    assert by_ref(shaped)["3(a)"].rule == D.DaysAfterOrder(60, ongoing=True)


def test_items_of_an_item_are_part_of_its_text_not_directives(shaped):
    refs = {x.ref for x in shaped.directives}
    assert "3(b)(i)" not in refs
    assert "up to 30 days before a release" in by_ref(shaped)["3(b)"].source


def test_a_duty_without_a_deadline_is_ongoing(shaped):
    assert by_ref(shaped)["4"].rule == D.NoDeadline()
    assert by_ref(shaped)["4"].due_on is None


def test_due_dates_count_from_the_signing_date_in_the_front_matter(shaped):
    assert shaped.order.signed_on == dt.date(2026, 3, 3)
    assert by_ref(shaped)["2(a)"].due_on == dt.date(2026, 4, 2)
    assert by_ref(shaped)["3"].due_on == dt.date(2026, 5, 2)


def test_titles_come_from_the_text(shaped):
    d = by_ref(shaped)
    assert d["2(a)"].title == "Prioritize the defense of National Security Systems"
    assert d["2(c)(ii)"].title == "Establish Federal programs"
    assert d["3"].title == "Secure Deployment"  # "shall:" says nothing: the section's title


def test_the_draft_loads_unedited_and_defines_every_agency_it_uses(shaped):
    spec = parse_order_file(shaped.toml)  # no agencies known beforehand
    assert spec.order.number == 99409
    assert spec.order.source_url.startswith("https://www.whitehouse.gov/")
    defined = {a.abbreviation: a for a in spec.agencies}
    assert defined["CISA"].parent == "DHS"
    assert defined["NSA"].parent == "DOW"
    assert defined["OMB"].parent == "EOP"
    assert {x.ref for x in spec.directives} == {x.ref for x in shaped.directives}
    assert all(x.source for x in spec.directives)


def test_each_directive_has_a_span_of_its_text(shaped):
    for x in shaped.directives:
        excerpt = shaped.text[x.start : x.end]
        assert excerpt, x.ref
    assert shaped.text[by_ref(shaped)["2(b)"].start :].startswith("(b) Within 30 days")
    assert (
        "Attorney General shall prioritize"
        in shaped.text[by_ref(shaped)["4"].start : by_ref(shaped)["4"].end]
    )


# --- The deadline families, in a plain Federal Register text ---------------------------------------------


@pytest.mark.parametrize(
    ("ref", "rule", "due"),
    [
        ("2(a)", D.MonthsAfterOrder(6), dt.date(2026, 9, 3)),
        ("2(b)", D.YearsAfterOrder(1), dt.date(2027, 3, 3)),
        ("2(c)", D.OnDate(dt.date(2026, 12, 31)), dt.date(2026, 12, 31)),
        ("2(d)", D.AfterDirective("2(a)", days=90, trigger=D.Trigger.PUBLISHED), None),
        ("2(e)", D.Recurring(first=D.DaysAfterOrder(60), every_months=12), dt.date(2026, 5, 2)),
        ("2(f)", D.Recurring(first=D.DaysAfterOrder(60), every_days=60), dt.date(2026, 5, 2)),
        ("2(h)", D.DaysAfterOrder(30), dt.date(2026, 4, 2)),  # "within thirty days of this order"
    ],
)
def test_every_deadline_family_gets_its_rule(plain, ref, rule, due):
    directive = by_ref(plain)[ref]
    assert directive.rule == rule
    assert directive.due_on == due


def test_a_paragraph_with_two_deadlines_gives_two_directives(plain):
    d = by_ref(plain)
    assert d["2(g)"].rule == D.DaysAfterOrder(45)
    assert d["2(g)-2"].rule == D.YearsAfterOrder(1)
    assert d["2(g)-2"].leads == ("NIST",)
    assert d["2(g)-2"].source.startswith("Within 1 year of the date of this order")
    span = plain.text[d["2(g)-2"].start : d["2(g)-2"].end]
    assert span.startswith("Within 1 year") and span.endswith("on its use.")


def test_a_wrapped_deadline_phrase_is_found():
    text = PLAIN.replace("(b) Within 1 year of the date", "(b) Within 1\nyear of the\ndate")
    assert by_ref(draft(text))["2(b)"].rule == D.YearsAfterOrder(1)


def test_acting_through_consultation_and_coordination(plain):
    d = by_ref(plain)["2(g)"]
    assert d.leads == ("NIST",)
    assert d.consulted == ("DOJ", "STATE")


def test_jointly_gives_several_leads(plain):
    assert by_ref(plain)["2(h)"].leads == ("DOD", "DOE")


def test_an_unknown_actor_is_kept_defined_and_flagged(plain):
    d = by_ref(plain)["2(i)"]
    assert d.leads == ("SW",)
    assert "Unknown actor 'Secretary of Widgets'" in d.review
    agency = next(a for a in plain.agencies if a.abbreviation == "SW")
    assert agency.name == "Secretary of Widgets"
    assert any(f.startswith("2(i): Unknown actor") for f in plain.flags)
    parse_order_file(plain.toml)


def test_an_event_it_cannot_tie_to_a_directive_is_flagged(plain):
    d = by_ref(plain)["2(j)"]
    assert d.rule == D.DaysFromEvent(30, "their issuance")
    assert "cannot tie to a directive" in d.review


def test_a_recurrence_until_a_condition_is_flagged(plain):
    assert "a condition, not a date" in by_ref(plain)["2(f)"].review


def test_the_plain_header_gives_number_date_and_title(plain):
    assert (plain.order.number, plain.order.signed_on) == (99001, dt.date(2026, 3, 3))
    assert plain.order.title == "Improving the Testing of Orders"


def test_options_override_what_the_text_says():
    d = draft(PLAIN, number=99111, signed_on=dt.date(2026, 4, 1), title="Another title")
    assert (d.order.number, d.order.signed_on, d.order.title) == (99111, dt.date(2026, 4, 1), "Another title")
    assert by_ref(d)["2(h)"].due_on == dt.date(2026, 5, 1)


# --- Amendments and revocations of earlier orders --------------------------------------------------------


@pytest.fixture(scope="module")
def amending():
    return draft(AMENDING)


def test_a_revocation_of_a_whole_order_and_struck_subsections(amending):
    revoked = {r.order: r.directives for r in amending.revokes}
    assert revoked == {99000: (), 99001: ("2(a)", "2(b)")}


def test_inserted_text_gives_amendments_of_the_amended_order(amending):
    assert amending.directives == ()
    first, second, _ = amending.amends
    assert (first.order, first.directive, first.leads) == (99001, "2(c)", ("BLM",))
    assert first.rule == D.OnDate(dt.date(2026, 12, 1))
    assert second.directive == "2(c)-2"
    assert second.rule == D.AfterDirective("2(c)", days=120, trigger=D.Trigger.PUBLISHED)


def test_the_date_of_this_order_in_inserted_text_is_the_amended_order_s():
    # Inserted into EO 99001 (signed 2026-03-03), "within 1 year of the date of this order" is 2027-03-03,
    # not a year after the amending order (2026-06-06).
    amend = draft(AMENDING).amends[2]
    assert (amend.directive, amend.leads, amend.rule) == ("2(e)", ("OMB",), D.YearsAfterOrder(1))
    assert amend.due_on == dt.date(2027, 3, 3)


def test_a_wording_edit_is_noted_for_review(amending):
    assert "Sec. 2(d) edits the wording of EO 99001: nothing to track." in amending.flags


def test_the_amending_draft_loads_unedited(amending):
    spec = parse_order_file(amending.toml)
    assert [(a.order, a.directive) for a in spec.amends] == [
        (99001, "2(c)"),
        (99001, "2(c)-2"),
        (99001, "2(e)"),
    ]
    assert spec.directives == ()


# --- What cannot be drafted ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("", {}, "the text is empty"),
        ("   \n\n  ", {}, "the text is empty"),
        ("\x00\x01\x02binary", {}, "the input is binary"),
        ("A shopping list: eggs, milk, bread.", {}, "does not look like an executive order"),
        (
            "Sec. 1. Purpose. It is good to read.",
            {"number": 5, "signed_on": dt.date(2026, 1, 1)},
            "no directive",
        ),
        (SHAPE_OF_14409, {}, "give it with --number"),
        (
            PLAIN.replace("Executive Order 99001 of March 3, 2026", "").replace("March 3, 2026.", ""),
            {"number": 99001},
            "give it with --signed-on",
        ),
    ],
)
def test_it_refuses_what_it_cannot_draft_saying_why(text, options, message):
    with pytest.raises(DraftError, match=message):
        draft(text, **options)


def test_the_parsing_core_imports_no_django():
    import ast
    from pathlib import Path

    import directives.drafting
    from agencies import catalog

    files = [*Path(directives.drafting.__file__).parent.glob("*.py"), Path(catalog.__file__)]
    for path in files:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] == "django" for n in names), path


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
