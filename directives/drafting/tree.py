"""The paragraph tree: ``Sec. 4.`` / ``4.1`` -> ``(a)`` -> ``(i)`` -> ``(A)`` -> ``(1)``.

Which level a marker opens is not always written on it: "(i)" is the ninth letter or the first roman
numeral, "(v)" and "(x)" likewise. As eregs' regulations-parser does (``regparser/tree/depth``), every
reading of the markers of a section is kept that obeys two rules, and the best one is chosen by what
follows:

- a marker either continues a sequence already open (the next letter after "(h)", at that level, closing
  the levels below it) or opens a new, deeper one at its first value ("(i)", "(A)", "(1)");
- a sequence that is opened and closed with a single child is unlikely (regparser's
  ``prefer_multiple_children``), and so is a level order other than letter, roman, capital, digit.

So "(h) ... (i) ... (j)" reads (i) as a letter, and "(h) ... (i) ... (ii)" as a roman numeral. A marker
that fits no reading (a wrapped "(b) of this section" at a line start) is text, not a marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .document import HEADING, MARKER_START

LOWER, ROMAN, UPPER, DIGIT = "lower", "roman", "upper", "digit"
_CANONICAL = (LOWER, ROMAN, UPPER, DIGIT)
_ROMAN = re.compile(r"^(?=[ivxlc])(c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_BEAM = 32
_REUSED = 2.0
_OPEN_QUOTE, _CLOSE_QUOTE = "\u201c", "\u201d"
SUBSECTION = re.compile(r"^(\d+)\.(\d+)\.?\s")


def roman_value(token: str) -> int | None:
    """Return the value of the lower-case roman numeral ``token``, or None."""
    if not token or not _ROMAN.match(token):
        return None
    total = 0
    for index, char in enumerate(token):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[token[index + 1]] if index + 1 < len(token) else 0
        total += -value if value < following else value
    return total


def readings(token: str) -> list[tuple[str, int]]:
    """Return every (type, position) ``token`` can be: "i" is the ninth letter and the first numeral."""
    if token.isdigit():
        return [(DIGIT, int(token) - 1)]
    options: list[tuple[str, int]] = []
    if token.isupper():
        if len(token) == 1:
            options.append((UPPER, ord(token) - ord("A")))
        elif len(token) == 2 and token[0] == token[1]:
            options.append((UPPER, 26 + ord(token[0]) - ord("A")))
        return options
    if len(token) == 1:
        options.append((LOWER, ord(token) - ord("a")))
    elif len(token) == 2 and token[0] == token[1]:
        options.append((LOWER, 26 + ord(token[0]) - ord("a")))  # (aa) follows (z)
    value = roman_value(token)
    if value:
        options.append((ROMAN, value - 1))
    return options


@dataclass
class Reading:
    """The markers of one section read as levels: ``levels[k]`` is None when token k is not a marker."""

    levels: list[tuple[str, int] | None]
    ambiguous: set[int]


def _order_penalty(stack: tuple[tuple[str, int], ...], typ: str) -> float:
    if not stack:
        return 0.0 if typ in (LOWER, DIGIT) else 0.3
    top = stack[-1][0]
    expected = _CANONICAL[_CANONICAL.index(top) + 1] if top != DIGIT else None
    return 0.0 if typ == expected else 0.5


# A reading in progress: the open levels as (type, position) from the top, and for each token so far
# its (type, level), or None when it is not read as a marker.
_Stack = tuple[tuple[str, int], ...]
_History = tuple[tuple[str, int] | None, ...]


def _keep(
    states: dict[_Stack, tuple[float, _History]], stack: _Stack, penalty: float, history: _History
) -> None:
    if stack not in states or states[stack][0] > penalty:
        states[stack] = (penalty, history)


def solve(tokens: list[str], *, free_start: bool = False) -> Reading:
    """Return the best reading of a section's marker ``tokens`` (see the module's docstring).

    ``free_start`` lets the first marker be at any position, for inserted text that starts at "(c)".
    """
    # state: the open levels, as (type, position) from the top -> (penalty, the reading so far)
    states: dict[_Stack, tuple[float, _History]] = {(): (0.0, ())}
    for token in tokens:
        following: dict[_Stack, tuple[float, _History]] = {}
        for stack, (penalty, history) in states.items():
            for typ, position in readings(token):
                for level in range(len(stack) - 1, -1, -1):
                    if stack[level][0] == typ and position == stack[level][1] + 1:
                        closed = sum(1 for _, p in stack[level + 1 :] if p == 0)
                        _keep(
                            following,
                            (*stack[:level], (typ, position)),
                            penalty + closed,
                            (*history, (typ, level)),
                        )
                first = free_start and not stack and not any(history)
                if position == 0 or first:
                    # A fifth level may use letters again: "(iii) (A) (1) (a) (b) ... (2) (a) ... (B)" (EO
                    # 14086 2(c)); unlikely, so only when no other reading fits.
                    reused = _REUSED if any(t == typ for t, _ in stack) else 0.0
                    if reused and len(stack) < len(_CANONICAL):
                        continue
                    _keep(
                        following,
                        (*stack, (typ, position)),
                        penalty + _order_penalty(stack, typ) + reused,
                        (*history, (typ, len(stack))),
                    )
        if following:
            best = sorted(following.items(), key=lambda item: item[1][0])[:_BEAM]
            states = dict(best)
        else:
            states = {stack: (penalty, (*history, None)) for stack, (penalty, history) in states.items()}

    def final(item: tuple[_Stack, tuple[float, _History]]) -> float:
        stack, (penalty, _) = item
        return penalty + sum(1 for _, p in stack if p == 0)

    ranked = sorted(states.items(), key=final)
    best_history = list(ranked[0][1][1])
    ambiguous: set[int] = set()
    for other in ranked[1:]:
        if final(other) - final(ranked[0]) < 0.01:
            ambiguous |= {k for k, (a, b) in enumerate(zip(best_history, other[1][1], strict=True)) if a != b}
    return Reading(levels=best_history, ambiguous=ambiguous)


@dataclass
class Node:
    """A section, subsection or lettered/numbered paragraph, with the paragraphs that are its text."""

    ref: str
    depth: int
    paragraphs: list[int] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    title: str = ""
    ambiguous: bool = False
    inserted: Insertion | None = None

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Insertion:
    """Text that an amending clause inserts into another order, read as that order's paragraphs."""

    clause: Node
    prefix: str
    roots: list[Node] = field(default_factory=list)


