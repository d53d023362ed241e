"""From the paragraph tree to directives: who shall do what, by when.

A paragraph is a directive when an office "shall" act in it. Its first deadline gives its rule; each
further deadline gives one more directive (``5.2(a)(i)-2``). A lead-in whose duty runs on into lettered
items ("..., the Secretary shall:" / "... to:" / "... by:") makes the items its children: they inherit its
actors and its deadline unless they say their own (EO 14409 Sec. 3). Text another order's amendment
inserts gives amendments of that order, not directives of this one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from agencies.catalog import Catalog
from directives import deadlines

from . import phrases as ph
from .actors import Actor, ActorResolver, Actors, chaired_bodies, local_definitions, subject_of
from .tree import Insertion, Node, Tree
from .wording import (
    AMENDED,
    CONTENT_LEAD_IN,
    ONGOING_DUTY,
    PASSIVE,
    SHALL,
    duty_title,
    expand_refs,
    is_action_item,
    node_text,
    sentences,
    strip_marker,
)


@dataclass
class Clause:
    """One "X shall ..." of a sentence: the actors, the duty and the deadline phrases that bind it."""

    sentence: str
    offset: int  # of the sentence in the node's text
    actors: Actors
    duty: str
    phrases: list[ph.Phrase]
    leads: list[Actor] = field(default_factory=list)
    consulted: list[Actor] = field(default_factory=list)


@dataclass
class Drafted:
    """A directive (or an amendment of another order's directive) as drafted, before it is written out."""

    ref: str
    title: str
    leads: list[Actor]
    consulted: list[Actor]
    rule: deadlines.Rule
    parent: str
    source: str
    review: list[str]
    paragraphs: list[int]
    sentence: str = ""
    amends: int | None = None
    note: str = ""
    phrase: ph.Phrase | None = None
    lead_in: list[int] = field(default_factory=list)  # the paragraphs whose deadline it took


@dataclass
class Inherited:
    leads: list[Actor]  # empty: a lead-in that gives only a deadline ("Within 180 days ...:")
    consulted: list[Actor]
    rule: deadlines.Rule
    phrase: ph.Phrase | None
    paragraphs: list[int] = field(default_factory=list)


@dataclass
class Built:
    directives: list[Drafted]
    amends: list[Drafted]
    revokes: dict[int, list[str]]
    flags: list[str]


class Builder:
    def __init__(self, tree: Tree, catalog: Catalog, *, full_text: str, number: int | None):
        self.tree = tree
        self.texts = tree.texts
        self.resolver = ActorResolver(catalog, local_definitions(full_text), chaired_bodies(full_text))
        self.number = number
        self.flags: list[str] = []
        self._amended: dict[int, int | None] = {}

    # --- clauses -------------------------------------------------------------------------------------------
    def clauses(self, text: str, inherited: Inherited | None) -> list[Clause]:
        """Return the "X shall" clauses of ``text`` whose X is an office (named, or referred back to)."""
        found: list[Clause] = []
        previous: Clause | None = None
        for offset, sentence in sentences(text):
            phrases = ph.find(sentence)
            shalls = list(SHALL.finditer(sentence))
            starts: list[int] = []
            subjects: list[str] = []
            cursor = 0
            for m in shalls:
                pre = sentence[cursor : m.start()]
                subject = subject_of(pre)
                subjects.append(subject)
                starts.append(cursor + pre.rfind(subject) if subject else -1)
                cursor = m.end()
            for k, m in enumerate(shalls):
                subject = subjects[k]
                if not subject or PASSIVE.match(sentence[m.end() :]):
                    continue
                actors = self.resolver.parse(subject)
                leads, consulted = actors.leads, actors.consulted
                if actors.anaphoric:
                    source = previous or (inherited and Clause("", 0, Actors(), "", [], inherited.leads))
                    if not source or not source.leads:
                        continue
                    leads = source.leads
                    consulted = source.consulted if previous else (inherited.consulted if inherited else [])
                if not leads:
                    continue
                region_start = 0 if k == 0 else max(starts[k], 0)
                region_end = starts[k + 1] if k + 1 < len(shalls) and starts[k + 1] >= 0 else len(sentence)
                if k + 1 < len(shalls) and starts[k + 1] < 0:
                    region_end = shalls[k + 1].start()
                duty = sentence[m.end() : region_end]
                mine = [
                    p
                    for p in phrases
                    if region_start <= p.start < region_end
                    and self._binds(p, sentence, m.start(), m.end(), region_end)
                ]
                clause = Clause(sentence, offset, actors, duty, mine, leads, consulted)
                for extra in self._consulted_after_shall(duty):
                    if all(not self._same(extra, c) for c in [*clause.consulted, *clause.leads]):
                        clause.consulted.append(extra)
                found.append(clause)
                previous = clause
        return found

    @staticmethod
    def _same(a: Actor, b: Actor) -> bool:
        if a.agency and b.agency:
            return a.agency.abbreviation == b.agency.abbreviation
        return a.unknown == b.unknown

    def _consulted_after_shall(self, duty: str) -> list[Actor]:
        """Return offices a duty consults right after "shall": "shall, in consultation with X, issue"."""
        m = re.match(
            r"^\s*,\s*(?:as appropriate,\s*)?in (?:consultation|coordination) with "
            r"([^,]+(?:,\s*and [^,]+)?),",
            duty,
        )
        if not m:
            return []
        parsed = self.resolver.parse(f"the office, in consultation with {m.group(1)}")
        return parsed.consulted

    @staticmethod
    def _binds(phrase: ph.Phrase, sentence: str, shall_start: int, shall_end: int, region_end: int) -> bool:
        """Return whether a deadline phrase binds the duty, rather than being a date inside what is done."""
        if phrase.start < shall_start:
            return True
        if not phrase.fixed_date:
            return True
        between = sentence[shall_end : phrase.start]
        if re.fullmatch(r"[\s,]*(?:(?:each|jointly|also|further|as appropriate|if possible),?\s*)*", between):
            return True
        after = sentence[phrase.end : region_end]
        return bool(re.fullmatch(r"[\s.,;:]*", after))

    # --- directives ---------------------------------------------------------------------------------------
    def build(self) -> Built:
        directives: list[Drafted] = []
        for root in self.tree.roots:
            if root.ref:
                self._visit(root, None, "", directives, amended=None)
            else:
                # Numbered clauses before any section: a proclamation's "(9) By October 1, 2026, the
                # Secretary shall ...", cited "(9)". The text around them (recitals) is no directive.
                for child in root.children:
                    self._visit(child, None, "", directives, amended=None)
        amends: list[Drafted] = []
        for insertion in self.tree.insertions:
            amends.extend(self._insertion(insertion))
        revokes = self._revocations()
        self._resolve_chains(directives, amended=None)
        return Built(directives=directives, amends=amends, revokes=revokes, flags=self.flags)

    def _visit(
        self,
        node: Node,
        inherited: Inherited | None,
        parent_ref: str,
        out: list[Drafted],
        *,
        amended: int | None,
    ) -> None:
        text = node_text(node, self.texts)
        clauses = self.clauses(text, inherited) if text else []
        made: list[Drafted] = []
        review: list[str] = []
        if node.ambiguous:
            review.append(f"The marker of {node.ref} could be read at two levels; check its place.")
        for _, sentence in sentences(text):
            for miss in ph.unclassified(sentence, ph.find(sentence)):
                review.append(f"A deadline the drafter could not classify: '{miss}'.")
        first_offset = sentences(text)[0][0] if text else 0
        from_lead_in = inherited is not None and (not clauses or clauses[0].offset > first_offset)
        current: Drafted | None = None
        if from_lead_in and inherited is not None:
            first = sentences(text)[0][1] if text else ""
            own = [p for p in ph.find(first) if self._binds(p, first, 0, 0, len(first))]
            phrase = own[0] if own else inherited.phrase
            current = Drafted(
                ref=node.ref,
                title=duty_title(first or text),
                leads=inherited.leads,
                consulted=inherited.consulted,
                rule=own[0].rule if own else inherited.rule,
                parent=parent_ref,
                source=text,
                review=list(review),
                paragraphs=list(node.paragraphs),
                phrase=phrase,
                lead_in=[] if own else list(inherited.paragraphs),
            )
        elif clauses:
            current = Drafted(
                ref=node.ref,
                title=duty_title(clauses[0].duty) or node.title,
                leads=clauses[0].leads,
                consulted=clauses[0].consulted,
                rule=deadlines.NoDeadline(),
                parent=parent_ref,
                source=text,
                review=list(review),
                paragraphs=list(node.paragraphs),
            )
        if current is not None:
            made.append(current)
            rule_set = from_lead_in
            for clause in clauses:
                for phrase in clause.phrases:
                    if not rule_set:
                        current.rule = phrase.rule
                        current.sentence = clause.sentence
                        current.phrase = phrase
                        if clause is not clauses[0] and not self._same_leads(clause.leads, current.leads):
                            current.review.append(
                                "The deadline is in a sentence whose actor differs: "
                                f"'{clause.sentence[:120]}'."
                            )
                        rule_set = True
                        continue
                    if isinstance(phrase.rule, deadlines.NoDeadline):
                        continue
                    made.append(
                        Drafted(
                            ref=f"{node.ref}-{len(made) + 1}",
                            title=duty_title(clause.duty),
                            leads=clause.leads,
                            consulted=clause.consulted,
                            rule=phrase.rule,
                            parent=parent_ref,
                            source=clause.sentence.strip(),
                            review=[],
                            paragraphs=list(node.paragraphs),
                            sentence=clause.sentence,
                            phrase=phrase,
                        )
                    )
                    break
            for clause in clauses:
                if clause.phrases or clause.actors.anaphoric or self._same_leads(clause.leads, current.leads):
                    continue
                who = ", ".join(self._label(a) for a in clause.leads)
                current.review.append(
                    f"Also in this paragraph, without a deadline of its own: {who} shall"
                    f"{clause.duty[:100].rstrip()}... (not drafted as a directive of its own)."
                )
            for clause in clauses:
                current.review.extend(clause.actors.notes)
            if not rule_set and inherited is not None and inherited.phrase is not None:
                # An item that names its own actor takes the lead-in's deadline when it gives none.
                current.rule, current.phrase = inherited.rule, inherited.phrase
                current.lead_in = list(inherited.paragraphs)
        for d in made:
            if ONGOING_DUTY.search(strip_marker(d.source)[:160]) and isinstance(
                d.rule,
                deadlines.DaysAfterOrder
                | deadlines.MonthsAfterOrder
                | deadlines.YearsAfterOrder
                | deadlines.OnDate,
            ):
                d.rule = type(d.rule)(**{**d.rule.__dict__, "ongoing": True})
            if d.phrase is not None and d.phrase.review:
                d.review.append(d.phrase.review)
            d.amends = amended
        out.extend(made)

        # What the children inherit: the lead-in's actors and deadline, when its duty runs on into them.
        passed: Inherited | None = None
        directive_ref = made[0].ref if made else parent_ref
        if made and text.rstrip().endswith(":"):
            last_sentence = sentences(text)[-1][1]
            lead_in = clauses[-1] if clauses and clauses[-1].sentence == last_sentence else None
            tail = text.rstrip()[-160:]
            runs_on = not CONTENT_LEAD_IN.search(tail) or re.search(r"following:$", tail)
            if runs_on and lead_in is not None:
                own = list(lead_in.phrases)
                rule = own[0].rule if own else made[0].rule
                phrase = own[0] if own else made[0].phrase
                passed = Inherited(lead_in.leads, lead_in.consulted, rule, phrase, list(node.paragraphs))
        if passed is None and node.children and (not made or not text.rstrip().endswith(":")):
            # "(a) Within 180 days of the date of this order: (i) the Secretary of Energy shall ...; (ii) the
            # Director of OSTP shall ...": the lead-in gives its items their deadline, they name the actors.
            # The lead-in's sentence: its last, or (when its items follow a sentence of what is to be
            # done, "the heads of agencies specified in (i)-(v) shall submit the following reports")
            # its first with a deadline.
            candidates = (
                [sentences(text)[-1][1]] if text.rstrip().endswith(":") else [s for _, s in sentences(text)]
            )
            for sentence in candidates:
                dated = [p for p in ph.find(sentence) if not isinstance(p.rule, deadlines.NoDeadline)]
                if dated and (not dated[0].fixed_date or self._binds(dated[0], sentence, 0, 0, 0)):
                    passed = Inherited([], [], dated[0].rule, dated[0], list(node.paragraphs))
                    break
        for child in node.children:
            child_text = self.texts[child.paragraphs[0]]
            # Items that are duties inherit the lead-in; so do items naming their own actor (its deadline).
            takes = (
                is_action_item(child_text) or not (passed and passed.leads) or self._names_actor(child_text)
            )
            child_inherit = passed if passed and takes else None
            before = len(out)
            if passed and child_inherit is None and self._passes_through(child, child_text):
                # "(m) The Secretary shall: (i) to better protect consumers ...: (A) not later than 30 days
                # ..., appoint ...": the item only frames its own items, which carry the lead-in's duty.
                for grandchild in child.children:
                    grandchild_text = self.texts[grandchild.paragraphs[0]]
                    inherit = passed if is_action_item(grandchild_text) else None
                    self._visit(grandchild, inherit, directive_ref, out, amended=amended)
                if len(out) > before:
                    continue
            self._visit(child, child_inherit, directive_ref, out, amended=amended)
            if made and len(out) == before:
                # Items that are not duties of their own are part of the directive's text: its source.
                for descendant in child.walk():
                    made[0].source += " " + " ".join(self.texts[i] for i in descendant.paragraphs)
                    made[0].paragraphs.extend(descendant.paragraphs)

    def _names_actor(self, text: str) -> bool:
        """Return whether an item's first duty has an office as its subject ("(i) the Secretary shall")."""
        shall = SHALL.search(strip_marker(text))
        if shall is None or PASSIVE.match(strip_marker(text)[shall.end() :]):
            return False
        subject = subject_of(strip_marker(text)[: shall.start()])
        return bool(subject) and bool(self.resolver.parse(subject).leads)

    def _passes_through(self, node: Node, text: str) -> bool:
        """Return whether an item only frames its own items: it ends in ":" and no office shall act in it."""
        own = " ".join(self.texts[i] for i in node.paragraphs)
        return bool(node.children) and own.rstrip().endswith(":") and not SHALL.search(text)

    @staticmethod
    def _same_leads(a: list[Actor], b: list[Actor]) -> bool:
        return [x.agency.abbreviation if x.agency else x.unknown for x in a] == [
            x.agency.abbreviation if x.agency else x.unknown for x in b
        ]

    @staticmethod
    def _label(actor: Actor) -> str:
        return actor.agency.abbreviation if actor.agency else actor.unknown

    # --- chained deadlines --------------------------------------------------------------------------------
    def _resolve_chains(self, directives: list[Drafted], *, amended: int | None) -> None:
        """Date a chained deadline after the directive it names, or leave it event-relative and say so."""
        refs = {d.ref for d in directives}
        for d in directives:
            phrase = d.phrase
            if phrase is None or phrase.chain is None or not isinstance(d.rule, deadlines.DaysFromEvent):
                continue
            target = self._chain_target(phrase.chain.what, d, directives)
            if target and (target in refs or amended is not None) and target != d.ref:
                d.rule = phrase.chain.rule(target)
            else:
                d.review.append(
                    f"The deadline counts from '{phrase.chain.what[:100]}', which names no directive of this "
                    "file: drafted as days from an event whose date someone records."
                )

    def _chain_target(self, what: str, d: Drafted, directives: list[Drafted]) -> str:
        named = re.match(
            r"^(?:the\s+|any\s+|such\s+)?[\w\s'\u2019-]{0,45}?\b(?:described|required|developed|issued"
            r"|submitted|identified|established|published|referenced|set forth|provided|specified|under|in"
            r"|pursuant to)\s+"
            r"(?:in\s+|by\s+|under\s+|to\s+)?(?:sub)?sections?\s",
            what,
        )
        if named:
            return ph.resolve_ref(what, current=d.ref)
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

    # --- other orders ---------------------------------------------------------------------------------------
    def _section_of(self, node: Node) -> Node:
        while node.parent is not None:
            node = node.parent
        return node

    def _amended_order(self, node: Node) -> int | None:
        section = self._section_of(node)
        if id(section) not in self._amended:
            text = " ".join(self.texts[i] for i in section.paragraphs)
            m = AMENDED.search(text)
            self._amended[id(section)] = int(m.group(1)) if m else None
        return self._amended[id(section)]

    def _insertion(self, insertion: Insertion) -> list[Drafted]:
        amended = self._amended_order(insertion.clause)
        clause_text = node_text(insertion.clause, self.texts)
        if amended is None:
            self.flags.append(
                f"{insertion.clause.ref}: inserts text into an order the drafter could not name; not drafted."
            )
            return []
        drafted: list[Drafted] = []
        for root in insertion.roots:
            self._visit(root, None, "", drafted, amended=amended)
        self._resolve_chains(drafted, amended=amended)
        out = []
        for d in drafted:
            if isinstance(d.rule, deadlines.NoDeadline):
                continue
            d.note = (
                f"Sec. {insertion.clause.ref} of this order: {clause_text[:200].rstrip(':')}; "
                f"{d.ref} as the amended EO {amended} numbers it."
            )
            out.append(d)
        return out

    def _revocations(self) -> dict[int, list[str]]:
        revokes: dict[int, list[str]] = {}
        main_text = " ".join(
            self.texts[i]
            for root in self.tree.roots
            for n in root.walk()
            for i in n.paragraphs
            if n.inserted is None
        )
        for m in re.finditer(r"\b(?:is|are) hereby revoked", main_text):
            before = main_text[max(0, main_text.rfind(". ", 0, m.start()) + 1) : m.start()]
            partial = re.search(
                r"\b(?:Sub)?[Ss]ections?\s+([\w().,\s-]+?)\s+of\s+Executive Order (\d{4,5})", before
            )
            if partial:
                revokes.setdefault(int(partial.group(2)), []).extend(expand_refs(partial.group(1)))
                continue
            for number in re.findall(r"Executive Orders?\s+(\d{4,5})", before):
                revokes.setdefault(int(number), [])
            for number in re.findall(r"(?:,|and)\s+(\d{5})\b", before):
                revokes.setdefault(int(number), [])
        for root in self.tree.roots:
            for node in root.walk():
                if node.depth == 0 or node.inserted is not None:
                    continue
                amended = self._amended_order(node)
                if amended is None:
                    continue
                text = node_text(node, self.texts)
                if re.search(r"redesignat", text):
                    self.flags.append(
                        f"Sec. {node.ref} renumbers parts of EO {amended}: [[revokes]] refs follow its "
                        "numbering before this order, [[amends]] refs the numbering after it; check both "
                        f"against the loaded EO {amended}."
                    )
                struck = re.match(
                    r"^striking\s+(?:former\s+)?((?:sub)?sections?\s+[^;]+?)(?:\s+and\s+(\w+)|;|$)",
                    text,
                )
                if re.search(r"\bstriking\s+from\b|\bstriking\s+the\s+(?:first|second|last)", text):
                    self.flags.append(f"Sec. {node.ref} edits the wording of EO {amended}: nothing to track.")
                    continue
                if struck and (struck.group(2) or "") != "inserting":
                    refs = expand_refs(re.sub(r"^(?:sub)?sections?\s+", "", struck.group(1)))
                    revokes.setdefault(amended, []).extend(refs)
        return revokes


def due_on(rule: deadlines.Rule, signed_on: dt.date | None) -> dt.date | None:
    """Return the date ``rule`` gives for an order signed on ``signed_on`` (None if undated)."""
    if signed_on is None:
        return None
    return deadlines.due_date(rule, signed_on=signed_on)
