"""What a directive is, replayed from its history: its title, lead and consulted agencies and parent.

The history says it in the hashed notes of the events that set or change these, each written here or
in the same words as the constructors in ``actions/events.py``:

- ``created``: its note ends with what the directive starts as (:func:`starts_as`), e.g. "Starts as:
  title 'Report on AI'; led by CISA, OMB; consulted: none; part of 2(c)." (directives loaded before
  this sentence was written have no such sentence: what they started as is unknown to the replay);
- ``updated`` by a reload: "Title changed by the order file from 'A' to 'B'.", "Lead agencies ...",
  "Consulted agencies ...", "Part of ..." (``title_changed``, ``leads_changed`` ...);
- ``amended`` by a later order: "...; led by A, B; consulted: C." when it changes them.

:class:`Definitions` replays these and :meth:`Definitions.compare` reports every directive whose row
(title, agencies in order, its parent's ref) differs from what its history last set, so a lead or a
title changed in SQL is named. A directive's ref is in every event's hashed content already: a ref
changed in SQL breaks its chain's hashes. Agencies are compared by id, under any abbreviation the
access log says the agency had (a renamed agency is the same agency).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


class Report(Protocol):
    """Where problems go (``proof.Report``)."""

    def add(self, problem: str) -> None: ...


_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_STARTS = re.compile(
    rf"Starts as: title (?P<title>{_QUOTED}); led by (?P<leads>[^;]*); consulted: (?P<consulted>[^;]*); "
    r"part of (?P<parent>[^;]*)\.$"
)
_TITLE = re.compile(rf"^Title changed by the order file from (?P<old>{_QUOTED}) to (?P<new>{_QUOTED})\.$")
_CHANGED = re.compile(
    r"^(?P<what>Lead agencies|Consulted agencies|Part of) changed by the order file from (?P<old>.*?) "
    r"to (?P<new>.*)\.$"
)
_AMENDED_LEADS = re.compile(r"; led by (?P<leads>[^;]*?)(?=;|\.(?: |$))")
_AMENDED_CONSULTED = re.compile(r"; consulted: (?P<consulted>[^;]*?)(?=;|\.(?: |$))")
_FIELDS = {"Lead agencies": "leads", "Consulted agencies": "consulted", "Part of": "parent"}
# Up to this many directives known, the comparison reads their rows alone (a statement listing their
# ids); more, and it reads every row and skips the others.
FEW = 1000
NAMES = {"title": "title", "leads": "lead agencies", "consulted": "consulted agencies", "parent": "part of"}


def starts_as(title: str, leads: Iterable[str], consulted: Iterable[str], parent_ref: str | None) -> str:
    """Return the sentence a ``created`` event's note ends with: what the directive starts as."""
    return (
        f"Starts as: title {title!r}; led by {_names(leads)}; consulted: {_names(consulted)}; "
        f"part of {parent_ref or 'none'}."
    )


def _names(abbreviations: Iterable[str]) -> str:
    return ", ".join(abbreviations) or "none"


def _listed(text: str) -> tuple[str, ...]:
    return () if text == "none" else tuple(text.split(", "))


def _parent(text: str) -> str:
    return "" if text == "none" else text


@dataclass(slots=True)
class _Known:
    """What the history last set (``None``: not known, for a directive loaded before ``starts_as``)."""

    title: str | None = None
    leads: tuple[str, ...] | None = None
    consulted: tuple[str, ...] | None = None
    parent: str | None = None
    seq: int = 0
    problem: str | None = None