@dataclass
class Tree:
    roots: list[Node]
    insertions: list[Insertion]
    texts: list[str]  # the paragraphs as parsed: an insertion's quotation marks removed


def _marker(text: str) -> tuple[str, str] | None:
    m = MARKER_START.match(text)
    if not m:
        return None
    token = text[1 : text.index(")")]
    return token, text[m.end() :]


def _struck_ref(clause: str) -> str:
    """Return the ref that an amending clause replaces: "striking subsection 2(c) and inserting" -> 2(c)."""
    m = re.search(
        r"striking (?:former )?(?:sub)?sections? (\d+[A-Za-z]?(?:\([^)\s]+\))*)"
        r"(?: \(newly designated (?:sub)?section (\d+[A-Za-z]?(?:\([^)\s]+\))*)\))?",
        clause,
    )
    if not m:
        return ""
    return m.group(2) or m.group(1)


# The part of another order that an amending clause names: "Section 1-102(b) of Executive Order 12898, as
# amended by ..., is amended to read as follows:", "Section 4 of Executive Order 12345 is further amended
# by adding the following at the end:".
_AMENDED_PART = re.compile(
    r"\b(?:[Ss]ub)?[Ss]ections? (\d+(?:-\d+)?[A-Za-z]?(?:\([^)\s]+\))*) of Executive Order \d{4,5}\b"
    r"[^.]{0,400}?\b(?:is|are) (?:hereby )?(?:further )?amended\b"
)


def _inserted_under(clause: str, first: str) -> str:
    """Return the ref the inserted text ``first`` opens under, from the amending ``clause``.

    "striking subsection 2(c) and inserting" "(c) ...": under 2; "Section 1-102 of Executive Order 12898
    is amended by adding the following at the end:" "(h) ...": under 1-102; "Section 1-102(b) ... is
    amended to read as follows:" "(b) ...": under 1-102. Text that opens with a heading ("Sec. 3. ...")
    numbers itself.
    """
    struck = _struck_ref(clause)
    if struck:
        return re.sub(r"\([^)]*\)$", "", struck) if "(" in struck else ""
    named = _AMENDED_PART.search(clause)
    if named is None or HEADING.match(first):
        return ""
    ref = named.group(1)
    marker = _marker(first)
    if marker and ref.endswith(f"({marker[0]})"):
        return ref[: -len(marker[0]) - 2]
    return ref


def _build(
    indices: list[int], texts: list[str], base: str, roots: list[Node], *, free_start: bool = False
) -> None:
    """Build the nodes of the paragraphs ``indices`` under sections, appending top nodes to ``roots``."""
    groups: list[tuple[Node, list[int]]] = []
    current = Node(ref=base, depth=0)
    roots.append(current)
    group: list[int] = []
    for index in indices:
        text = texts[index]
        heading = HEADING.match(text)
        sub = SUBSECTION.match(text)
        if heading and len(text) < 200 and not _marker(text):
            groups.append((current, group))
            current = Node(ref=heading.group(1), depth=0, title=text[heading.end() :].strip().rstrip("."))
            roots.append(current)
            current.paragraphs.append(index)
            group = []
            continue
        if sub and roots[-1].ref == sub.group(1):
            groups.append((current, group))
            section = roots[-1] if roots[-1].depth == 0 else current
            current = Node(ref=f"{sub.group(1)}.{sub.group(2)}", depth=1, parent=section)
            section.children.append(current)
            current.paragraphs.append(index)
            group = []
            continue
        group.append(index)
    groups.append((current, group))
    for top, members in groups:
        _attach(top, members, texts, free_start=free_start)


