"""Markup around an order's text: inline HTML and Markdown emphasis, underlined headings, front matter.

Tags are read with bounded, linear patterns (see ``_TAG_REACH``), so a crafted paste cannot make a
reader backtrack.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

from .document import HEADING, clean

_TAG_REACH = 400
_SPAN_OPEN = re.compile(rf"<span\b([^<>]{{0,{_TAG_REACH}}})>", re.IGNORECASE)
_SPAN_CLOSE = "</span>"
_SPAN_GAP = re.compile(r"[\s.*]*")  # spaces, stops and emphasis marks ("Projects</span>*.* (a)")
_ANY_SPAN_TAG = re.compile(rf"</?span\b[^<>]{{0,{_TAG_REACH}}}>", re.IGNORECASE)
_ANY_TAG = re.compile(rf"<[^<>]{{1,{_TAG_REACH}}}>")
# Inline formatting a page may wrap around a marker or a word: <span>(a)</span>, <u>(b)</u>, <em>.
INLINE_TAG = re.compile(
    rf"</?(?:span|u|em|strong|b|i|ins|mark|font)\b[^<>]{{0,{_TAG_REACH}}}>", re.IGNORECASE
)


def _underlined_runs(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each run of underlined spans: "<span ...underline...>Sec</span>. <span...".

    A run is one or more underlined spans, each up to its first "</span>", separated by spaces, dots and
    emphasis marks only; it ends after those that follow it. One forward pass: every position is read a
    bounded number of times, whatever the text.
    """
    runs: list[tuple[int, int]] = []
    position, next_close = 0, -1
    run_start = run_end = -1
    while True:
        m = _SPAN_OPEN.search(text, position)
        if m is None:
            break
        if "underline" not in m.group(1):
            position = m.end()
            continue
        if next_close < m.end():
            next_close = text.find(_SPAN_CLOSE, m.end())
            if next_close < 0:
                break  # no span is closed after this one, so none can end a run
        gap = _SPAN_GAP.match(text, next_close + len(_SPAN_CLOSE))
        gap_end = gap.end() if gap else next_close + len(_SPAN_CLOSE)  # "[\s.]*" always matches
        if m.start() == run_end:
            run_end = gap_end
        else:
            if run_start >= 0:
                runs.append((run_start, run_end))
            run_start, run_end = m.start(), gap_end
        position = gap_end
    if run_start >= 0:
        runs.append((run_start, run_end))
    return runs


def underlined_headings(text: str) -> str:
    """Put each underlined "Sec. N. Title." on a line of its own; drop other tags."""
    out: list[str] = []
    position = 0
    for start, end in _underlined_runs(text):
        run = text[start:end]
        inner = clean(_ANY_TAG.sub(" ", run).replace("*", ""))
        inner = re.sub(r"\s+\.", ".", inner)
        out.append(text[position:start])
        if HEADING.match(inner):
            out.append(f"\n\n{inner}\n\n")
        else:
            out.append(inner + (" " if run[-1:].isspace() else ""))
        position = end
    out.append(text[position:])
    return _ANY_SPAN_TAG.sub("", "".join(out))


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Return the YAML front matter's simple ``key: value`` pairs and the text after it."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    block, body = text[3:end], text[end + 4 :]
    values: dict[str, str] = {}
    key = ""
    for line in block.splitlines():
        m = re.match(r"^([A-Za-z_]+):\s*(.*)$", line)
        if m:
            key = m.group(1)
            values[key] = m.group(2)
        elif key and line.startswith(" "):
            previous = values[key]
            # A double-quoted YAML scalar folds lines; "\" at a line's end joins without a space.
            values[key] = (
                previous[:-1] + line.strip() if previous.endswith("\\") else f"{previous} {line.strip()}"
            )
    for key, value in values.items():
        value = value.strip()
        if value.startswith('"') and value.endswith('"'):
            value = value.replace("\\_", "\\u00a0").replace("\\ ", " ")
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        elif value.startswith("'") and value.endswith("'"):
            value = value[1:-1].replace("''", "'")
        values[key] = clean(value)
    return values, body


def unmarkdown(text: str) -> str:
    """Return Markdown as plain text: emphasis, escapes, heading marks, bullets and inline tags dropped."""
    text = INLINE_TAG.sub("", text)
    text = re.sub(r"\\([()\[\]*_.#>`-])", r"\1", text)  # escaped markers: \(b\)
    text = re.sub(r"\*{1,2}([.:;,])\*{1,2}", r"\1", text)  # an emphasized stop: "Regulators*.*"
    # Emphasis may wrap onto the next line ("**Sec. 2.  Resumption ...\nCases ...**"), not past a blank line.
    text = re.sub(r"\*\*((?:[^*\n]|\n(?![ \t]*\n)){1,600}?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)\*((?:[^*\n]|\n(?![ \t]*\n)){1,300}?)\*(?!\w)", r"\1", text)
    text = re.sub(r"(?m)^#{1,6}\s*", "", text)
    # A list bullet before a paragraph marker: "-   (1) The provisions ..." (proclamations' clauses).
    text = re.sub(r"(?m)^([ \t]{0,8})[-*+][ \t]{1,8}(?=\()", r"\1", text)
    return html.unescape(text)


class TextExtractor(HTMLParser):
    BLOCKS = frozenset(
        {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "tr", "br"}
    )
    SKIP = frozenset({"script", "style", "noscript", "nav", "header", "footer", "svg", "form"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.title = ""
        self.h1 = ""
        self.in_h1 = False
        self.in_title = False
        self.published = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in self.SKIP:
            self.skipping += 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n" if tag != "br" else "\n")
        if tag == "h1":
            self.in_h1 = True
        if tag == "title":
            self.in_title = True
        if tag == "time" and attributes.get("datetime") and not self.published:
            self.published = attributes["datetime"] or ""
        if tag == "meta" and attributes.get("property") == "article:published_time":
            self.published = self.published or (attributes.get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag == "h1":
            self.in_h1 = False
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        if self.skipping:
            return
        if self.in_h1:
            self.h1 += data
        self.parts.append(data.replace("\n", " "))
