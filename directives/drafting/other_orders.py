"""Other orders: which order a section amends, and the orders (or their parts) this one revokes."""

from __future__ import annotations

import re

from .tree import Node, Tree
from .wording import AMENDED, AMENDING_CLAUSE, expand_refs, node_text


class OtherOrders:
    """What a tree's sections say about other orders; the notes for a reviewer go to ``flags``."""

    def __init__(self, tree: Tree, flags: list[str]):
        self.tree = tree
        self.texts = tree.texts
        self.flags = flags
        self._amended: dict[int, int | None] = {}

    def _section_of(self, node: Node) -> Node:
        while node.parent is not None:
            node = node.parent
        return node

    def amended_order(self, node: Node) -> int | None:
        """Return the number of the order that ``node``'s section amends, or None."""
        section = self._section_of(node)
        if id(section) not in self._amended:
            text = " ".join(self.texts[i] for i in section.paragraphs)
            m = AMENDED.search(text)
            self._amended[id(section)] = int(m.group(1)) if m else None
        return self._amended[id(section)]

    def inserted_into(self, clause: Node) -> int | None:
        """Return the number of the order that the amending ``clause`` inserts text into, or None.

        The clause may name it ("(d) Section 1-102 of Executive Order 12898 is further amended by adding
        the following at the end:"), or its section ("Sec. 2. Executive Order 14144 is hereby amended").
        """
        m = AMENDING_CLAUSE.search(node_text(clause, self.texts)) if clause.depth > 0 else None
        return int(m.group(1)) if m else self.amended_order(clause)

    def revocations(self) -> dict[int, list[str]]:
        """Return the orders revoked, each with the refs of its revoked parts (none: the whole order)."""
        revokes = self._revoked_in_words()
        for root in self.tree.roots:
            for node in root.walk():
                if node.depth == 0 or node.inserted is not None:
                    continue
                amended = self.amended_order(node)
                if amended is None:
                    continue
                self._struck(node, amended, revokes)
        return revokes

    def _revoked_in_words(self) -> dict[int, list[str]]:
        """Return what "... is hereby revoked" sentences revoke."""
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
        return revokes

    def _struck(self, node: Node, amended: int, revokes: dict[int, list[str]]) -> None:
        """Add the parts of ``amended`` that an amending clause strikes ("striking section 3 ...")."""
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
            return
        if struck and (struck.group(2) or "") != "inserting":
            refs = expand_refs(re.sub(r"^(?:sub)?sections?\s+", "", struck.group(1)))
            revokes.setdefault(amended, []).extend(refs)