class Definitions:
    """Replay the created, updated and amended events of each directive into what it must be."""

    KINDS = frozenset({"created", "updated", "amended"})

    def __init__(self) -> None:
        self.known: dict[int, _Known] = {}

    def __call__(self, directive_id: int, kind: str, note: str, seq: int) -> None:
        # A directive is known once one of its events says what it is: most say nothing of it (a
        # created event before ``starts_as``), and the comparison reads only the directives known.
        if kind == "created":
            found = _STARTS.search(note)
            if found is not None:
                known = self._known(directive_id)
                known.title = ast.literal_eval(found["title"])
                known.leads, known.consulted = _listed(found["leads"]), _listed(found["consulted"])
                known.parent = _parent(found["parent"])
                known.seq = seq
        elif kind == "updated":
            title = _TITLE.match(note)
            if title is not None:
                self._set(
                    self._known(directive_id), seq, "title", ast.literal_eval(title["old"]), title["new"]
                )
                return
            changed = _CHANGED.match(note)
            if changed is not None:
                name = _FIELDS[changed["what"]]
                read = _parent if name == "parent" else _listed
                self._set(self._known(directive_id), seq, name, read(changed["old"]), changed["new"])
        else:
            for pattern, name in ((_AMENDED_LEADS, "leads"), (_AMENDED_CONSULTED, "consulted")):
                found = pattern.search(note)
                if found is not None:
                    known = self._known(directive_id)
                    setattr(known, name, _listed(found[name]))
                    known.seq = seq

    def _known(self, directive_id: int) -> _Known:
        known = self.known.get(directive_id)
        if known is None:
            known = self.known[directive_id] = _Known()
        return known

    @staticmethod
    def _set(known: _Known, seq: int, name: str, old: object, new_text: str) -> None:
        before = getattr(known, name)
        if before is not None and before != old and known.problem is None:
            known.problem = (
                f"seq {seq}: it changes the {NAMES[name]} from {_show(old)}, but the events before it "
                f"leave {_show(before)}"
            )
        if name == "title":
            new: object = ast.literal_eval(new_text)
        elif name == "parent":
            new = _parent(new_text)
        else:
            new = _listed(new_text)
        setattr(known, name, new)
        known.seq = seq

    def compare(self, order_number: int | None, report: Report) -> None:
        """Report each directive (of one order, or all) whose title, agencies or parent differ from its
        history's."""
        from agencies.models import Agency
        from ledger.models import AccessEvent

        from ..models import Directive, Involvement

        if not self.known:
            return
        names: dict[str, set[int]] = {}
        abbreviation = dict(Agency.objects.values_list("pk", "abbreviation"))
        for pk, current in abbreviation.items():
            names.setdefault(current, set()).add(pk)
        renames = AccessEvent.objects.filter(kind=AccessEvent.Kind.AGENCY_RENAMED)
        for agency_id, detail in renames.values_list("agency_id", "detail"):
            old = json.loads(detail).get("old_abbreviation") if detail else None
            if old and agency_id is not None:
                names.setdefault(old, set()).add(agency_id)
        # The directives known (at most FEW), or every directive (of the order), skipping those the history
        # says nothing of: a filter on 100,000 ids was two statements of 690 KB, built and parsed each run.
        directives = Directive.objects.all()
        involvements = Involvement.objects.all()
        if order_number is not None:
            directives = directives.filter(order__number=order_number)
            involvements = involvements.filter(directive__order__number=order_number)
        if len(self.known) <= FEW:  # a short list of ids: only those rows are read
            directives = directives.filter(pk__in=list(self.known))
            involvements = involvements.filter(directive_id__in=list(self.known))
        agencies: dict[tuple[int, str], list[int]] = {}
        for directive_id, role, agency_id in involvements.order_by(
            "directive_id", "role", "position"
        ).values_list("directive_id", "role", "agency_id"):
            agencies.setdefault((directive_id, role), []).append(agency_id)
        # The agencies' ids a list of abbreviations stands for, worked out once per list (None when one
        # abbreviation is more than one agency's, old and new: then each is looked up).
        ids_of: dict[tuple[str, ...], list[int] | None] = {}

        def same(have: list[int], said: tuple[str, ...]) -> bool:
            if said not in ids_of:
                ids_of[said] = _only_ids(said, names)
            expected = ids_of[said]
            return have == expected or (expected is None and _same_agencies(have, said, names))

        rows = directives.order_by("order__number", "id").values_list(
            "id", "order__number", "ref", "title", "parent__ref"
        )
        get_known, get_agencies = self.known.get, agencies.get
        none: list[int] = []
        for pk, number, ref, title, parent_ref in rows.iterator(chunk_size=5000):
            known = get_known(pk)
            if known is None:
                continue
            # Most directives match: checked at once, and only a difference spelled out.
            leads, consulted = known.leads, known.consulted
            if known.problem is None and (
                (known.title is None or title == known.title)
                and (leads is None or same(get_agencies((pk, "lead"), none), leads))
                and (consulted is None or same(get_agencies((pk, "consulted"), none), consulted))
                and (known.parent is None or (parent_ref or "") == known.parent)
            ):
                continue
            if known.problem is not None:
                report.add(
                    f"EO {number}, directive {ref}: its definition's history is inconsistent: {known.problem}"
                )
                continue
            differs = []
            if known.title is not None and title != known.title:
                differs.append(f"title is {title!r} but its events say {known.title!r}")
            for name, role in (("leads", "lead"), ("consulted", "consulted")):
                said = getattr(known, name)
                have = agencies.get((pk, role), [])
                if said is not None and not same(have, said):
                    shown = tuple(abbreviation.get(a, f"agency {a}") for a in have)
                    differs.append(f"{NAMES[name]} are {_show(shown)} but its events say {_show(said)}")
            if known.parent is not None and (parent_ref or "") != known.parent:
                differs.append(
                    f"it is part of {parent_ref or 'none'} but its events say {known.parent or 'none'}"
                )
            where = f"EO {number}, directive {ref}, seq {known.seq}"
            report.add(f"{where}: the directive's definition differs from its history: {'; '.join(differs)}")


def _only_ids(said: tuple[str, ...], names: Mapping[str, set[int]]) -> list[int] | None:
    ids = [names.get(n, set()) for n in said]
    if any(len(found) > 1 for found in ids):
        return None
    # An abbreviation of no agency stands for none: a list naming it matches no directive's agencies.
    return [next(iter(found)) if found else -1 for found in ids]


def _same_agencies(have: list[int], said: tuple[str, ...], names: Mapping[str, set[int]]) -> bool:
    return len(have) == len(said) and all(a in names.get(n, ()) for a, n in zip(have, said, strict=True))


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) or "none"
    return repr(value) if value else "none"
