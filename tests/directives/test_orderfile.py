"""The order-file format, pure: new directive fields, chained deadlines, revocations and amendments.

Nothing here touches the database: ``parse_order_file`` validates a whole file and either returns a spec
or lists every problem, naming the item and the field.
"""

import datetime as dt

import pytest

from directives import deadlines
from directives.orderfile import AmendSpec, OrderFileError, RevokeSpec, parse_order_file
from tests.conftest import ORDER_FILE

HEADER = """
[order]
number = 14306
title = "Sustaining select efforts"
signed_on = 2025-06-06

[[agencies]]
abbreviation = "DOC"
name = "Department of Commerce"
kind = "department"

[[agencies]]
abbreviation = "NIST"
name = "National Institute of Standards and Technology"
kind = "component"
parent = "DOC"
"""

DIRECTIVE = """
[[directives]]
ref = "2(a)"
title = "Publish the guidance"
leads = ["NIST"]
deadline = { kind = "days_after_order", days = 30 }
"""


def problems(text: str) -> list[str]:
    with pytest.raises(OrderFileError) as excinfo:
        parse_order_file(text)
    return excinfo.value.problems


def test_a_directive_keeps_its_source_excerpt_and_review_note():
    spec = parse_order_file(
        HEADER
        + """
[[directives]]
ref = "2(a)"
title = "Publish the guidance"
leads = ["NIST"]
deadline = { kind = "months_after_order", months = 6 }
source = "(a) Within 6 months of the date of this order, the Director of NIST shall publish guidance."
review = "Unknown actor: the Special Advisor."
"""
    )
    d = spec.directives[0]
    assert d.source.startswith("(a) Within 6 months")
    assert d.review == "Unknown actor: the Special Advisor."
    assert d.rule == deadlines.MonthsAfterOrder(6)


def test_every_new_rule_kind_is_read_from_toml():
    spec = parse_order_file(
        HEADER
        + DIRECTIVE
        + """
[[directives]]
ref = "2(b)"
title = "Publish the final version"
leads = ["NIST"]
deadline = { kind = "after_directive", directive = "2(a)", days = 120, trigger = "published" }

[[directives]]
ref = "2(c)"
title = "Update the list"
leads = ["NIST"]
deadline = { kind = "recurring", first = { kind = "on_date", date = 2025-12-01 }, every_months = 12 }

[[directives]]
ref = "2(d)"
title = "Report"
leads = ["NIST"]
deadline = { kind = "years_after_order", years = 1 }
"""
    )
    rules = {d.ref: d.rule for d in spec.directives}
    assert rules["2(b)"] == deadlines.AfterDirective("2(a)", days=120, trigger=deadlines.Trigger.PUBLISHED)
    assert rules["2(c)"] == deadlines.Recurring(first=deadlines.OnDate(dt.date(2025, 12, 1)), every_months=12)
    assert rules["2(d)"] == deadlines.YearsAfterOrder(1)


def test_a_chained_deadline_must_name_a_directive_of_the_same_file():
    found = problems(
        HEADER
        + DIRECTIVE
        + """
[[directives]]
ref = "2(b)"
title = "Publish the final version"
leads = ["NIST"]
deadline = { kind = "after_directive", directive = "2(z)", days = 120 }
"""
    )
    assert found == [
        "directives[2(b)].deadline.directive: no directive has the ref '2(z)' "
        "(give order = N for a directive of another order)"
    ]


def test_a_chained_deadline_may_name_a_directive_of_another_order():
    spec = parse_order_file(
        HEADER
        + """
[[directives]]
ref = "3"
title = "Follow up"
leads = ["NIST"]
deadline = { kind = "after_directive", directive = "4(a)", months = 2, order = 14144 }
"""
    )
    rule = spec.directives[0].rule
    assert isinstance(rule, deadlines.AfterDirective)
    assert rule.order == 14144


def test_a_recurring_rule_chained_first_is_checked_too():
    found = problems(
        HEADER
        + DIRECTIVE
        + """
[[directives]]
ref = "6(e)"
title = "Review the playbook"
leads = ["NIST"]
deadline = { kind = "recurring", first = { kind = "after_directive", directive = "6(b)", months = 12 }, every_months = 12 }
"""  # noqa: E501 - one TOML line
    )
    assert found[0].startswith("directives[6(e)].deadline.first.directive: no directive has the ref '6(b)'")


