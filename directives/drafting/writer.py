"""Write a draft as an order file (TOML) in the format of ``directives/orders/README.md``."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .drafts import Draft


def string(value: str) -> str:
    """Return ``value`` as a TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def inline(value: object) -> str:
    """Return a rule's dict (or a value in it) as a TOML inline value."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    return string(str(value))


def to_toml(d: Draft, *, source_name: str = "") -> str:
    """Return the order file of draft ``d``."""
    o = d.order
    label = o.kind.replace("_", " ").title() + (f" {o.number}" if o.number else "")
    lines = [
        f"# {label}, drafted by orderctl's drafter"
        + (f" from {source_name}" if source_name else "")
        + ". Format: directives/orders/README.md.",
        "# A draft: check each directive against its `source`, above all those with a `review` note.",
        "",
        "[order]",
        f"kind = {string(o.kind)}",
        *([f"number = {o.number}"] if o.number else []),
        f"title = {string(o.title)}",
        f"signed_on = {o.signed_on.isoformat()}",
    ]
    if o.federal_register_citation:
        lines.append(f"federal_register_citation = {string(o.federal_register_citation)}")
    if o.federal_register_document:
        lines.append(f"federal_register_document = {string(o.federal_register_document)}")
    if o.published_on:
        lines.append(f"published_on = {o.published_on.isoformat()}")
    if o.source_url:
        lines.append(f"source_url = {string(o.source_url)}")
    lines.append('deadline_policy = "literal"')
    if o.notes:
        lines.append(f"notes = {string(o.notes)}")
    for a in d.agencies:
        lines += ["", "[[agencies]]", f"abbreviation = {string(a.abbreviation)}", f"name = {string(a.name)}"]
        lines.append(f"kind = {string(a.kind)}")
        if a.parent:
            lines.append(f"parent = {string(a.parent)}")
    for r in d.revokes:
        lines += ["", "[[revokes]]", f"order = {r.order}"]
        if r.directives:
            lines.append(f"directives = {inline(list(r.directives))}")
    for m in d.amends:
        lines += ["", "[[amends]]", f"order = {m.order}", f"directive = {string(m.directive)}"]
        lines.append(f"deadline = {inline(m.rule.as_dict())}")
        if m.note:
            lines.append(f"note = {string(m.note)}")
        if m.leads:
            lines.append(f"leads = {inline(list(m.leads))}")
        if m.consulted:
            lines.append(f"consulted = {inline(list(m.consulted))}")
        lines.append(f"source = {string(m.source)}")
        if m.review:
            lines.append(f"review = {string(m.review)}")
    for x in d.directives:
        lines += ["", "[[directives]]", f"ref = {string(x.ref)}"]
        if x.parent:
            lines.append(f"parent = {string(x.parent)}")
        lines.append(f"title = {string(x.title)}")
        lines.append(f"leads = {inline(list(x.leads))}")
        if x.consulted:
            lines.append(f"consulted = {inline(list(x.consulted))}")
        lines.append(f"deadline = {inline(x.rule.as_dict())}")
        lines.append(f"source = {string(x.source)}")
        if x.review:
            lines.append(f"review = {string(x.review)}")
    for u in d.unplaced:
        lines += ["", "[[unplaced]]", f"sentence = {string(u.sentence)}", f"reason = {string(u.reason)}"]
    return "\n".join(lines) + "\n"
