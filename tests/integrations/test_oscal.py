"""OSCAL: an order's open directives as a plan of action and milestones, validated by compliance-trestle's
OSCAL 1.1 models when it is made and again when it is read back; from the command, the page and the API."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema_rs
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.common import TokenDatatype
from trestle.oscal.poam import Model, PlanOfActionAndMilestones

from directives import actions, deadlines
from directives.models import Directive, Status

NOTE = "Internal note that must not leave the site"
# NIST's published OSCAL 1.1.3 POA&M JSON schema, vendored as released (tests/schemas/README.md).
POAM_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "schemas" / "oscal-1.1.3" / "oscal_poam_schema.json").read_text()
)


def schema_errors(text: str) -> list[str]:
    """Return what NIST's OSCAL 1.1.3 POA&M schema finds wrong with ``text`` (nothing: valid)."""
    validator = jsonschema_rs.validator_for(POAM_SCHEMA)
    return [f"{list(e.instance_path)}: {e.message[:200]}" for e in validator.iter_errors(json.loads(text))]


def exported(number: str = "14409") -> str:
    out = io.StringIO()
    call_command("export_poam", number, stdout=out)
    return out.getvalue()


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


def test_the_schema_is_nists_oscal_1_1_3_and_finds_real_faults():
    assert POAM_SCHEMA["$id"] == "http://csrc.nist.gov/ns/oscal/1.1.3/oscal-poam-schema.json"
    assert schema_errors('{"plan-of-action-and-milestones": {"uuid": "not-a-uuid"}}')


def test_the_export_is_valid_against_nists_schema(order):
    assert schema_errors(exported()) == []


def test_an_order_with_nothing_open_is_still_a_valid_plan_with_one_item_saying_so(order):
    Directive.objects.filter(order=order).update(status=Status.NOT_APPLICABLE)
    text = exported()
    assert schema_errors(text) == []
    plan = json.loads(text)["plan-of-action-and-milestones"]
    [item] = plan["poam-items"]
    assert item["title"] == "EO 14409: no open directives"
    assert {p["name"]: p["value"] for p in item["props"]}["open-directives"] == "0"
    assert "risks" not in plan


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Inventory\nall systems\r\n  and  report", "Inventory all systems and report"),
        ("Évaluer les systèmes — 安全 ✓ “quoted”", "Évaluer les systèmes — 安全 ✓ “quoted”"),
        ("Inventory " * 30, ("Inventory " * 30).strip()),  # 300 characters, the longest title kept
    ],
    ids=["newline", "unicode", "very-long"],
)
def test_a_hard_title_gives_a_valid_plan(order, directive, title, expected):
    d = directive("2(c)(ii)")
    Directive.objects.filter(pk=d.pk).update(title=title)
    text = exported()
    assert schema_errors(text) == []
    titles = [i["title"] for i in json.loads(text)["plan-of-action-and-milestones"]["poam-items"]]
    assert f"EO 14409 sec. 2(c)(ii): {expected}" in titles


def test_a_very_long_summary_over_many_lines_is_a_valid_description(order, directive):
    d = directive("2(c)(ii)")
    summary = "\n\n".join(f"Paragraph {n}: inventory every system, ünïcödé included." for n in range(2000))
    Directive.objects.filter(pk=d.pk).update(summary=summary)
    text = exported()
    assert schema_errors(text) == []
    items = json.loads(text)["plan-of-action-and-milestones"]["poam-items"]
    [item] = [i for i in items if i["title"].startswith("EO 14409 sec. 2(c)(ii):")]
    assert item["description"] == summary  # markup-multiline: its paragraphs kept
