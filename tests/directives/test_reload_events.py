"""Issue 21, item 7: a reload of an order file that changes a directive's definition records each change.

The leads, the consulted agencies, the section a part belongs to (its parent's ref) and the title: one
event each, in the order's hash chain, with the old and the new value; ``verify_history`` passes after.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from directives.history import proof
from directives.models import Directive, DirectiveEvent
from tests.conftest import ORDER_FILE

SHIPPED = ORDER_FILE.read_text()
PART_II = (
    'ref = "2(c)(ii)"\nparent = "2(c)"\n'
    'title = "Establish or expand federal programs for AI-enabled defensive tools"\n'
)


def reload(text: str, tmp_path: Path) -> str:
    assert text != SHIPPED, "the edit must change the file"
    path = tmp_path / "order.toml"
    path.write_text(text)
    out = StringIO()
    call_command("load_order", str(path), stdout=out)
    return out.getvalue()


def edit_part_ii(old: str, new: str) -> str:
    """Return the shipped file with ``old`` replaced by ``new`` in directive 2(c)(ii) only."""
    start = SHIPPED.index(PART_II)
    end = SHIPPED.index("[[directives]]", start)
    section = SHIPPED[start:end]
    assert old in section
    return SHIPPED[:start] + section.replace(old, new) + SHIPPED[end:]


def notes_since(ref: str, seq: int) -> list[str]:
    return list(
        DirectiveEvent.objects.filter(directive__ref=ref, seq__gt=seq, kind=DirectiveEvent.Kind.UPDATED)
        .order_by("seq")
        .values_list("note", flat=True)
    )


def head(order) -> int:
    return order.events.order_by("-seq").values_list("seq", flat=True).first()


def verify_history() -> str:
    out = StringIO()
    call_command("verify_history", stdout=out)  # raises CommandError (exit 1) on any problem
    return out.getvalue()


@pytest.mark.django_db
def test_a_new_lead_is_an_event_naming_the_old_and_new_leads(order, tmp_path):
    seq = head(order)
    out = reload(edit_part_ii('leads = ["CISA"]', 'leads = ["OMB", "CISA"]'), tmp_path)
    assert "1 updated" in out
    assert notes_since("2(c)(ii)", seq) == ["Lead agencies changed by the order file from CISA to OMB, CISA."]
    assert proof.verify().ok, proof.verify().problems
    verify_history()


@pytest.mark.django_db
def test_other_consulted_agencies_are_an_event(order, tmp_path):
    seq = head(order)
    reload(edit_part_ii('consulted = ["OMB", "NSC", "ONCD"]', 'consulted = ["OMB", "NSC"]'), tmp_path)
    assert notes_since("2(c)(ii)", seq) == [
        "Consulted agencies changed by the order file from OMB, NSC, ONCD to OMB, NSC."
    ]
    assert proof.verify().ok, proof.verify().problems


@pytest.mark.django_db
def test_a_part_moved_to_another_section_is_an_event_naming_both_refs(order, tmp_path):
    seq = head(order)
    reload(edit_part_ii('parent = "2(c)"', 'parent = "2(b)"'), tmp_path)
    assert Directive.objects.get(ref="2(c)(ii)").parent.ref == "2(b)"
    assert notes_since("2(c)(ii)", seq) == ["Part of changed by the order file from 2(c) to 2(b)."]
    assert proof.verify().ok, proof.verify().problems


@pytest.mark.django_db
def test_a_new_title_is_an_event_with_the_old_and_the_new_title(order, tmp_path):
    seq = head(order)
    reload(
        edit_part_ii(
            'title = "Establish or expand federal programs for AI-enabled defensive tools"',
            'title = "Run AI-enabled cyber defense programs"',
        ),
        tmp_path,
    )
    assert notes_since("2(c)(ii)", seq) == [
        "Title changed by the order file from 'Establish or expand federal programs for AI-enabled "
        "defensive tools' to 'Run AI-enabled cyber defense programs'."
    ]
    assert proof.verify().ok, proof.verify().problems


@pytest.mark.django_db
def test_each_change_of_one_reload_is_its_own_event_and_no_other_directive_gets_one(order, tmp_path):
    seq = head(order)
    text = edit_part_ii('leads = ["CISA"]', 'leads = ["NSC"]')
    text = text.replace(PART_II, PART_II.replace('parent = "2(c)"', 'parent = "2(a)"'))
    text = text.replace(
        'ref = "2(c)(ii)"\nparent = "2(a)"\ntitle = "Establish or expand federal programs',
        'ref = "2(c)(ii)"\nparent = "2(a)"\ntitle = "Expand federal programs',
    )
    reload(text, tmp_path)
    assert [note.split(" changed")[0] for note in notes_since("2(c)(ii)", seq)] == [
        "Title",
        "Lead agencies",
        "Part of",
    ]
    others = DirectiveEvent.objects.filter(seq__gt=seq).exclude(directive__ref="2(c)(ii)")
    assert list(others.values_list("directive__ref", "kind")) == []
    verify_history()


@pytest.mark.django_db
def test_a_reload_of_the_same_file_records_nothing(order, tmp_path):
    seq = head(order)
    path = tmp_path / "order.toml"
    path.write_text(SHIPPED)
    call_command("load_order", str(path), stdout=StringIO())
    assert head(order) == seq
