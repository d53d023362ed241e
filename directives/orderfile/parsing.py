"""Parsing an order file: every section checked, then an ``OrderSpec`` or every problem at once."""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

from directives import deadlines

from .checking import _Checker, _toml_problem, _unplaced
from .specs import (
    AGENCY_FIELDS,
    AGENCY_KINDS,
    AMEND_FIELDS,
    DIRECTIVE_FIELDS,
    MAX_REF,
    MAX_TITLE,
    ORDER_FIELDS,
    ORDER_KINDS,
    POLICIES,
    REVOKE_FIELDS,
    SECTIONS,
    UNNUMBERED_KINDS,
    AgencySpec,
    AmendSpec,
    DirectiveSpec,
    OrderFileError,
    OrderInfo,
    OrderSpec,
    RevokeSpec,
)


def parse_order_file(text: str, *, known_agencies: frozenset[str] = frozenset()) -> OrderSpec:
    """Return the validated spec of an order file, or raise ``OrderFileError`` naming every problem.

    ``known_agencies`` are abbreviations already in the database, which the file may use without
    defining them again.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OrderFileError([_toml_problem(text, exc)]) from None
    check = _Checker()
    for key in sorted(set(data) - set(SECTIONS)):
        check.problems.append(
            f"{key}: unknown section (expected [order], [[agencies]], [[directives]], "
            "[[revokes]], [[amends]] or [[unplaced]])"
        )
    if "order" not in data:
        check.problems.append("order: missing the [order] section")
    raw_order = check.fields("order", data.get("order", {}), ORDER_FIELDS)
    kind = check.text("order", raw_order, "kind") or "executive_order"
    if kind not in ORDER_KINDS:
        check.problems.append(f"order.kind: {kind!r} is not one of {', '.join(ORDER_KINDS)}")
    if "order" in data and "number" not in raw_order and kind not in UNNUMBERED_KINDS:
        check.problems.append("order.number: missing required field (only a memorandum may have none)")
    number = raw_order.get("number")
    if "number" in raw_order and (
        isinstance(number, bool)
        or not isinstance(number, int)
        or not 0 < number <= deadlines.MAX_ORDER_NUMBER
    ):
        check.problems.append(
            f"order.number: must be a whole number from 1 to {deadlines.MAX_ORDER_NUMBER:,}, not {number!r}"
        )
    signed_on = check.date("order", raw_order, "signed_on")
    policy = check.text("order", raw_order, "deadline_policy") or deadlines.Policy.LITERAL.value
    if policy not in POLICIES:
        check.problems.append(f"order.deadline_policy: {policy!r} is not one of {', '.join(POLICIES)}")
    source_url = check.text("order", raw_order, "source_url")
    if source_url and not source_url.startswith(("https://", "http://")):
        check.problems.append("order.source_url: must be an http:// or https:// link")
    order = OrderInfo(
        number=number if isinstance(number, int) else 0,
        title=check.text("order", raw_order, "title", required=True),
        signed_on=signed_on or dt.date.min,
        federal_register_citation=check.text("order", raw_order, "federal_register_citation"),
        federal_register_document=check.text("order", raw_order, "federal_register_document"),
        published_on=check.date("order", raw_order, "published_on"),
        source_url=source_url,
        notes=check.text("order", raw_order, "notes"),
        deadline_policy=policy,
        kind=kind,
    )

    raw_agencies = data.get("agencies", [])
    if not isinstance(raw_agencies, list):
        check.problems.append("agencies: must be an array of tables ([[agencies]])")
        raw_agencies = []
    agencies: list[AgencySpec] = []
    defined: set[str] = set()
    for index, raw in enumerate(raw_agencies):
        abbr = raw.get("abbreviation", "") if isinstance(raw, dict) else ""
        where = f"agencies[{abbr or index}]"
        table = check.fields(where, raw, AGENCY_FIELDS)
        abbr = check.text(where, table, "abbreviation", required=True)
        if abbr in defined:
            check.problems.append(f"{where}.abbreviation: duplicate agency {abbr!r}")
        defined.add(abbr)
        kind = check.text(where, table, "kind", required=True)
        if kind and kind not in AGENCY_KINDS:
            check.problems.append(f"{where}.kind: {kind!r} is not one of {', '.join(AGENCY_KINDS)}")
        agencies.append(
            AgencySpec(
                abbreviation=abbr,
                name=check.text(where, table, "name", required=True),
                kind=kind,
                parent=check.text(where, table, "parent"),
            )
        )
    known = set(known_agencies) | defined
    for a in agencies:
        if a.parent and a.parent not in known:
            check.problems.append(f"agencies[{a.abbreviation}].parent: unknown agency {a.parent!r}")
        if a.parent == a.abbreviation:
            check.problems.append(f"agencies[{a.abbreviation}].parent: an agency cannot be its own parent")

    _unplaced(check, data.get("unplaced", []))
    revokes = _revokes(check, data.get("revokes", []), own=number)
    amends = _amends(check, data.get("amends", []), own=number, known=known)
    raw_directives = data.get("directives", [])
    if not isinstance(raw_directives, list) or not (raw_directives or revokes or amends):
        check.problems.append(
            "directives: the file must list at least one [[directives]] item (or [[revokes]] or [[amends]])"
        )
        raw_directives = []
    directives: list[DirectiveSpec] = []
    refs: set[str] = set()
    for index, raw in enumerate(raw_directives):
        ref = raw.get("ref", "") if isinstance(raw, dict) else ""
        where = f"directives[{ref or index}]" if isinstance(ref, str) else f"directives[{index}]"
        table = check.fields(where, raw, DIRECTIVE_FIELDS)
        ref = check.limited(where, table, "ref", MAX_REF, required=True)
        if "#" in ref:
            check.problems.append(
                f"{where}.ref: must not contain '#', which numbers a recurring directive's occurrences"
            )
        if ref in refs:
            check.problems.append(f"{where}.ref: duplicate ref {ref!r}")
        refs.add(ref)
        leads = check.agency_list(where, table, "leads", known)
        if "leads" in table and not leads:
            check.problems.append(f"{where}.leads: name at least one lead agency")
        consulted = check.agency_list(where, table, "consulted", known)
        rule = check.rule(where, table) if "deadline" in table else deadlines.NoDeadline()
        directives.append(
            DirectiveSpec(
                ref=ref,
                title=check.limited(where, table, "title", MAX_TITLE, required=True),
                summary=check.text(where, table, "summary"),
                parent=check.text(where, table, "parent"),
                leads=leads,
                consulted=consulted,
                rule=rule,
                source=check.text(where, table, "source"),
                review=check.text(where, table, "review"),
            )
        )
    parents = {d.ref: d.parent for d in directives}
    for d in directives:
        if d.parent and d.parent not in refs:
            check.problems.append(f"directives[{d.ref}].parent: no directive has the ref {d.parent!r}")
        # Walk up from each directive; coming back to it means the parents form a cycle.
        seen, step = {d.ref}, d.parent
        while step and step in parents:
            if step in seen:
                check.problems.append(f"directives[{d.ref}].parent: the parents form a cycle")
                break
            seen.add(step)
            step = parents[step]
    _check_chains(check, directives, own=number)
    for amend in amends:
        if any(
            r.order == amend.order and (not r.directives or amend.directive in r.directives) for r in revokes
        ):
            check.problems.append(
                f"amends[{amend.order} {amend.directive}]: the same file revokes that directive"
            )
    if check.problems:
        raise OrderFileError(check.problems)
    return OrderSpec(
        order=order,
        agencies=tuple(agencies),
        directives=tuple(directives),
        revokes=tuple(revokes),
        amends=tuple(amends),
    )


def _chained_to(rule: deadlines.Rule) -> deadlines.AfterDirective | None:
    """Return the after_directive rule that dates ``rule`` (itself, or a recurring rule's first)."""
    if isinstance(rule, deadlines.Recurring):
        rule = rule.first
    return rule if isinstance(rule, deadlines.AfterDirective) else None


def _check_chains(check: _Checker, directives: list[DirectiveSpec], *, own: object) -> None:
    """Check that every deadline chained to a directive of this file names one, with no cycle."""
    targets: dict[str, str] = {}
    refs = {d.ref for d in directives}
    for d in directives:
        chained = _chained_to(d.rule)
        if chained is None or chained.order not in (None, own):
            continue  # a directive of another order: whether it is loaded is the loader's business
        field_name = (
            "deadline.first.directive" if isinstance(d.rule, deadlines.Recurring) else "deadline.directive"
        )
        if chained.directive == d.ref:
            check.problems.append(f"directives[{d.ref}].{field_name}: a deadline cannot wait for itself")
        elif chained.directive not in refs:
            check.problems.append(
                f"directives[{d.ref}].{field_name}: no directive has the ref {chained.directive!r} "
                "(give order = N for a directive of another order)"
            )
        else:
            targets[d.ref] = chained.directive
    for ref in targets:
        seen, step = {ref}, targets[ref]
        while step in targets:
            if step == ref or step in seen:
                check.problems.append(f"directives[{ref}].deadline: the chained deadlines form a cycle")
                break
            seen.add(step)
            step = targets[step]


def _refs(check: _Checker, where: str, table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        check.problems.append(f'{where}.{key}: must be a list of directive refs such as ["4(b)", "4(c)"]')
        return ()
    refs = tuple(v.strip() for v in value)
    if len(set(refs)) != len(refs):
        check.problems.append(f"{where}.{key}: lists a directive twice")
    return refs


def _revokes(check: _Checker, raw: object, *, own: object) -> list[RevokeSpec]:
    if not isinstance(raw, list):
        check.problems.append("revokes: must be an array of tables ([[revokes]])")
        return []
    revokes: list[RevokeSpec] = []
    for index, item in enumerate(raw):
        number = item.get("order") if isinstance(item, dict) else None
        where = f"revokes[{number if isinstance(number, int) else index}]"
        table = check.fields(where, item, REVOKE_FIELDS)
        order = check.order_number(where, table, "order", own)
        directives = _refs(check, where, table, "directives")
        if "directives" in table and not directives and isinstance(table.get("directives"), list):
            check.problems.append(f"{where}.directives: name at least one directive, or leave the key out")
        if any(r.order == order and r.directives == directives for r in revokes):
            check.problems.append(f"{where}: revokes the same thing twice")
        revokes.append(RevokeSpec(order=order, directives=directives))
    return revokes


def _amends(check: _Checker, raw: object, *, own: object, known: set[str]) -> list[AmendSpec]:
    if not isinstance(raw, list):
        check.problems.append("amends: must be an array of tables ([[amends]])")
        return []
    amends: list[AmendSpec] = []
    for index, item in enumerate(raw):
        number = item.get("order") if isinstance(item, dict) else None
        ref = item.get("directive") if isinstance(item, dict) else None
        if isinstance(number, int) and isinstance(ref, str) and ref.strip():
            where = f"amends[{number} {ref.strip()}]"
        else:
            where = f"amends[{index}]"
        table = check.fields(where, item, AMEND_FIELDS)
        order = check.order_number(where, table, "order", own)
        directive = check.limited(where, table, "directive", MAX_REF, required=True)
        rule = check.rule(where, table) if "deadline" in table else deadlines.NoDeadline()
        if any(a.order == order and a.directive == directive for a in amends):
            check.problems.append(f"{where}: the file amends that directive twice")
        amends.append(
            AmendSpec(
                order=order,
                directive=directive,
                rule=rule,
                note=check.text(where, table, "note"),
                leads=check.agency_list(where, table, "leads", known),
                consulted=check.agency_list(where, table, "consulted", known),
                source=check.text(where, table, "source"),
                review=check.text(where, table, "review"),
            )
        )
    return amends
