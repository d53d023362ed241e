"""Loading an order file: its agencies, the order, its directives and what it does to earlier orders.

Idempotent: a second load of the same file writes nothing. Every deadline rule is stored
(``Directive.set_rule``) and dated at load when it can be: days, months and years after the Order and a
fixed date from the signing date, under the order's business-day policy; a recurring rule's first
occurrence likewise; an after_directive rule if the directive it waits for is already completed (else
later, by ``chains``); a days_from_event rule once its event is dated (``schedule.set_event_date``).
The order's [[revokes]] and [[amends]] are kept and applied by ``changes``, as are those of orders
loaded before it that name it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency

from .. import deadlines, history
from ..history import NewEvent
from ..history.definitions import starts_as
from ..models import Directive, Involvement, Order
from . import chains, changes
from .common import sync_involvements
from .events import (
    consulted_changed,
    definition_updated,
    directive_created,
    leads_changed,
    parent_changed,
    title_changed,
)

if TYPE_CHECKING:
    from ..orderfile import OrderSpec

# What a file defines of a directive, and what a later occurrence of a series copies from its first.
DEFINITION = ("title", "summary", "deadline", "deadline_kind")


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    agencies_created: list[str] = field(default_factory=list)
    rescinded: list[str] = field(default_factory=list)
    amended: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged; "
            f"{len(self.agencies_created)} agencies added"
        )
        if self.rescinded:
            text += f"; rescinded {', '.join(self.rescinded)}"
        if self.amended:
            text += f"; amended {', '.join(self.amended)}"
        if self.pending:
            text += f"; waiting for the order to be loaded: {', '.join(self.pending)}"
        return text


def load_order(spec: OrderSpec, *, actor: User | None = None) -> tuple[Order, LoadReport]:
    """Create or update an order, its agencies, its directives and its changes from a validated spec.

    Idempotent: a second load of the same spec changes nothing. Definitions (titles, summaries,
    agencies, parents) follow the file, except where a later order amended them; statuses, effective
    deadlines and history are kept. An original due date never changes after the first load: a spec
    that would move one is refused, as is one naming a directive of a loaded order that has no such
    directive. Errors are a ``ValidationError`` naming the item and field; then nothing is written.
    """
    now = timezone.now()
    report = LoadReport()
    with transaction.atomic():
        agencies = _load_agencies(spec, report)
        order = _load_order_row(spec)
        errors: dict[str, list[str]] = {}
        made = changes.sync(order, spec, errors)
        _check_waiting(spec, errors)
        if errors:
            raise ValidationError(errors)
        _load_directives(spec, order, agencies, report, now=now, actor=actor)
        targets = {order.number} | {c.order_number for c in made}
        for target in Order.objects.filter(number__in=targets).order_by("pk"):
            applied = changes.apply(target, now=now, actor=actor)
            history.append(applied.events)
            report.rescinded += applied.rescinded
            report.amended += applied.amended
        report.pending = changes.pending(made)
    return order, report


def _load_agencies(spec: OrderSpec, report: LoadReport) -> dict[str, Agency]:
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
        parent = agencies.get(a.parent) or (Agency.objects.get(abbreviation=a.parent) if a.parent else None)
        if (agency.name, agency.kind, agency.parent_id) != (a.name, a.kind, parent.id if parent else None):
            agency.name, agency.kind, agency.parent = a.name, a.kind, parent
            agency.save()
    named = {abbr for d in spec.directives for abbr in (*d.leads, *d.consulted)}
    named |= {abbr for a in spec.amends for abbr in (*a.leads, *a.consulted)}
    agencies.update(
        {a.abbreviation: a for a in Agency.objects.filter(abbreviation__in=named - set(agencies))}
    )
    return agencies


def _load_order_row(spec: OrderSpec) -> Order:
    o = spec.order
    if not o.number:
        raise ValidationError(
            {
                "order.number": [
                    f"This {o.kind.replace('_', ' ')} has no number; orders are tracked by number, so "
                    "give it one (its own, such as NSM-10's 10) to load it."
                ]
            }
        )
    order_fields = {
        "kind": o.kind,
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
    return order


def _check_waiting(spec: OrderSpec, errors: dict[str, list[str]]) -> None:
    """Add an error for each deadline waiting for a directive of a loaded order that has no such ref."""
    for d in spec.directives:
        first = deadlines.first_rule(d.rule)
        if not isinstance(first, deadlines.AfterDirective) or first.order in (None, spec.order.number):
            continue
        if not Order.objects.filter(number=first.order).exists():
            continue  # dated once that order is loaded and the directive done
        if not Directive.objects.filter(order__number=first.order, ref=first.directive).exists():
            name = (
                "deadline.first.directive"
                if isinstance(d.rule, deadlines.Recurring)
                else "deadline.directive"
            )
            errors.setdefault(f"directives[{d.ref}].{name}", []).append(
                f"Executive Order {first.order} is loaded and has no directive {first.directive!r}."
            )


def _load_directives(
    spec: OrderSpec,
    order: Order,
    agencies: dict[str, Agency],
    report: LoadReport,
    *,
    now: dt.datetime,
    actor: User | None,
) -> dict[str, Directive]:
    """Create or update the file's directives, their parents and agencies; return them by ref."""
    amended = changes.overlays(order.number)
    existing = {d.ref: d for d in Directive.objects.filter(order=order).with_agencies()}
    by_ref: dict[str, Directive] = {}
    events: list[NewEvent] = []
    for position, d in enumerate(spec.directives):
        directive = existing.get(d.ref)
        overlay = amended.get(d.ref) if directive is not None else None
        rule = overlay.rule if overlay is not None else d.rule  # a new directive is amended after it is made
        fields: dict[str, object] = {
            "position": position,
            "title": d.title,
            "summary": d.summary,
            "deadline": deadlines.rule_to_json(rule),
            "deadline_kind": rule.kind.value,
            "occurrence": 1 if isinstance(rule, deadlines.Recurring) else None,
        }
        if directive is None:
            starts = starts_as(d.title, d.leads, d.consulted, d.parent)
            directive = _create(order, d.ref, d.rule, fields, starts, now=now, actor=actor, events=events)
            report.created.append(d.ref)
        else:
            _check_original(directive, d.ref, d.rule, order, amended=overlay is not None)
            changed = sorted(k for k, v in fields.items() if getattr(directive, k) != v)
            if changed:
                before = {k: getattr(directive, k) for k in changed}
                for k in changed:
                    setattr(directive, k, fields[k])
                directive.save(update_fields=[*changed, "updated_at"])
                events += _updated(directive, changed, before=before, now=now, actor=actor)
                report.updated.append(d.ref)
            else:
                report.unchanged.append(d.ref)
        by_ref[d.ref] = directive
    history.append(events)
    events = []
    for d in spec.directives:
        directive = by_ref[d.ref]
        parent_id = by_ref[d.parent].id if d.parent else None
        overlay = amended.get(d.ref) if d.ref not in report.created else None
        leads = overlay.leads if overlay is not None and overlay.leads is not None else d.leads
        consulted = (
            overlay.consulted if overlay is not None and overlay.consulted is not None else d.consulted
        )
        lead_ids = [agencies[a].id for a in leads]
        consulted_ids = [agencies[a].id for a in consulted]
        wanted = (list(leads), list(consulted))
        loaded_now = d.ref in report.created  # its created event names what it starts with
        touched = False
        series = [directive] if loaded_now else [directive, *directive.occurrences.all()]
        for one in series:
            had = _agencies_of(one)
            if sync_involvements(one, lead_ids, consulted_ids):
                touched = True
                if not loaded_now:
                    events += _agencies_changed(one, had, wanted, now=now, actor=actor)
        if directive.parent_id != parent_id:
            if not loaded_now:
                old_ref = (
                    Directive.objects.filter(pk=directive.parent_id).values_list("ref", flat=True).first()
                    if directive.parent_id is not None
                    else None
                )
                new_ref = d.parent or ""
                events.append(
                    parent_changed(
                        directive, old_ref=old_ref or "", new_ref=new_ref, actor=actor, created=now
                    )
                )
            directive.parent_id = parent_id
            directive.save(update_fields=["parent", "updated_at"])
            touched = True
        if touched and d.ref in report.unchanged:
            report.unchanged.remove(d.ref)
            report.updated.append(d.ref)
    history.append(events)
    return by_ref


