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
