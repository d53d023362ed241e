"""Issue 21, item 8 (with item 7): verify_history replays what a directive is from its history.

A directive's title, lead and consulted agencies and the section it is part of are set by its created
event (what it starts as) and changed only by events (a reload's, an amendment's). One changed in SQL,
behind the history, is named with what the row says and what the events say.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency
from directives.history import definitions, proof
from directives.models import Directive, DirectiveEvent, Involvement
from tests.directives.test_reload_events import edit_part_ii, reload


def problems() -> str:
    with pytest.raises(CommandError) as raised:
        call_command("verify_history", stdout=io.StringIO())
    return str(raised.value)


def seq_of_created(ref: str) -> int:
    return DirectiveEvent.objects.get(directive__ref=ref, kind=DirectiveEvent.Kind.CREATED).seq


def lead_of(ref: str) -> Involvement:
    return Involvement.objects.get(directive__ref=ref, role=Involvement.Role.LEAD)


@pytest.mark.django_db
def test_the_created_event_says_what_the_directive_starts_as(order):
    note = DirectiveEvent.objects.get(directive__ref="2(c)(ii)", kind=DirectiveEvent.Kind.CREATED).note
    assert note == (
        "Loaded from Executive Order 14409. Starts as: title 'Establish or expand federal programs for "
        "AI-enabled defensive tools'; led by CISA; consulted: OMB, NSC, ONCD; part of 2(c)."
    )
    assert proof.verify().ok, proof.verify().problems


@pytest.mark.django_db
def test_a_lead_changed_in_sql_is_named(order):
    lead = lead_of("2(c)(ii)")
    lead.agency = Agency.objects.get(abbreviation="OMB")
    lead.save()
    found = problems()
    assert (
        f"EO 14409, directive 2(c)(ii), seq {seq_of_created('2(c)(ii)')}: the directive's definition differs "
        "from its history: lead agencies are OMB but its events say CISA"
    ) in found


@pytest.mark.django_db
def test_a_lead_changed_in_sql_is_named_when_every_directive_is_read(order, monkeypatch):
    # Past FEW directives known, the comparison reads every row and skips those not known.
    monkeypatch.setattr(definitions, "FEW", 0)
    lead = lead_of("2(c)(ii)")
    lead.agency = Agency.objects.get(abbreviation="OMB")
    lead.save()
    found = problems()
    assert "directive 2(c)(ii)" in found
    assert "lead agencies are OMB but its events say CISA" in found
    assert found.count("definition differs") == 1


@pytest.mark.django_db
def test_a_consulted_agency_removed_in_sql_is_named(order):
    Involvement.objects.filter(directive__ref="2(e)", agency__abbreviation="CISA").delete()
    assert "consulted agencies are ONCD but its events say ONCD, CISA" in problems()


@pytest.mark.django_db
def test_a_title_changed_in_sql_is_named(order):
    Directive.objects.filter(ref="2(f)").update(title="Hire fewer specialists")
    assert (
        f"directive 2(f), seq {seq_of_created('2(f)')}: the directive's definition differs from its "
        "history: title is 'Hire fewer specialists' but its events say 'Expand Tech Force cybersecurity "
        "specialist hiring pathways'"
    ) in problems()


@pytest.mark.django_db
def test_a_part_moved_to_another_section_in_sql_is_named(order):
    Directive.objects.filter(ref="2(c)(i)").update(parent=Directive.objects.get(ref="2(b)"))
    assert "it is part of 2(b) but its events say 2(c)" in problems()


@pytest.mark.django_db
def test_a_ref_changed_in_sql_breaks_its_chain(order):
    Directive.objects.filter(ref="2(f)").update(ref="2(g)")
    found = problems()
    assert "EO 14409" in found and "hash" in found


@pytest.mark.django_db
def test_a_lead_a_reload_changed_is_held_to_the_reload_and_set_back_in_sql_is_named(order, tmp_path):
    reload(edit_part_ii('leads = ["CISA"]', 'leads = ["OMB"]'), tmp_path)
    assert proof.verify().ok, proof.verify().problems  # the reload's event says OMB now
    lead = lead_of("2(c)(ii)")
    lead.agency = Agency.objects.get(abbreviation="CISA")
    lead.save()
    assert "lead agencies are CISA but its events say OMB" in problems()


@pytest.mark.django_db
def test_a_renamed_agency_is_still_the_lead_its_history_names(order):
    cisa = Agency.objects.get(abbreviation="CISA")
    cisa.abbreviation = "CISA2"
    cisa.save()  # audited in the access log: the history's "CISA" is this agency
    assert proof.verify().ok, proof.verify().problems