def test_chained_deadlines_may_not_wait_for_themselves_or_form_a_cycle():
    found = problems(
        HEADER
        + """
[[directives]]
ref = "1"
title = "One"
leads = ["NIST"]
deadline = { kind = "after_directive", directive = "1", days = 5 }

[[directives]]
ref = "2"
title = "Two"
leads = ["NIST"]
deadline = { kind = "after_directive", directive = "3", days = 5 }

[[directives]]
ref = "3"
title = "Three"
leads = ["NIST"]
deadline = { kind = "after_directive", directive = "2", days = 5 }
"""
    )
    assert "directives[1].deadline.directive: a deadline cannot wait for itself" in found
    assert "directives[2].deadline: the chained deadlines form a cycle" in found


def test_a_ref_longer_than_the_database_column_is_refused():
    found = problems(HEADER + DIRECTIVE.replace('ref = "2(a)"', f'ref = "{"2(a)" * 8}"'))
    assert found == ["directives[" + "2(a)" * 8 + "].ref: must be at most 30 characters, not 32"]


def test_a_ref_with_the_occurrence_mark_is_refused():
    found = problems(HEADER + DIRECTIVE.replace('ref = "2(a)"', 'ref = "2(a)#2"'))
    assert found == [
        "directives[2(a)#2].ref: must not contain '#', which numbers a recurring directive's occurrences"
    ]


REVOKES_AND_AMENDS = """
[[revokes]]
order = 14110

[[revokes]]
order = 14144
directives = ["2(a)", "2(b)"]

[[amends]]
order = 14144
directive = "2(c)(i)"
deadline = { kind = "on_date", date = 2025-08-01 }
note = "Replaces the relative deadline with a date."
leads = ["NIST"]
source = "(i) By August 1, 2025, the Secretary of Commerce, acting through the Director of NIST, shall ..."

[[amends]]
order = 14144
directive = "7(a)"
deadline = { kind = "years_after_order", years = 3 }
"""


def test_revocations_and_amendments_of_earlier_orders_are_read():
    spec = parse_order_file(HEADER + REVOKES_AND_AMENDS)
    assert spec.directives == ()
    assert spec.revokes == (RevokeSpec(order=14110), RevokeSpec(order=14144, directives=("2(a)", "2(b)")))
    first = spec.amends[0]
    assert first == AmendSpec(
        order=14144,
        directive="2(c)(i)",
        rule=deadlines.OnDate(dt.date(2025, 8, 1)),
        note="Replaces the relative deadline with a date.",
        leads=("NIST",),
        source=first.source,
    )
    assert spec.amends[1].rule == deadlines.YearsAfterOrder(3)


def test_a_file_with_nothing_to_track_is_refused():
    assert problems(HEADER) == [
        "directives: the file must list at least one [[directives]] item (or [[revokes]] or [[amends]])"
    ]


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("[[revokes]]\norder = 14306\n", "revokes[14306].order: 14306 is this file's own order"),
        ("[[revokes]]\norder = -3\n", "revokes[-3].order: must be an executive order's number, not -3"),
        (
            '[[revokes]]\norder = "14110"\n',
            "revokes[0].order: must be an executive order's number, not '14110'",
        ),
        ("[[revokes]]\ndirectives = ['4(b)']\n", "revokes[0].order: missing required field"),
        ("[[revokes]]\norder = 14110\ndirectives = ['']\n", "revokes[14110].directives: must be a list of"),
        ("[[revokes]]\norder = 14110\ndirectives = []\n", "revokes[14110].directives: name at least one"),
        ("[[revokes]]\norder = 14110\nwhy = 'x'\n", "revokes[14110].why: unknown field"),
        (
            "[[amends]]\norder = 14144\ndirective = '4(a)'\ndeadline = { kind = 'soon' }\n",
            "amends[14144 4(a)].deadline.kind: 'soon' is not one of",
        ),
        (
            "[[amends]]\norder = 14144\ndirective = '4(a)'\n",
            "amends[14144 4(a)].deadline: missing required field",
        ),
        (
            "[[amends]]\norder = 14144\ndirective = ''\ndeadline = { kind = 'none' }\n",
            "amends[0].directive: must not be empty",
        ),
        (
            "[[amends]]\norder = 14144\ndirective = '4(a)'\ndeadline = { kind = 'none' }\nleads = ['XYZ']\n",
            "amends[14144 4(a)].leads: unknown agency 'XYZ'",
        ),
        (
            "[[amends]]\norder = 14306\ndirective = '4(a)'\ndeadline = { kind = 'none' }\n",
            "amends[14306 4(a)].order: 14306 is this file's own order",
        ),
    ],
)
def test_a_bad_revocation_or_amendment_names_the_item_and_field(tail, message):
    found = problems(HEADER + DIRECTIVE + tail)
    assert any(p.startswith(message) for p in found), found


def test_revokes_must_be_an_array_of_tables():
    assert problems("revokes = 3\n" + HEADER + DIRECTIVE) == [
        "revokes: must be an array of tables ([[revokes]])"
    ]


