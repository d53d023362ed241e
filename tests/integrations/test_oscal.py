"""OSCAL: an order's open directives as a plan of action and milestones, validated by compliance-trestle's
OSCAL 1.1 models when it is made and again when it is read back; from the command, the page and the API."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.common import TokenDatatype
from trestle.oscal.poam import Model, PlanOfActionAndMilestones

from directives import actions, deadlines
from directives.models import Directive

NOTE = "Internal note that must not leave the site"


def read_back(text: str) -> PlanOfActionAndMilestones:
    """Validate ``text`` with trestle's models, as a receiving security office's tools would."""
    return Model.parse_obj(json.loads(text)).plan_of_action_and_milestones


def test_the_export_validates_and_lists_every_open_directive_with_its_deadline(
    order, directive, cisa_editor, today
):
    actions.change_status(
        directive("2(c)(ii)"), "completed", actor=cisa_editor, completed_on=today, note=NOTE
    )
    out = io.StringIO()
    call_command("export_poam", "14409", stdout=out)
    assert NOTE not in out.getvalue()
    plan = read_back(out.getvalue())
    assert OSCAL_VERSION.startswith("1.1.")
    assert plan.metadata.oscal_version.__root__ == OSCAL_VERSION
    open_ones = Directive.objects.filter(order=order).open().trackable()
    assert len(plan.poam_items) == open_ones.count() > 5
    titles = [item.title for item in plan.poam_items]
    assert not any("sec. 2(c)(ii):" in t for t in titles)  # completed: not in the plan
    risks = {risk.uuid: risk for risk in plan.risks}
    first = plan.poam_items[0]
    risk = risks[first.related_risks[0].risk_uuid]
    props = {p.name: p.value for p in first.props}
    d = Directive.objects.get(order=order, ref=props["section"])
    assert risk.deadline == deadlines.end_of_day(d.due_on)  # midnight ending the due day, Eastern
    assert props["due-on"] == d.due_on.isoformat()
    status = risk.status.__root__  # read back as the schema's first choice, a token
    assert isinstance(status, TokenDatatype)
    assert status.__root__ == "open"


def test_uuids_are_stable_from_one_export_to_the_next(order):
    first, second = io.StringIO(), io.StringIO()
    call_command("export_poam", "14409", stdout=first)
    call_command("export_poam", "14409", stdout=second)
    a, b = read_back(first.getvalue()), read_back(second.getvalue())
    assert a.uuid == b.uuid
    assert [i.uuid for i in a.poam_items] == [i.uuid for i in b.poam_items]


def test_the_page_and_the_api_serve_the_same_document(client, order, cisa_editor):
    client.force_login(cisa_editor)
    download = client.get("/orders/14409/poam.json")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    api = client.get("/api/v1/orders/14409/poam/")
    assert api.status_code == 200
    assert read_back(download.content).poam_items == read_back(api.content).poam_items
    assert client.get("/api/v1/orders/99999/poam/").status_code == 404
    assert client.get("/orders/99999/poam.json").status_code == 404


def test_the_command_names_a_missing_order(db):
    with pytest.raises(CommandError, match="no executive order 99999"):
        call_command("export_poam", "99999")