def _create(
    order: Order,
    ref: str,
    rule: deadlines.Rule,
    fields: dict[str, object],
    starts: str,
    *,
    now: dt.datetime,
    actor: User | None,
    events: list[NewEvent],
) -> Directive:
    trigger_on = chains.trigger_date(rule, order.number)
    due_on = deadlines.due_date(
        rule, signed_on=order.signed_on, trigger_on=trigger_on, policy=order.deadline_policy
    )
    directive = Directive.objects.create(
        order=order,
        ref=ref,
        original_due_on=due_on,
        due_on=due_on,
        due_at=deadlines.end_of_day(due_on) if due_on else None,
        event_on=trigger_on,
        **fields,
    )
    note = f"Loaded from Executive Order {order.number}."
    target = chains.waited_for(rule, order.number)
    if trigger_on is not None and target is not None:  # a trigger date is found only for a target
        note += (
            f" Sec. {target[1]} of Executive Order {target[0]}, which the deadline counts from, was "
            f"completed on {deadlines.weekday_date(trigger_on)}."
        )
    note += f" {starts}"  # what it starts as, for verify_history's replay (history/definitions.py)
    events.append(
        directive_created(
            directive,
            new_due_on=due_on,
            note=note,
            actor=actor,
            created=now,
        )
    )
    return directive


