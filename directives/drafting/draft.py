"""The drafter's one entry point: ``draft(text, ...) -> Draft``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from dateutil.relativedelta import relativedelta

from agencies.catalog import Catalog, default_catalog
from directives import deadlines
from directives.orderfile import AgencySpec, OrderInfo, RevokeSpec

from .actors import Actor
from .builder import Builder, Drafted, due_on
from .document import HEADING, ReadError
from .drafts import Draft, DraftedAmend, DraftedDirective
from .kinds import EXECUTIVE_ORDER, NATIONAL_SECURITY_MEMORANDUM, PRESIDENTIAL_MEMORANDUM, PROCLAMATION
from .readers import read_document
from .tree import build_tree
from .unplaced import find_unplaced
from .writer import to_toml


class DraftError(ValueError):
    """The text cannot be drafted; the message says why and, where it can, what to give."""


# The longest text the drafter reads: the import page's largest configurable limit
# (ORDER_IMPORT_MAX_BYTES, at most 1,500,000) and 10 times the longest order we know (EO 14141's
# Federal Register text, 82,281 characters). Every step is linear in the text, and this bounds how long.
MAX_TEXT_CHARS = 1_500_000

_ORDER_SIGNS = re.compile(
    r"By the authority vested in me|it is hereby ordered|hereby order|hereby proclaim|MEMORANDUM FOR"
    r"|hereby direct",
    re.IGNORECASE,
)
# The kinds of presidential document (directives.models.OrderKind); memoranda carry no number.
KINDS = (EXECUTIVE_ORDER, NATIONAL_SECURITY_MEMORANDUM, PRESIDENTIAL_MEMORANDUM, PROCLAMATION)
_NUMBERED = (EXECUTIVE_ORDER, PROCLAMATION)


def _check_text(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise DraftError(
            f"the text is {len(text):,} characters, more than the {MAX_TEXT_CHARS:,} characters the drafter "
            "reads: give the order's own text, without the pages around it"
        )
    if not text.strip():
        raise DraftError("the text is empty: give the order's text (plain text, Markdown, HTML or FR XML)")
    if "\x00" in text or sum(1 for c in text[:4000] if ord(c) < 32 and c not in "\n\r\t\f") > 8:
        raise DraftError("the input is binary, not text: give the order as text, Markdown, HTML or XML")


class _Agencies:
    """The agencies a draft uses: from the catalog with their parents, or made up for unknown offices."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.specs: dict[str, AgencySpec] = {}
        self.unknown: dict[str, str] = {}  # office name -> abbreviation

    def add(self, actor: Actor) -> str:
        if actor.agency is not None:
            for a in reversed(self.catalog.lineage(actor.agency.abbreviation)):
                self.specs.setdefault(a.abbreviation, AgencySpec(a.abbreviation, a.name, a.kind, a.parent))
            return actor.agency.abbreviation
        name = actor.unknown
        if name in self.unknown:
            return self.unknown[name]
        initials = "".join(w[0] for w in re.findall(r"[A-Z][\w'-]*", name) if w not in {"The"}) or "X"
        abbreviation = initials.upper()[:16]
        candidate, n = abbreviation, 2
        while candidate in self.catalog or candidate in self.specs:
            candidate, n = f"{abbreviation}{n}", n + 1
        if re.search(r"Council|Board|Committee|Commission|Task Force|Group|^heads? of|agencies", name, re.I):
            kind = "committee"
        elif re.search(r"Assistant to the President|White House", name):
            kind = "eop_office"
        else:
            kind = "department"
        self.specs[candidate] = AgencySpec(candidate, name[:200], kind, "")
        self.unknown[name] = candidate
        return candidate


def _span(
    text: str, starts: list[int], paragraphs: list[str], indices: list[int], sentence: str
) -> tuple[int, int]:
    if not indices:
        return 0, 0
    if sentence:
        probe = sentence.strip()[:60]
        for i in indices:
            at = paragraphs[i].find(probe)
            if at >= 0:
                start = starts[i] + at
                return start, min(start + len(sentence.strip()), starts[i] + len(paragraphs[i]))
    return starts[indices[0]], starts[indices[-1]] + len(paragraphs[indices[-1]])


