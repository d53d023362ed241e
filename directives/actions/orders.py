"""Loading an order file: its agencies, the order and its directives, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency

from .. import deadlines, history
from ..history import NewEvent
from ..models import Directive, DirectiveEvent, Involvement, Order

if TYPE_CHECKING:
    from ..orderfile import DirectiveSpec, OrderSpec


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    agencies_created: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged; "
            f"{len(self.agencies_created)} agencies added"
        )


def load_order(spec: OrderSpec, *, actor: User | None = None) -> tuple[Order, LoadReport]:
    """Create or update an order, its agencies and its directives from a validated ``OrderSpec``.

    Idempotent: a second load of the same spec changes nothing. Definitions (titles, summaries,
    agencies, parents) follow the file; statuses, effective deadlines and history are kept. An
    original due date never changes after the first load: a spec that would move one is refused.
    """
    now = timezone.now()
    report = LoadReport()
    with transaction.atomic():
        agencies: dict[str, Agency] = {}
        for a in spec.agencies:
            agency, created = Agency.objects.get_or_create(
                abbreviation=a.abbreviation, defaults={"name": a.name, "kind": a.kind}
            )
            if created:
                report.agencies_created.append(a.abbreviation)
            agencies[a.abbreviation] = agency
        for a in spec.agencies:
            agency = agencies[a.abbreviation]
            parent = agencies.get(a.parent) or (
                Agency.objects.get(abbreviation=a.parent) if a.parent else None
            )
            if (agency.name, agency.kind, agency.parent_id) != (
                a.name,
                a.kind,
                parent.id if parent else None,
            ):
                agency.name, agency.kind, agency.parent = a.name, a.kind, parent
                agency.save()
        needed = {abbr for d in spec.directives for abbr in (*d.leads, *d.consulted)} - set(agencies)
        agencies.update({a.abbreviation: a for a in Agency.objects.filter(abbreviation__in=needed)})

        o = spec.order
        order_fields = {
            "title": o.title,
            "signed_on": o.signed_on,
            "federal_register_citation": o.federal_register_citation,
            "federal_register_document": o.federal_register_document,
            "published_on": o.published_on,
            "source_url": o.source_url,
            "notes": o.notes,
            "deadline_policy": o.deadline_policy,
        }
        order, _ = Order.objects.get_or_create(number=o.number, defaults=order_fields)
        if any(getattr(order, k) != v for k, v in order_fields.items()):
            if order.signed_on != o.signed_on and order.directives.exists():
                raise ValidationError(
                    {"order.signed_on": ["The signing date cannot change once directives are loaded."]}
                )
            for k, v in order_fields.items():
                setattr(order, k, v)
            order.save()

        existing = {d.ref: d for d in Directive.objects.filter(order=order).with_agencies()}
        by_ref: dict[str, Directive] = {}
        events: list[NewEvent] = []
        for position, d in enumerate(spec.directives):
            rule = d.rule
            due_on = deadlines.due_date(rule, signed_on=order.signed_on, policy=order.deadline_policy)
            fields = {
                "position": position,
                "title": d.title,
                "summary": d.summary,
                "deadline_kind": rule.kind.value,
                "deadline_days": getattr(rule, "days", None),
                "deadline_event": getattr(rule, "event", ""),
                "deadline_ongoing": getattr(rule, "ongoing", False),
            }
            directive = existing.get(d.ref)
            if directive is None:
                directive = Directive.objects.create(
                    order=order,
                    ref=d.ref,
                    original_due_on=due_on,
                    due_on=due_on,
                    due_at=deadlines.end_of_day(due_on) if due_on else None,
                    **fields,
                )
                events.append(
                    NewEvent.of(
                        directive,
                        kind=DirectiveEvent.Kind.CREATED,
                        new_status=directive.status,
                        new_due_on=due_on,
                        note=f"Loaded from Executive Order {order.number}.",
                        actor=actor,
                        created=now,
                    )
                )
                report.created.append(d.ref)
            else:
                if directive.original_due_on != due_on:
                    raise ValidationError(
                        {
                            f"directives[{d.ref}].deadline": [
                                f"would move the original due date from {directive.original_due_on} to "
                                f"{due_on}; original due dates never change after load."
                            ]
                        }
                    )
                changed = sorted(k for k, v in fields.items() if getattr(directive, k) != v)
                if changed:
                    for k in changed:
                        setattr(directive, k, fields[k])
                    directive.save(update_fields=[*changed, "updated_at"])
                    if changed != ["position"]:
                        events.append(
                            NewEvent.of(
                                directive,
                                kind=DirectiveEvent.Kind.UPDATED,
                                note="Definition updated from the order file: "
                                + ", ".join(k for k in changed if k != "position")
                                + ".",
                                actor=actor,
                                created=now,
                            )
                        )
                    report.updated.append(d.ref)
                else:
                    report.unchanged.append(d.ref)
            by_ref[d.ref] = directive
        history.append(events)

        for d in spec.directives:
            directive = by_ref[d.ref]
            parent_id = by_ref[d.parent].id if d.parent else None
            involvements_changed = _sync_involvements(directive, d, agencies)
            if directive.parent_id != parent_id:
                directive.parent_id = parent_id
                directive.save(update_fields=["parent", "updated_at"])
                involvements_changed = True
            if involvements_changed and d.ref not in report.created and d.ref in report.unchanged:
                report.unchanged.remove(d.ref)
                report.updated.append(d.ref)
    return order, report


def _sync_involvements(directive: Directive, d: DirectiveSpec, agencies: dict[str, Agency]) -> bool:
    wanted = [(agencies[abbr].id, Involvement.Role.LEAD, i) for i, abbr in enumerate(d.leads)] + [
        (agencies[abbr].id, Involvement.Role.CONSULTED, i) for i, abbr in enumerate(d.consulted)
    ]
    have = sorted((i.agency_id, i.role, i.position) for i in directive.involvements.all())
    if sorted(wanted) == have:
        return False
    Involvement.objects.filter(directive=directive).delete()
    Involvement.objects.bulk_create(
        Involvement(directive=directive, agency_id=agency_id, role=role, position=position)
        for agency_id, role, position in wanted
    )
    return True
