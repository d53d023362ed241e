"""What a later order does to earlier ones: its [[revokes]] and [[amends]], kept and applied on load.

An order file's revocations and amendments are kept as ``OrderChange`` rows whether or not the order
they name is loaded. Each load applies every change that names a loaded order, whichever of the two
orders came first, so loading them in either order ends the same:

- **revoked**: each directive named (with everything under it), or every directive of a revoked
  order, becomes ``rescinded`` with a ``status_changed`` event naming the revoking order; a parent
  rolls up from its parts (rescinded when all are). A directive already completed stays completed (the
  duty was discharged; its page shows the revocation). A rescinded directive keeps its history and
  leaves the overdue counts, reminders and escalations.
- **amended**: the directive gets the amending order's rule (and its leads and consulted agencies,
  when the amending text names them), and its deadline moves through the extension's recorded path
  (``schedule.amended_deadline``), with an ``amended`` event naming the amending order. When several
  orders amend one directive, the one loaded last speaks last.

A reload of the same files writes nothing. What a loaded change said cannot be altered or dropped by a
later load of its file (the history it wrote would no longer match it); its note and source can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User

from agencies.models import Agency

from .. import deadlines
from ..history import NewEvent
from ..models import Directive, Involvement, Order, OrderChange, Status, ref_covers
from . import chains, events
from .common import new_claim, sync_involvements
from .schedule import amended_deadline
from .updates import roll_up

if TYPE_CHECKING:
    from ..orderfile import OrderSpec


@dataclass
class Applied:
    """What applying the changes to one order did."""

    events: list[NewEvent] = field(default_factory=list)
    rescinded: list[str] = field(default_factory=list)
    amended: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Overlay:
    """What the amendments of one directive make of it, the one loaded last speaking last."""

    rule: deadlines.Rule
    leads: tuple[str, ...] | None
    consulted: tuple[str, ...] | None
    by: OrderChange


def _wanted(order: Order, spec: OrderSpec) -> dict[tuple[str, int, str], dict[str, Any]]:
    """Return the changes ``spec`` makes, by (kind, order number, ref), as ``OrderChange`` fields."""
    wanted: dict[tuple[str, int, str], dict[str, Any]] = {}
    position = 0
    for r in spec.revokes:
        for ref in r.directives or ("",):
            wanted[(OrderChange.Kind.REVOKE, r.order, ref)] = {"position": position}
            position += 1
    for a in spec.amends:
        wanted[(OrderChange.Kind.AMEND, a.order, a.directive)] = {
            "position": position,
            "deadline": deadlines.rule_to_json(a.rule),
            "leads": list(a.leads),
            "consulted": list(a.consulted),
            "note": a.note,
            "source": a.source,
            "review": a.review,
        }
        position += 1
    return wanted


def _where(kind: str, number: int, ref: str) -> str:
    if kind == OrderChange.Kind.REVOKE:
        return f"revokes[{number}]"
    return f"amends[{number} {ref}]"


def sync(order: Order, spec: OrderSpec, errors: dict[str, list[str]]) -> list[OrderChange]:
    """Store the changes ``spec`` makes as ``order``'s; add to ``errors`` what a reload may not do.

    Return this order's changes. The caller raises ``errors`` (the transaction then writes nothing).
    """
    wanted = _wanted(order, spec)
    have = {(c.kind, c.order_number, c.ref): c for c in OrderChange.objects.filter(by_order=order)}
    fixed = ("deadline", "leads", "consulted")
    for key, change in have.items():
        where = _where(*key)
        if key not in wanted:
            what = f"Sec. {key[2]} of " if key[2] else ""
            errors.setdefault(where, []).append(
                f"{'revoked' if key[0] == OrderChange.Kind.REVOKE else 'amended'} {what}Executive Order "
                f"{key[1]} when this order was loaded; a loaded order's revocations and amendments "
                "cannot be dropped."
            )
            continue
        for name in fixed:
            if name in wanted[key] and getattr(change, name) != wanted[key][name]:
                errors.setdefault(f"{where}.{name}", []).append(
                    f"was loaded as {_shown(name, getattr(change, name))}; a loaded amendment cannot change "
                    "(a later order can amend the directive again)."
                )
    for key, values in wanted.items():
        existing = have.get(key)
        if existing is None:
            OrderChange.objects.create(by_order=order, kind=key[0], order_number=key[1], ref=key[2], **values)
            continue
        edits = {k: v for k, v in values.items() if k not in fixed and getattr(existing, k) != v}
        if edits:
            for k, v in edits.items():
                setattr(existing, k, v)
            existing.save(update_fields=list(edits))
    _check_targets(order, errors)
    return list(OrderChange.objects.filter(by_order=order))


def _shown(name: str, value: object) -> str:
    if name == "deadline":
        return f"“{deadlines.rule_from_json(value).describe()}”"
    agencies = value if isinstance(value, list | tuple) else ()  # leads and consulted: lists of abbreviations
    return f"“{', '.join(agencies) or 'none'}”"


def _check_targets(order: Order, errors: dict[str, list[str]]) -> None:
    """Add an error for each change naming a directive that its order, already loaded, does not have."""
    changes = OrderChange.objects.filter(by_order=order).exclude(ref="")
    loaded = set(
        Order.objects.filter(number__in={c.order_number for c in changes}).values_list("number", flat=True)
    )
    refs: dict[int, list[str]] = {}
    for number, ref in Directive.objects.filter(order__number__in=loaded).values_list("order__number", "ref"):
        refs.setdefault(number, []).append(ref)
    for c in changes:
        if c.order_number not in loaded:
            continue
        if c.kind == OrderChange.Kind.AMEND:
            found = c.ref in refs.get(c.order_number, [])
        else:
            found = any(ref_covers(c.ref, ref) for ref in refs.get(c.order_number, []))
        if not found:
            where = _where(c.kind, c.order_number, c.ref)
            key = f"{where}.directive" if c.kind == OrderChange.Kind.AMEND else f"{where}.directives"
            errors.setdefault(key, []).append(
                f"Executive Order {c.order_number} is loaded and has no directive {c.ref!r}."
            )


def overlays(number: int) -> dict[str, Overlay]:
    """Return, by ref, what the amendments loaded so far make of order ``number``'s directives."""
    found: dict[str, Overlay] = {}
    amends = OrderChange.objects.filter(order_number=number, kind=OrderChange.Kind.AMEND).select_related(
        "by_order"
    )
    for change in amends.order_by("pk"):
        before = found.get(change.ref)
        rule = change.rule
        if rule is None:  # an amendment always holds its rule (orderfile.AmendSpec); a revocation has none
            raise ValueError(f"{change} holds no deadline rule")
        found[change.ref] = Overlay(
            rule=rule,
            leads=tuple(change.leads) or (before.leads if before else None),
            consulted=tuple(change.consulted) or (before.consulted if before else None),
            by=change,
        )
    return found


