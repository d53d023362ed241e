"""From the paragraph tree to directives: who shall do what, by when.

A paragraph is a directive when an office "shall" act in it. Its first deadline gives its rule; each
further deadline gives one more directive (``5.2(a)(i)-2``). A lead-in whose duty runs on into lettered
items ("..., the Secretary shall:" / "... to:" / "... by:") makes the items its children: they inherit its
actors and its deadline unless they say their own (EO 14409 Sec. 3). Text another order's amendment
inserts gives amendments of that order, not directives of this one.

The builder visits each node in steps: its own directives (``_own``), each further deadline of its
clauses (``_further``), the notes and ongoing duties (``_settle``), what it hands down (``handed_down``)
and its items (``_visit_children``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from agencies.catalog import Catalog
from directives import deadlines

from . import phrases as ph
from .actors import ActorResolver
from .chains import resolve_chains
from .clauses import Clause, binds, find_clauses, item_through, label, same_leads
from .definitions import chaired_bodies, local_definitions
from .drafted import Drafted, Inherited
from .handed_down import handed_down
from .other_orders import OtherOrders
from .passive import passive_deadlines
from .phrase_refs import unclassified
from .subjects import subject_of
from .tree import Insertion, Node, Tree
from .wording import (
    ONGOING_DUTY,
    PASSIVE,
    SHALL,
    duty_title,
    is_action_item,
    node_text,
    sentences,
    strip_marker,
)

__all__ = ["Builder", "Built", "Drafted", "due_on"]


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
        self.other_orders = OtherOrders(tree, self.flags)

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
        revokes = self.other_orders.revocations()
        resolve_chains(directives, amended=None)
        return Built(directives=directives, amends=amends, revokes=revokes, flags=self.flags)

    # --- one node ---------------------------------------------------------------------------------------
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
        clauses = find_clauses(text, inherited, self.resolver) if text else []
        made = self._own(node, text, clauses, inherited, parent_ref)
        self._settle(made, amended)
        out.extend(made)
        passed = handed_down(self.resolver, self.texts, node, self._lead_in_text(node, text), clauses, made)
        self._visit_children(node, passed, made[0].ref if made else parent_ref, made, out, amended=amended)
        if made and isinstance(made[0].rule, deadlines.NoDeadline):
            out.extend(passive_deadlines(made[0], node.ref))

    def _own(
        self, node: Node, text: str, clauses: list[Clause], inherited: Inherited | None, parent_ref: str
    ) -> list[Drafted]:
        """Return the directives of ``node`` itself: its first, then one for each further deadline."""
        review: list[str] = []
        if node.ambiguous:
            review.append(f"The marker of {node.ref} could be read at two levels; check its place.")
        for _, sentence in sentences(text):
            for miss in unclassified(sentence, ph.find(sentence)):
                review.append(f"A deadline the drafter could not classify: '{miss}'.")
        first_offset = sentences(text)[0][0] if text else 0
        from_lead_in = inherited is not None and (not clauses or clauses[0].offset > first_offset)
        current: Drafted | None = None
        if from_lead_in and inherited is not None:
            first = sentences(text)[0][1] if text else ""
            own = [p for p in ph.find(first) if binds(p, first, 0, 0, len(first))]
            content = own[0] if inherited.purpose and own and _recurs_without_start(own[0].rule) else None
            if content is not None:
                own = []  # what the thing made does, again and again; it is due when the lead-in is
            phrase = own[0] if own else inherited.phrase
            current = Drafted(
                ref=node.ref,
                title=duty_title(first or text),
                leads=item_through(first, self.resolver) or inherited.leads,
                consulted=inherited.consulted,
                rule=own[0].rule if own else inherited.rule,
                parent=parent_ref,
                source=text,
                review=list(review),
                paragraphs=list(node.paragraphs),
                phrase=phrase,
                lead_in=[] if own else list(inherited.paragraphs),
            )
            if content is not None:
                current.also.append(content.text)
                current.review.append(
                    f"'{content.text}' is read as what the lead-in's product provides for, not as this "
                    "item's deadline; check."
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
        if current is None:
            return []
        made = [current]
        if from_lead_in and inherited is not None:
            made.extend(self._item_further(node, current, text))
        rule_set = self._further(
            node, current, clauses, made, from_lead_in=from_lead_in, parent_ref=parent_ref
        )
        self._note_undated(current, clauses)
        if not rule_set and inherited is not None and inherited.phrase is not None:
            # An item that names its own actor takes the lead-in's deadline when it gives none.
            current.rule, current.phrase = inherited.rule, inherited.phrase
            current.lead_in = list(inherited.paragraphs)
        return made

    def _further(
        self,
        node: Node,
        current: Drafted,
        clauses: list[Clause],
        made: list[Drafted],
        *,
        from_lead_in: bool,
        parent_ref: str,
    ) -> bool:
        """Give ``current`` its clauses' first deadline and each clause's next one a directive of its own.

        Return whether ``current``'s rule is set.
        """
        rule_set = from_lead_in
        rule_clause: Clause | None = None
        for clause in clauses:
            for phrase in clause.phrases:
                if not rule_set:
                    current.rule = phrase.rule
                    current.sentence = clause.sentence
                    rule_clause = clause
                    current.phrase = phrase
                    if clause is not clauses[0] and not same_leads(clause.leads, current.leads):
                        # "The Secretary shall coordinate ... Within 120 days ..., the Secretary and the
                        # Secretaries of the Treasury and Commerce each shall make recommendations": the
                        # dated duty is the later sentence's, and so are its offices.
                        current.review.append(
                            "The deadline is in a sentence whose actor differs: "
                            f"'{clause.sentence[:120]}'; drafted with that sentence's offices, not those of "
                            f"'{clauses[0].sentence[:80]}'."
                        )
                        current.leads, current.consulted = clause.leads, clause.consulted
                    rule_set = True
                    continue
                if isinstance(phrase.rule, deadlines.NoDeadline):
                    continue
                if self._recurs_thereafter(current, clause, phrase):
                    break
                if clause is rule_clause and self._recurs_from(current, phrase):
                    # "Within 180 days ..., the heads of Federal LEAs shall submit data on a monthly
                    # basis": the first deadline starts the recurrence the same duty names.
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
        return rule_set

    @staticmethod
    def _item_further(node: Node, current: Drafted, text: str) -> list[Drafted]:
        """Return a directive for each further deadline counted from the order in an item's first sentence:
        "(iv) update within 60 days ... any website content, and within 300 days ... any agency reports"."""
        first = sentences(text)[0][1] if text else ""
        own = [p for p in ph.find(first) if binds(p, first, 0, 0, len(first))]
        more: list[Drafted] = []
        for phrase in own[1:]:
            if not isinstance(
                phrase.rule, deadlines.DaysAfterOrder | deadlines.MonthsAfterOrder | deadlines.YearsAfterOrder
            ):
                continue
            more.append(
                Drafted(
                    ref=f"{node.ref}-{len(more) + 2}",
                    title=duty_title(first[phrase.end :]) or current.title,
                    leads=current.leads,
                    consulted=current.consulted,
                    rule=phrase.rule,
                    parent=current.parent,
                    source=first.strip(),
                    review=[f"A second deadline of the item: '{phrase.text}'."],
                    paragraphs=list(node.paragraphs),
                    sentence=first,
                    phrase=phrase,
                )
            )
        return more

    @staticmethod
    def _recurs_thereafter(current: Drafted, clause: Clause, phrase: ph.Phrase) -> bool:
        """Make ``current`` recur when a later sentence says so: "Within 180 days ..., agencies shall
        report ... Thereafter, agencies shall report progress quarterly". Return whether it did."""
        rule, first = phrase.rule, current.rule
        if not (
            isinstance(rule, deadlines.Recurring)
            and isinstance(rule.first, deadlines.DaysFromEvent)
            and rule.first.event == ph.NO_START
            and re.match(r"\s*(?:Thereafter|After that|Subsequently)\b", clause.sentence, re.IGNORECASE)
            and (clause.actors.anaphoric or same_leads(clause.leads, current.leads))
            and isinstance(
                first,
                deadlines.DaysAfterOrder
                | deadlines.MonthsAfterOrder
                | deadlines.YearsAfterOrder
                | deadlines.OnDate,
            )
        ):
            return False
        current.rule = deadlines.Recurring(
            first=first, every_days=rule.every_days, every_months=rule.every_months
        )
        current.also.append(phrase.text)
        return True

    @staticmethod
    def _recurs_from(current: Drafted, phrase: ph.Phrase) -> bool:
        """Make ``current``'s dated first deadline recur with ``phrase``'s period, when ``phrase`` recurs
        with no start of its own. Return whether it did."""
        rule, first = phrase.rule, current.rule
        if not (
            isinstance(rule, deadlines.Recurring)
            and isinstance(rule.first, deadlines.DaysFromEvent)
            and rule.first.event == ph.NO_START
            and isinstance(
                first,
                deadlines.DaysAfterOrder
                | deadlines.MonthsAfterOrder
                | deadlines.YearsAfterOrder
                | deadlines.OnDate,
            )
        ):
            return False
        current.rule = deadlines.Recurring(
            first=first, every_days=rule.every_days, every_months=rule.every_months
        )
        current.also.append(phrase.text)
        return True

    @staticmethod
    def _note_undated(current: Drafted, clauses: list[Clause]) -> None:
        """Say which other offices act in the paragraph without a deadline, and the actors' own notes."""
        for clause in clauses:
            if clause.phrases or clause.actors.anaphoric or same_leads(clause.leads, current.leads):
                continue
            who = ", ".join(label(a) for a in clause.leads)
            current.review.append(
                f"Also in this paragraph, without a deadline of its own: {who} shall"
                f"{clause.duty[:100].rstrip()}... (not drafted as a directive of its own)."
            )
        for clause in clauses:
            current.review.extend(clause.actors.notes)

    @staticmethod
    def _settle(made: list[Drafted], amended: int | None) -> None:
        """Mark ongoing duties, add the deadline phrases' review notes, and name the amended order."""
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

    # --- what the items inherit ---------------------------------------------------------------------------
    def _lead_in_text(self, node: Node, text: str) -> str:
        """Return the node's text before its first item: its lead-in, even when a paragraph after the
        items is the node's too ("(e) ... activities." then "The Committee shall review ...")."""
        if not node.children:
            return text
        first_item = node.children[0].paragraphs[0]
        before = [i for i in node.paragraphs if i < first_item]
        if len(before) == len(node.paragraphs) or not before:
            return text
        return node_text(dataclasses.replace(node, paragraphs=before), self.texts)

    def _visit_children(
        self,
        node: Node,
        passed: Inherited | None,
        directive_ref: str,
        made: list[Drafted],
        out: list[Drafted],
        *,
        amended: int | None,
    ) -> None:
        for child in node.children:
            child_text = self.texts[child.paragraphs[0]]
            # Items that are duties inherit the lead-in; so do items naming their own actor (its deadline).
            takes = (
                is_action_item(child_text)
                or not (passed and passed.leads)
                or self._names_actor(child_text)
                or bool(re.match(r"shall\b", strip_marker(child_text)))
                or passed.objects  # reached only with a lead-in that names offices
            )
            child_inherit = passed if passed and takes else None
            if child_inherit is None and made and self._dated_action(child_text):
                # "(e) develop ... a process ..., including-- ... (iii) not later than 180 days after the
                # date of this order, ..., establishing lists of ...": an item that says what is done and
                # by when is a duty of the directive's office even where the lead-in lists its content.
                child_inherit = Inherited(made[0].leads, made[0].consulted, deadlines.NoDeadline(), None, [])
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

    @staticmethod
    def _dated_action(text: str) -> bool:
        """Return whether an item opens with what is done and a deadline of its own that binds it."""
        if not is_action_item(text):
            return False
        first = sentences(strip_marker(text))[0][1] if text.strip() else ""
        return any(
            binds(p, first, 0, 0, len(first))
            and not isinstance(p.rule, deadlines.NoDeadline)
            and p.chain is None
            and not isinstance(p.rule, deadlines.DaysFromEvent)
            for p in ph.find(first)
        )

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

    # --- text inserted into other orders --------------------------------------------------------------------
    def _insertion(self, insertion: Insertion) -> list[Drafted]:
        amended = self.other_orders.inserted_into(insertion.clause)
        clause_text = node_text(insertion.clause, self.texts)
        if amended is None:
            self.flags.append(
                f"{insertion.clause.ref}: inserts text into an order the drafter could not name; not drafted."
            )
            return []
        drafted: list[Drafted] = []
        for root in insertion.roots:
            self._visit(root, None, "", drafted, amended=amended)
        resolve_chains(drafted, amended=amended)
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


def _recurs_without_start(rule: deadlines.Rule) -> bool:
    return (
        isinstance(rule, deadlines.Recurring)
        and isinstance(rule.first, deadlines.DaysFromEvent)
        and rule.first.event == ph.NO_START
    )


def due_on(rule: deadlines.Rule, signed_on: dt.date | None) -> dt.date | None:
    """Return the date ``rule`` gives for an order signed on ``signed_on`` (None if undated)."""
    if signed_on is None:
        return None
    return deadlines.due_date(rule, signed_on=signed_on)