def _attach(top: Node, members: list[int], texts: list[str], *, free_start: bool) -> None:
    tokens: list[tuple[int, str]] = [(i, m[0]) for i in members if (m := _marker(texts[i]))]
    reading = solve([t for _, t in tokens], free_start=free_start)
    level_of = {i: (reading.levels[k], k in reading.ambiguous) for k, (i, _) in enumerate(tokens)}
    token_of = dict(tokens)
    path: list[Node] = [top]
    # The depth of the next marked paragraph after each position: a list that goes on after a paragraph
    # with no marker ("(ii) improving communication ... These communications may include ...; (iii) ...")
    # has not ended there.
    next_depth: list[int] = [-1] * (len(members) + 1)
    for k in range(len(members) - 1, -1, -1):
        marked = level_of.get(members[k])
        next_depth[k] = marked[0][1] if marked and marked[0] is not None else next_depth[k + 1]
    for position, index in enumerate(members):
        level, ambiguous = level_of.get(index, (None, False))
        if level is None:
            while (
                len(path) > 1
                and next_depth[position] < len(path) - 2
                and _closes_fragments(path[-1], texts, texts[index])
            ):
                path.pop()
            path[-1].paragraphs.append(index)
            continue
        _, depth = level
        token = token_of[index]
        del path[depth + 1 :]
        parent = path[-1]
        node = Node(
            ref=f"{parent.ref}({token})",
            depth=parent.depth + 1,
            paragraphs=[index],
            parent=parent,
            ambiguous=ambiguous,
        )
        parent.children.append(node)
        path.append(node)


def _closes_fragments(node: Node, texts: list[str], text: str) -> bool:
    """Return whether ``text``, a paragraph with no marker after the item ``node``, is its parent's: the
    items continue a lead-in ("The strategy shall: ... (e) describe a process ... activities.") and the
    list has ended with a full stop, so a new sentence ("The Committee shall review ...") is not the item's.
    """
    parent = node.parent
    if parent is None or not parent.paragraphs or not texts[parent.paragraphs[-1]].rstrip().endswith(":"):
        return False
    item = re.sub(r"^\s*\((?:[a-zA-Z]{1,4}|\d{1,3})\)\s*", "", texts[node.paragraphs[0]])
    return (
        item[:1].islower()
        and texts[node.paragraphs[-1]].rstrip().endswith(".")
        and text.lstrip()[:1].isupper()
    )


def build_tree(paragraphs: list[str]) -> Tree:
    """Return the tree of ``paragraphs``; text an amending clause inserts into another order apart."""
    texts = list(paragraphs)
    main: list[int] = []
    insertions: list[tuple[int, list[int]]] = []  # (the clause's paragraph, the inserted paragraphs)
    depth = 0
    for index, text in enumerate(paragraphs):
        opened = text.startswith(_OPEN_QUOTE)
        follows_clause = index > 0 and paragraphs[index - 1].rstrip().endswith(("following:", "as follows:"))
        if depth > 0 or (opened and (follows_clause or text.count(_OPEN_QUOTE) > text.count(_CLOSE_QUOTE))):
            if depth == 0:
                clause = index - 1
                while clause >= 0 and any(clause in members for _, members in insertions):
                    clause -= 1
                insertions.append((clause, []))
            insertions[-1][1].append(index)
            # A quotation of several paragraphs opens each with a mark and closes only the last, as
            # printers do: a paragraph inside it that opens with a mark continues it, nesting nothing.
            continued = 1 if depth > 0 and opened else 0
            depth += text.count(_OPEN_QUOTE) - continued - text.count(_CLOSE_QUOTE)
            depth = max(depth, 0)
            texts[index] = text.lstrip(_OPEN_QUOTE).rstrip(';.\u201d "')
            if not texts[index].endswith((".", ":", ";")):
                texts[index] += "."
        else:
            main.append(index)
    roots: list[Node] = []
    _build(main, texts, "", roots)
    by_paragraph = {i: node for root in roots for node in root.walk() for i in node.paragraphs}
    result: list[Insertion] = []
    for clause_index, members in insertions:
        clause_node = by_paragraph.get(clause_index) or roots[-1]
        prefix = _inserted_under(paragraphs[clause_index], texts[members[0]]) if clause_index >= 0 else ""
        insertion = Insertion(clause=clause_node, prefix=prefix)
        _build(members, texts, prefix, insertion.roots, free_start=True)
        for root in insertion.roots:
            for node in root.walk():
                node.inserted = insertion
        result.append(insertion)
    return Tree(roots=roots, insertions=result, texts=texts)