def _unchain(rule: deadlines.Rule, known: set[str]) -> deadlines.Rule | None:
    """Return ``rule`` counted from an event instead of a directive the draft lacks, or None if it is fine."""
    if isinstance(rule, deadlines.Recurring):
        first = _unchain(rule.first, known)
        # _unchain returns an event rule where a recurring duty's first date may be any dated rule.
        return None if first is None else dataclasses.replace(rule, first=first)  # type: ignore[arg-type]  # see above
    if isinstance(rule, deadlines.AfterDirective) and rule.order is None and rule.directive not in known:
        days = rule.days if rule.days is not None else 30 * (rule.months or 0)
        return deadlines.DaysFromEvent(days=days, event=f"{rule.directive} is {rule.trigger.value}")
    return None


def _unchain_missing(directives: list[DraftedDirective], flags: list[str]) -> list[DraftedDirective]:
    """Keep the draft loadable: a deadline chained to a directive not drafted counts from that event."""
    known = {x.ref for x in directives}
    out = []
    for x in directives:
        rule = _unchain(x.rule, known)
        if rule is None:
            out.append(x)
            continue
        note = (
            "The deadline waits for a part of the text that is not a directive of this draft; drafted as "
            "counting from that event: tie it to a directive, or date it."
        )
        review = f"{x.review} {note}".strip()
        flags.append(f"{x.ref}: {note}")
        out.append(dataclasses.replace(x, rule=rule, review=review, due_on=None))
    return out


def _end_recurrence(d: Drafted, signed: dt.date) -> None:
    """End a recurrence the text gives a length ("and annually thereafter for a period of 3 years") on the day
    that length after its first occurrence, which the signing date dates."""
    phrase = d.phrase
    if phrase is None or phrase.lasts is None or d.rule != phrase.rule:
        return
    if not isinstance(d.rule, deadlines.Recurring) or d.rule.until is not None:
        return
    first = due_on(d.rule.first, signed)
    if first is None:
        return
    n, unit = phrase.lasts
    until = first + (relativedelta(months=n) if unit == "months" else relativedelta(days=n))
    d.rule = dataclasses.replace(d.rule, until=until)
    d.review.append(
        f"'{phrase.text}' gives the recurrence a length: drafted as ending on {until.isoformat()}, "
        f"{n} {unit} after its first occurrence."
    )


