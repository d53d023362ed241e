"""`load_order`: the whole file is validated first; a bad file names the item and field and writes nothing."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency
from directives import actions, deadlines
from directives.models import Directive, DirectiveEvent, Order, Status
from tests.conftest import ORDER_FILE

SHIPPED = ORDER_FILE.read_text()

MINIMAL = """
[order]
number = 99001
title = "A test order"
signed_on = 2026-01-15

[[agencies]]
abbreviation = "ABC"
name = "Agency for Better Code"
kind = "department"

[[directives]]
ref = "1"
title = "Do the thing"
leads = ["ABC"]
deadline = { kind = "days_after_order", days = 45 }
"""


def load(text: str, tmp_path: Path) -> str:
    path = tmp_path / "order.toml"
    path.write_text(text)
    out = StringIO()
    call_command("load_order", str(path), stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Order.objects.count(),
        Agency.objects.count(),
        Directive.objects.count(),
        DirectiveEvent.objects.count(),
    )


@pytest.mark.django_db
def test_it_loads_the_thirteen_directives_of_eo_14409(tmp_path):
    out = load(SHIPPED, tmp_path)
    assert "13 created" in out
    due = dict(Directive.objects.values_list("ref", "due_on"))
    assert len(due) == 13
    july, august = dt.date(2026, 7, 2), dt.date(2026, 8, 1)
    assert sorted(r for r, d in due.items() if d == july) == sorted(
        ["2(a)", "2(b)", "2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)"]
    )
    assert sorted(r for r, d in due.items() if d == august) == ["2(f)", "3", "3(a)", "3(b)"]
    assert due["4"] is None
    order = Order.objects.get()
    assert (order.number, order.signed_on, order.federal_register_citation) == (
        14409,
        dt.date(2026, 6, 2),
        "91 FR 34565",
    )
    assert "3(c)" in order.notes


@pytest.mark.django_db
def test_it_records_leads_owner_first_and_parents(tmp_path):
    load(SHIPPED, tmp_path)
    sec3 = Directive.objects.with_agencies().get(ref="3")
    assert [a.abbreviation for a in sec3.lead_agencies] == ["TREASURY", "NSA", "CISA"]
    assert [a.abbreviation for a in sec3.consulted_agencies] == ["ONCD", "OSTP", "NIST"]
    assert sorted(Directive.objects.filter(parent__ref="2(c)").values_list("ref", flat=True)) == [
        "2(c)(i)",
        "2(c)(ii)",
        "2(c)(iii)",
    ]
    assert Directive.objects.get(ref="3(a)").rule == deadlines.DaysAfterOrder(days=60, ongoing=True)
    assert Agency.objects.get(abbreviation="CISA").parent.abbreviation == "DHS"
    assert Agency.objects.get(abbreviation="OMB").parent.abbreviation == "EOP"


@pytest.mark.django_db
def test_a_second_load_changes_nothing(tmp_path):
    load(SHIPPED, tmp_path)
    before = counts()
    out = load(SHIPPED, tmp_path)
    assert "0 created, 0 updated, 13 unchanged" in out
    assert counts() == before


@pytest.mark.django_db
def test_an_edited_title_is_updated_and_status_and_history_are_kept(tmp_path, cisa_editor):
    actions.change_status(Directive.objects.get(ref="2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor)
    history = DirectiveEvent.objects.filter(directive__ref="2(c)(ii)").count()
    edited = SHIPPED.replace(
        'title = "Establish or expand federal programs for AI-enabled defensive tools"',
        'title = "Establish or expand programs for AI-enabled cyber defense"',
    )
    assert edited != SHIPPED
    out = load(edited, tmp_path)
    assert "1 updated" in out
    d = Directive.objects.get(ref="2(c)(ii)")
    assert d.title == "Establish or expand programs for AI-enabled cyber defense"
    assert d.status == Status.IN_PROGRESS
    assert d.events.count() == history + 1
    assert d.events.first().kind == DirectiveEvent.Kind.UPDATED


@pytest.mark.django_db
def test_it_loads_another_order_from_one_file(tmp_path):
    load(MINIMAL, tmp_path)
    d = Directive.objects.get(order__number=99001)
    assert d.due_on == dt.date(2026, 3, 1)
    assert d.due_at == dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_business_day_policy_rolls_a_weekend_deadline(tmp_path):
    # 2026-01-15 + 45 days = Sunday 2026-03-01 -> Monday 2026-03-02.
    text = MINIMAL.replace(
        "signed_on = 2026-01-15", 'signed_on = 2026-01-15\ndeadline_policy = "next_business_day"'
    )
    load(text, tmp_path)
    assert Directive.objects.get(order__number=99001).due_on == dt.date(2026, 3, 2)


BAD_FILES = [
    (
        "missing field",
        MINIMAL.replace('title = "Do the thing"\n', ""),
        "directives[1].title: missing required field",
    ),
    (
        "unknown agency",
        MINIMAL.replace('leads = ["ABC"]', 'leads = ["XYZ"]'),
        "directives[1].leads: unknown agency 'XYZ'",
    ),
    (
        "duplicate ref",
        MINIMAL
        + '\n[[directives]]\nref = "1"\ntitle = "Again"\nleads = ["ABC"]\ndeadline = { kind = "none" }\n',
        "directives[1].ref: duplicate ref '1'",
    ),
    (
        "bad date",
        MINIMAL.replace("signed_on = 2026-01-15", 'signed_on = "January 15"'),
        "order.signed_on: must be a date",
    ),
    (
        "impossible date",
        MINIMAL.replace("signed_on = 2026-01-15", "signed_on = 2026-02-30"),
        "order.signed_on: 2026-02-30 is not a real date",
    ),
    (
        "missing parent",
        MINIMAL.replace('ref = "1"', 'ref = "1"\nparent = "9"'),
        "directives[1].parent: no directive has the ref '9'",
    ),
    (
        "unknown field",
        MINIMAL.replace('ref = "1"', 'ref = "1"\nowner = "ABC"'),
        "directives[1].owner: unknown field",
    ),
    (
        "bad deadline",
        MINIMAL.replace('kind = "days_after_order", days = 45', 'kind = "days_after_order", days = "45"'),
        "directives[1].deadline.days: must be a whole number",
    ),
    (
        "bad agency kind",
        MINIMAL.replace('kind = "department"', 'kind = "ministry"'),
        "agencies[ABC].kind: 'ministry'",
    ),
    ("no directives", MINIMAL.split("[[directives]]")[0], "directives: the file must list at least one"),
    ("not toml", "this is = = not toml", "not valid TOML"),
    (
        "parent cycle",
        MINIMAL.replace('ref = "1"', 'ref = "1"\nparent = "2"')
        + '\n[[directives]]\nref = "2"\nparent = "1"\ntitle = "Two"\nleads = ["ABC"]\n'
        + 'deadline = { kind = "none" }\n',
        "parents form a cycle",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "text", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_names_the_item_and_field_and_writes_nothing(tmp_path, case, text, message):
    load(SHIPPED, tmp_path)
    before = counts()
    with pytest.raises(CommandError) as exc:
        load(text, tmp_path)
    assert message in str(exc.value)
    assert "nothing was loaded" in str(exc.value)
    assert counts() == before


@pytest.mark.django_db
def test_it_refuses_to_move_an_original_due_date(tmp_path):
    load(MINIMAL, tmp_path)
    before = counts()
    with pytest.raises(CommandError, match="original due dates never change"):
        load(MINIMAL.replace("days = 45", "days = 46"), tmp_path)
    assert counts() == before
    assert Directive.objects.get(order__number=99001).due_on == dt.date(2026, 3, 1)


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("load_order", str(tmp_path / "nope.toml"))


@pytest.mark.django_db
def test_without_a_path_it_loads_the_bundled_orders():
    out = StringIO()
    call_command("load_order", stdout=out)
    assert "eo-14409.toml: Executive Order 14409: 13 created" in out.getvalue()


@pytest.mark.django_db
def test_it_stores_the_kind_of_presidential_document(tmp_path):
    load(MINIMAL.replace("[order]\n", '[order]\nkind = "national_security_memorandum"\n'), tmp_path)

    order = Order.objects.get(number=99001)
    assert order.kind == "national_security_memorandum"
    assert str(order) == "National Security Memorandum 99001"


@pytest.mark.django_db
def test_a_memorandum_without_a_number_is_refused_at_the_field_and_nothing_is_written(tmp_path):
    text = MINIMAL.replace("number = 99001\n", 'kind = "presidential_memorandum"\n')
    before = counts()

    with pytest.raises(CommandError, match=r"order\.number.*has no number"):
        load(text, tmp_path)

    assert counts() == before