def pending(changes: list[OrderChange]) -> list[str]:
    """Return, in words, the changes of ``changes`` waiting for the order they name to be loaded."""
    loaded = set(
        Order.objects.filter(number__in={c.order_number for c in changes}).values_list("number", flat=True)
    )
    return [
        f"{c.get_kind_display().lower()} EO {c.order_number}" + (f" {c.ref}" if c.ref else "")
        for c in changes
        if c.order_number not in loaded
    ]


def apply(target: Order, *, now: dt.datetime, actor: User | None) -> Applied:
    """Apply every loaded change that names ``target`` and has not taken effect yet; return what it did.

    Runs in the caller's transaction; the caller appends the events.
    """
    applied = Applied()
    changes = list(
        OrderChange.objects.filter(order_number=target.number).select_related("by_order").order_by("pk")
    )
    if not changes:
        return applied
    directives = list(
        Directive.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(order=target)
        .order_by("pk")
    )
    _revoke(directives, [c for c in changes if c.kind == OrderChange.Kind.REVOKE], now, applied)
    _amend(target, directives, now, actor, applied)
    applied.events += chains.consequences(applied.events, now=now)
    return applied


def _ancestors(directives: list[Directive]) -> dict[int, list[str]]:
    by_pk = {d.pk: d for d in directives}
    found: dict[int, list[str]] = {}
    for d in directives:
        refs: list[str] = []
        step = d.parent_id
        while step is not None and step in by_pk and len(refs) < len(by_pk):
            refs.append(by_pk[step].ref)
            step = by_pk[step].parent_id
        found[d.pk] = refs
    return found


