"""An order's open directives as an OSCAL Plan of Action and Milestones (POA&M), in JSON.

Built with compliance-trestle's models (pinned to its 3.x line, which implements OSCAL 1.1.3), so the
document is validated as it is made: a field out of place raises before anything is written out.
Each open tracked directive is one ``poam-item`` with one ``risk`` (the duty unmet) whose ``deadline``
is the end of the due day, Eastern Time. UUIDs are name-based (version 5) from the site's address and
the directive's id, so the same directive keeps its UUIDs from one export to the next, as OSCAL asks.
No notes or evidence are exported: only what the order says and the status recorded.

Checked in the tests against NIST's published OSCAL 1.1.3 POA&M JSON schema (vendored in
``tests/schemas/oscal-1.1.3/``), which asks more than trestle's models: at least one ``poam-item``,
so an order with nothing open gets one item saying so; titles and property values on one line
(``markup-line``, and ``StringDatatype``'s pattern, no line breaks nor edge spaces), so whitespace runs
in the order's text are folded to one space there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Max

from directives import deadlines
from directives.models import Directive, DirectiveQuerySet, Order
from directives.queries.public_status import public_status, review_status

if TYPE_CHECKING:
    from trestle.oscal import common, poam

# trestle's models (pydantic, every OSCAL type) take about 0.45 s to import: each function imports them
# when a plan is made, so the server, the workers and every command start without them.

NAMESPACE = "https://orderctl.example/ns/oscal"  # the props' namespace: names of our own


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join([settings.SITE_URL.rstrip("/"), *map(str, parts)])))


def _line(text: str) -> str:
    """Return ``text`` on one line: every run of whitespace (line breaks included) one space, trimmed."""
    return " ".join(text.split())


def _prop(name: str, value: str) -> common.Property:
    from trestle.oscal import common

    return common.Property(name=name, value=_line(value), ns=NAMESPACE)


def open_directives(order: Order) -> DirectiveQuerySet:
    """Return the order's open tracked items (none completed or rescinded), in the order's sequence."""
    return (
        Directive.objects.filter(order=order).open().trackable().with_agencies().order_by("position", "ref")
    )


def _item(directive: Directive, now: dt.datetime) -> tuple[poam.PoamItem, common.Risk]:
    from trestle.oscal import common, poam

    leads = ", ".join(a.abbreviation for a in directive.lead_agencies) or "no agency"
    status = public_status(directive)
    risk_uuid = _uuid("directive", directive.pk, "risk")
    props = [
        _prop("order", str(directive.order.number)),
        _prop("section", directive.ref),
        _prop("lead-agencies", leads),
        _prop("status", status),
        _prop("review-status", review_status(directive)),
    ]
    if directive.due_on:
        props.append(_prop("due-on", directive.due_on.isoformat()))
    overdue = directive.is_own_overdue(now)
    risk = common.Risk(
        uuid=risk_uuid,
        title=f"EO {directive.order.number} sec. {directive.ref} not yet met",
        description=directive.summary or directive.title,
        statement=(
            f"The directive is {status.replace('_', ' ')}{' and overdue' if overdue else ''}; lead: {leads}."
        ),
        status=common.RiskStatus(__root__="open"),
        deadline=deadlines.end_of_day(directive.due_on) if directive.due_on else None,
    )
    item = poam.PoamItem(
        uuid=_uuid("directive", directive.pk, "poam-item"),
        title=_line(f"EO {directive.order.number} sec. {directive.ref}: {directive.title}"),
        description=directive.summary or directive.title,
        props=props,
        related_risks=[common.RelatedRisk(risk_uuid=risk_uuid)],
    )
    return item, risk


def _nothing_open(order: Order) -> poam.PoamItem:
    """Return the one item of a plan with nothing open: OSCAL requires at least one ``poam-item``.

    It has no risk, and its ``open-directives`` prop says 0, so a tool counting risks counts none.
    """
    from trestle.oscal import poam

    return poam.PoamItem(
        uuid=_uuid("order", order.number, "nothing-open"),
        title=f"EO {order.number}: no open directives",
        description="Every tracked directive of the order is completed, not applicable or rescinded.",
        props=[_prop("order", str(order.number)), _prop("open-directives", "0")],
    )


def plan_of_action(order: Order, now: dt.datetime) -> poam.Model:
    """Return the POA&M of ``order``'s open directives at ``now``, as trestle's validated model."""
    from trestle.oscal import OSCAL_VERSION, common, poam

    directives = list(open_directives(order))
    pairs = [_item(d, now) for d in directives]
    changed = Directive.objects.filter(order=order).aggregate(last=Max("updated_at"))["last"] or now
    metadata = common.Metadata(
        title=f"Executive Order {order.number}: plan of action and milestones",
        last_modified=changed,
        published=now,
        version=now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        oscal_version=common.OscalVersion(__root__=OSCAL_VERSION),
        remarks=f"{order.title}. The open directives of the order as recorded at {settings.SITE_URL}.",
    )
    plan = poam.PlanOfActionAndMilestones(
        uuid=_uuid("order", order.number, "poam"),
        metadata=metadata,
        system_id=common.SystemId(identifier_type=settings.SITE_URL, id=f"eo-{order.number}"),
        risks=[risk for _, risk in pairs] or None,
        poam_items=[item for item, _ in pairs] or [_nothing_open(order)],
    )
    return poam.Model(plan_of_action_and_milestones=plan)


def to_json(model: poam.Model) -> str:
    """Return the POA&M as OSCAL JSON (wrapped in its root key, as the schema has it)."""
    return model.plan_of_action_and_milestones.oscal_serialize_json(pretty=True, wrapped=True)