def draft(
    text: str,
    *,
    filename: str | None = None,
    number: int | None = None,
    signed_on: dt.date | None = None,
    title: str | None = None,
    kind: str | None = None,
    catalog: Catalog | None = None,
) -> Draft:
    """Return the draft order file of a presidential document's ``text``; options override what it says.

    ``kind`` is one of ``KINDS`` (read from the text when not given). Raise ``DraftError`` for empty,
    binary, undecodable or oversized input, a text that is not a presidential document, or a signing date
    (or, for an executive order or a proclamation, a number) that neither the text nor the options give.
    """
    _check_text(text)
    catalog = catalog or default_catalog()
    try:
        doc = read_document(text, filename)
    except ReadError as exc:
        raise DraftError(str(exc)) from None
    if not any(HEADING.match(p) for p in doc.paragraphs) and not _ORDER_SIGNS.search(text):
        raise DraftError(
            "this does not look like an executive order: no section heading ('Sec. 1.') and no "
            "'By the authority vested in me as President'"
        )
    meta = doc.meta
    if kind is not None and kind not in KINDS:
        raise DraftError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    order_kind = kind or meta.kind or EXECUTIVE_ORDER
    order_number = number or meta.number
    if not order_number and order_kind in _NUMBERED:
        raise DraftError(
            f"the text does not give the order's number (a {order_kind.replace('_', ' ')} has one; a "
            "whitehouse.gov page has none until the Federal Register assigns it): give it with --number"
        )
    signed = signed_on or meta.signed_on
    if signed is None:
        raise DraftError("the text does not give the signing date: give it with --signed-on YYYY-MM-DD")
    label = order_kind.replace("_", " ").title()
    order_title = (title or meta.title or f"{label} {order_number or ''}").strip()[:300]

    tree = build_tree(doc.paragraphs)
    builder = Builder(tree, catalog, full_text=" ".join(doc.paragraphs), number=order_number)
    built = builder.build()
    agencies = _Agencies(catalog)
    flags: list[str] = []
    normalized = "\n\n".join(doc.paragraphs)
    starts, offset = [], 0
    for p in doc.paragraphs:
        starts.append(offset)
        offset += len(p) + 2

    def finish(d: Drafted) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        leads = tuple(agencies.add(a) for a in d.leads)
        consulted = tuple(c for c in (agencies.add(a) for a in d.consulted) if c not in leads)
        review = list(dict.fromkeys(d.review))
        for a in [*d.leads, *d.consulted]:
            if a.agency is None:
                review.append(
                    f"Unknown actor '{a.unknown}': not in the agency catalog; defined here as "
                    f"{agencies.unknown[a.unknown]}, check its name and kind."
                )
        return leads, tuple(dict.fromkeys(consulted)), " ".join(dict.fromkeys(review))

    directives: list[DraftedDirective] = []
    seen: set[str] = set()
    placed: dict[int, set[str]] = {}

    def place(d: Drafted) -> None:
        for i in [*d.paragraphs, *d.lead_in]:
            taken = placed.setdefault(i, set())
            if d.phrase is not None:
                taken.add(d.phrase.text)
            taken.update(d.also)

    for d in built.directives:
        if d.ref in seen or not d.leads:
            continue
        seen.add(d.ref)
        _end_recurrence(d, signed)
        place(d)
        leads, consulted, review = finish(d)
        start, end = _span(
            normalized, starts, doc.paragraphs, d.paragraphs, d.sentence if "-" in d.ref else ""
        )
        directives.append(
            DraftedDirective(
                ref=d.ref[:30],
                title=d.title or f"Directive {d.ref}",
                leads=leads,
                consulted=consulted,
                rule=d.rule,
                parent=d.parent if d.parent in seen else "",
                source=d.source,
                review=review,
                start=start,
                end=end,
                due_on=due_on(d.rule, signed),
            )
        )
        if review:
            flags.append(f"{d.ref}: {review}")
    directives = _unchain_missing(directives, flags)
    amends: list[DraftedAmend] = []
    amended_seen: set[tuple[int, str]] = set()
    for d in built.amends:
        if d.amends is None or (d.amends, d.ref) in amended_seen or not d.leads:
            continue
        amended_seen.add((d.amends, d.ref))
        place(d)
        leads, consulted, review = finish(d)
        start, end = _span(
            normalized, starts, doc.paragraphs, d.paragraphs, d.sentence if "-" in d.ref else ""
        )
        amends.append(
            DraftedAmend(
                order=d.amends,
                directive=d.ref,
                rule=d.rule,
                note=d.note,
                leads=leads,
                consulted=consulted,
                source=d.source,
                review=review,
                start=start,
                end=end,
                due_on=due_on(d.rule, doc.other_orders.get(d.amends)),
            )
        )
        if review:
            flags.append(f"EO {d.amends} {d.ref}: {review}")
    if not directives and not amends and not built.revokes:
        raise DraftError(
            "no directive found: no office 'shall' act in this text, and it amends or revokes no order; "
            "is it an executive order?"
        )
    revoked_and_amended = {(a.order, a.directive) for a in amends}
    revokes = tuple(
        RevokeSpec(
            order=n, directives=tuple(r for r in dict.fromkeys(refs) if (n, r) not in revoked_and_amended)
        )
        for n, refs in built.revokes.items()
        if n != order_number
    )
    flags = list(dict.fromkeys([*built.flags, *flags]))
    notes = " ".join(f for f in built.flags)
    order = OrderInfo(
        kind=order_kind,
        number=order_number or 0,
        title=order_title,
        signed_on=signed,
        federal_register_citation=meta.citation,
        federal_register_document=meta.document,
        published_on=meta.published_on,
        source_url=meta.source_url if meta.source_url.startswith(("http://", "https://")) else "",
        notes=notes,
    )
    result = Draft(
        text=normalized,
        format=doc.format,
        order=order,
        agencies=tuple(agencies.specs.values()),
        directives=tuple(directives),
        revokes=revokes,
        amends=tuple(amends),
        flags=tuple(flags),
        other_orders=dict(doc.other_orders),
        toml="",
        unplaced=tuple(find_unplaced(doc.paragraphs, starts, placed)),
    )
    return Draft(**{**result.__dict__, "toml": to_toml(result, source_name=filename or "")})