def _revoke(
    directives: list[Directive], revokes: list[OrderChange], now: dt.datetime, applied: Applied
) -> None:
    if not revokes:
        return
    ancestors = _ancestors(directives)
    parents = {d.parent_id for d in directives if d.parent_id is not None}
    depth = {d.pk: len(ancestors[d.pk]) for d in directives}
    to_roll: set[int] = set()
    reasons: dict[int, str] = {}
    for d in directives:
        if d.pk in parents or not d.is_open:
            continue  # a parent rolls up from its parts; a completed or rescinded one stays as it is
        change = next((c for c in revokes if c.covers(d, ancestors[d.pk])), None)
        if change is None:
            continue
        what = f"Sec. {change.ref}" if change.ref else "the whole order"
        applied.events.append(
            events.rescinded(
                d,
                note=(
                    f"Rescinded: Executive Order {change.by_order.number} revokes {what} of Executive Order "
                    f"{d.order.number}."
                ),
                created=now,
            )
        )
        d.status = Status.RESCINDED
        d.status_changed_at = now
        claim_fields = new_claim(d, Status.RESCINDED, note="")
        d.save(update_fields=["status", "status_changed_at", "updated_at", *claim_fields])
        applied.rescinded.append(f"EO {d.order.number} {d.ref}")
        if d.parent_id is not None:
            to_roll.add(d.parent_id)
            reasons.setdefault(d.parent_id, f"Executive Order {change.by_order.number} revokes {what} of "
                               f"Executive Order {d.order.number}.")  # fmt: skip
    for parent_id in sorted(to_roll, key=lambda pk: (-depth[pk], pk)):
        cause = next(d for d in directives if d.parent_id == parent_id and d.status == Status.RESCINDED)
        # The parent's history names the revoking order too, not only its parts'.
        applied.events += roll_up(parent_id, cause=cause, now=now, reason=reasons[parent_id])
    for d in directives:  # the roll-ups saved the parents; keep the list as the database has it
        if d.pk in to_roll:
            d.refresh_from_db(fields=["status", "completed_on", "status_changed_at"])


def _amend(
    target: Order,
    directives: list[Directive],
    now: dt.datetime,
    actor: User | None,
    applied: Applied,
) -> None:
    by_ref = {d.ref: d for d in directives}
    for ref, overlay in overlays(target.number).items():
        d = by_ref.get(ref)
        if d is None or d.is_rescinded:
            continue  # not in the order as loaded (its page says so), or revoked since: nothing to amend
        leads = list(overlay.leads) if overlay.leads is not None else None
        consulted = list(overlay.consulted) if overlay.consulted is not None else None
        have = list(
            Involvement.objects.filter(directive=d).select_related("agency").order_by("role", "position")
        )
        have_leads = [i.agency.abbreviation for i in have if i.role == Involvement.Role.LEAD]
        have_consulted = [i.agency.abbreviation for i in have if i.role == Involvement.Role.CONSULTED]
        new_leads = leads if leads is not None else have_leads
        new_consulted = consulted if consulted is not None else have_consulted
        if d.rule == overlay.rule and (new_leads, new_consulted) == (have_leads, have_consulted):
            continue
        by = overlay.by.by_order.number
        note = f"Amended by Executive Order {by}: the deadline is now {overlay.rule.describe()}"
        if new_leads != have_leads:
            note += f"; led by {', '.join(new_leads)}"
        if new_consulted != have_consulted:
            note += f"; consulted: {', '.join(new_consulted) or 'none'}"
        note += "." + (f" {overlay.by.note}" if overlay.by.note else "")
        trigger_on = chains.trigger_date(overlay.rule, target.number)
        applied.events.append(
            amended_deadline(d, overlay.rule, trigger_on=trigger_on, note=note, now=now, actor=actor)
        )
        ids = dict(
            Agency.objects.filter(abbreviation__in=[*new_leads, *new_consulted]).values_list(
                "abbreviation", "pk"
            )
        )
        sync_involvements(d, [ids[a] for a in new_leads], [ids[a] for a in new_consulted])
        applied.amended.append(f"EO {target.number} {ref}")
