"""Chained deadlines: "within 60 days of the report described in (b)" dated after that directive."""

from __future__ import annotations

import re

from directives import deadlines

from .drafted import Drafted
from .phrase_refs import resolve_ref


def resolve_chains(directives: list[Drafted], *, amended: int | None) -> None:
    """Date a chained deadline after the directive it names, or leave it event-relative and say so."""
    refs = {d.ref for d in directives}
    for d in directives:
        phrase = d.phrase
        if phrase is None or phrase.chain is None or not isinstance(d.rule, deadlines.DaysFromEvent):
            continue
        target = chain_target(phrase.chain.what, d, directives)
        if target and (target in refs or amended is not None) and target != d.ref:
            d.rule = phrase.chain.rule(target)
        else:
            d.review.append(
                f"The deadline counts from '{phrase.chain.what[:100]}', which names no directive of this "
                "file: drafted as days from an event whose date someone records."
            )


def chain_target(what: str, d: Drafted, directives: list[Drafted]) -> str:
    """Return the ref of the directive an event names ("the report described in subsection (b)"), or ""."""
    named = re.match(
        r"^(?:the\s+|any\s+|such\s+)?[\w\s'\u2019-]{0,45}?\b(?:described|required|developed|issued"
        r"|submitted|identified|established|published|referenced|set forth|provided|specified|under|in"
        r"|pursuant to)\s+"
        r"(?:in\s+|by\s+|under\s+|to\s+)?(?:sub)?sections?\s",
        what,
    )
    if named:
        return resolve_ref(what, current=d.ref)
    # "within 120 days of publishing the preliminary update": a duty named earlier in the paragraph.
    words = [
        w for w in re.findall(r"[a-z][a-z-]+", what.lower()) if w not in {"the", "such", "any", "of", "a"}
    ]
    if len(words) >= 2:
        needle = " ".join(words[-2:])
        base = d.ref.rsplit("-", 1)[0]
        for other in directives:
            if other is d or other.ref.rsplit("-", 1)[0] != base:
                continue
            if needle in other.source.lower().split(d.sentence[:40].lower())[0]:
                return other.ref
    return ""