def test_a_directive_both_revoked_and_amended_is_refused():
    found = problems(
        HEADER
        + "[[revokes]]\norder = 14144\ndirectives = ['4(a)']\n"
        + "[[amends]]\norder = 14144\ndirective = '4(a)'\ndeadline = { kind = 'none' }\n"
    )
    assert found == ["amends[14144 4(a)]: the same file revokes that directive"]


def test_every_problem_is_listed_at_once():
    found = problems(
        HEADER
        + DIRECTIVE.replace("days = 30", 'days = "30"')
        + "[[revokes]]\norder = 0\n"
        + "[[amends]]\norder = 14144\ndirective = '4(a)'\n"
        + "deadline = { kind = 'on_date', date = '2025-12-01' }\n"
    )
    assert len(found) == 3


# --- The kind of presidential document ---------------------------------------------------------------


def test_an_order_is_an_executive_order_unless_the_file_says_otherwise():
    assert parse_order_file(HEADER + DIRECTIVE).order.kind == "executive_order"


def test_a_proclamation_keeps_its_kind_and_number():
    text = HEADER.replace("[order]\n", '[order]\nkind = "proclamation"\n').replace("14306", "10896")

    order = parse_order_file(text + DIRECTIVE).order

    assert (order.kind, order.number) == ("proclamation", 10896)


def test_a_memorandum_needs_no_number():
    text = HEADER.replace("number = 14306\n", 'kind = "presidential_memorandum"\n')

    order = parse_order_file(text + DIRECTIVE).order

    assert (order.kind, order.number) == ("presidential_memorandum", 0)


def test_an_executive_order_without_a_number_is_refused_at_the_field():
    text = HEADER.replace("number = 14306\n", "")

    assert "order.number: missing required field (only a memorandum may have none)" in problems(
        text + DIRECTIVE
    )


def test_an_unknown_kind_is_refused_at_the_field():
    text = HEADER.replace("[order]\n", '[order]\nkind = "decree"\n')

    assert any(p.startswith("order.kind: 'decree' is not one of executive_order") for p in problems(text))


# --- Impossible dates name their field ------------------------------------------------------------


def test_an_impossible_signing_date_names_the_field_not_only_the_line():
    text = ORDER_FILE.read_text().replace("signed_on = 2026-06-02", "signed_on = 2026-13-01")
    assert problems(text) == ["order.signed_on: 2026-13-01 is not a real date (YYYY-MM-DD), line 7"]


TWO_DIRECTIVES = (
    '[order]\nnumber = 90009\n\n[[directives]]\nref = "1"\ntitle = "A"\n\n[[directives]]\nref = "2(a)"\n'
)
RECURRING = '[directives.deadline]\nkind = "recurring"\nevery_months = 1\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ORDER_FILE.read_text().replace(
                "signed_on = 2026-06-02\n", "signed_on = 2026-06-02\npublished_on = 2026-02-29\n"
            ),
            "order.published_on: 2026-02-29 is not a real date (YYYY-MM-DD), line 8",
        ),
        (
            TWO_DIRECTIVES + 'deadline = { kind = "on_date", date = 2026-02-30 }\n',
            "directives[2(a)].deadline.date: 2026-02-30 is not a real date (YYYY-MM-DD), line 10",
        ),
        (
            TWO_DIRECTIVES + RECURRING + 'first = { kind = "on_date", date = 2026-13-01 }\n',
            "directives[2(a)].deadline.first.date: 2026-13-01 is not a real date (YYYY-MM-DD), line 13",
        ),
        (
            TWO_DIRECTIVES
            + RECURRING
            + 'first = { kind = "days_after_order", days = 1 }\nuntil = 2026-04-31\n',
            "directives[2(a)].deadline.until: 2026-04-31 is not a real date (YYYY-MM-DD), line 14",
        ),
        (
            TWO_DIRECTIVES
            + 'deadline = { kind = "recurring", first = { kind = "on_date", date = 2026-13-01 }, '
            "every_months = 1 }\n",
            "directives[2(a)].deadline.first.date: 2026-13-01 is not a real date (YYYY-MM-DD), line 10",
        ),
        (
            '[order]\nnumber = 90009\n\n[[amends]]\norder = 14409\ndirective = "2(b)"\n'
            'deadline = { kind = "on_date", date = 2026-00-10 }\n',
            "amends[14409 2(b)].deadline.date: 2026-00-10 is not a real date (YYYY-MM-DD), line 7",
        ),
    ],
    ids=["order.published_on", "deadline.date", "deadline.first.date", "deadline.until", "nested", "amends"],
)
def test_an_impossible_date_names_its_entry_and_field_wherever_it_is(text, expected):
    assert problems(text) == [expected]