def _check_original(
    directive: Directive, ref: str, rule: deadlines.Rule, order: Order, *, amended: bool
) -> None:
    """Refuse a reload whose rule would move an original due date (an extension or amendment moves one)."""
    if deadlines.is_dated_by_order(rule):
        due_on = deadlines.due_date(rule, signed_on=order.signed_on, policy=order.deadline_policy)
        if directive.original_due_on != due_on:
            raise ValidationError(
                {
                    f"directives[{ref}].deadline": [
                        f"would move the original due date from {directive.original_due_on} to {due_on}; "
                        "original due dates never change after load."
                    ]
                }
            )
    elif directive.original_due_on is not None and directive.rule != rule and not amended:
        raise ValidationError(
            {
                f"directives[{ref}].deadline": [
                    f"would change the rule of a deadline already dated ({directive.original_due_on}); "
                    "original due dates never change after load."
                ]
            }
        )


def _agencies_of(directive: Directive) -> tuple[list[str], list[str]]:
    """Return the abbreviations of ``directive``'s lead and consulted agencies as stored, owner first."""
    rows = (
        Involvement.objects.filter(directive=directive)
        .order_by("role", "position")
        .values_list("role", "agency__abbreviation")
    )
    leads = [abbr for role, abbr in rows if role == Involvement.Role.LEAD]
    consulted = [abbr for role, abbr in rows if role == Involvement.Role.CONSULTED]
    return leads, consulted


def _agencies_changed(
    directive: Directive,
    had: tuple[list[str], list[str]],
    wanted: tuple[list[str], list[str]],
    *,
    now: dt.datetime,
    actor: User | None,
) -> list[NewEvent]:
    """Return one event for each of the leads and the consulted agencies a reload changed."""
    events = []
    if had[0] != wanted[0]:
        events.append(leads_changed(directive, old=had[0], new=wanted[0], actor=actor, created=now))
    if had[1] != wanted[1]:
        events.append(consulted_changed(directive, old=had[1], new=wanted[1], actor=actor, created=now))
    return events


def _updated(
    directive: Directive,
    changed: list[str],
    *,
    before: dict[str, object],
    now: dt.datetime,
    actor: User | None,
) -> list[NewEvent]:
    """Return the events of a definition update (none for a move alone), copied along a series.

    A new title is an event of its own with the old and the new one; the summary and the deadline's
    rule share one that names them.
    """
    events = []
    if "title" in changed:
        events.append(
            title_changed(
                directive, old_title=str(before["title"]), new_title=directive.title, actor=actor, created=now
            )
        )
    names = [k for k in changed if k not in ("position", "deadline_kind", "occurrence", "title")]
    if names:
        events.append(
            definition_updated(
                directive,
                note=f"Definition updated from the order file: {', '.join(names)}.",
                actor=actor,
                created=now,
            )
        )
    if directive.series_id is None and directive.pk is not None:
        copied = [k for k in changed if k in (*DEFINITION, "position")]
        for later in directive.occurrences.all() if copied else []:
            had = {k: getattr(later, k) for k in copied}
            for k in copied:
                setattr(later, k, getattr(directive, k))
            later.save(update_fields=[*copied, "updated_at"])
            events += _updated(later, copied, before=had, now=now, actor=actor)
    return events
