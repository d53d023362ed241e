"""Readers: an order's text in any of the formats users meet, as one list of paragraphs and its metadata.

Plain text, Markdown, the whitehouse.gov page (HTML, or its Markdown with YAML front matter, ``*.wh.md``),
Federal Register XML (``PRESDOCU``/``EXECORD``) and the Markdown made from it (``*.fr.md``). Every reader
ends in the same shape: paragraphs of single-spaced text, a section heading (``Sec. 2. Title.``) as a
paragraph of its own, paragraph markers (``(a)``) at the start of the paragraph they open.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET  # nosec B405 - DTDs are refused before parsing (see _read_fr_xml)
from dataclasses import dataclass, field
from html.parser import HTMLParser

MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
DATE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2},\s+\d{4}"
)
MARKER_START = re.compile(r"^\((?:[a-z]{1,2}|[ivxlc]{1,6}|[A-Z]{1,2}|\d{1,3})\)\s")
HEADING = re.compile(r"^(?:Sec\.|Section)\s*(\d+[A-Za-z]?)\.(?:\s|$)")
_SIGNATURE = re.compile(r"^(?:THE WHITE HOUSE|\[FR Doc\.|Billing code|\w+\.EPS\b)", re.IGNORECASE)
# The signature block run into the last paragraph when its lines were re-wrapped: "... any other person.
# wj THE WHITE HOUSE, October 12, 2000." (the capitals and the date, so a sentence naming the White House
# is not taken for it).
_SIGNATURE_INSIDE = re.compile(rf"\s(?:[a-z]{{1,3}}\s)?THE WHITE HOUSE,?\s+{DATE}")


class ReadError(ValueError):
    """The input cannot be read as an order; the message says why and what to do."""


EXECUTIVE_ORDER = "executive_order"
NATIONAL_SECURITY_MEMORANDUM = "national_security_memorandum"
PRESIDENTIAL_MEMORANDUM = "presidential_memorandum"
PROCLAMATION = "proclamation"
# Kind and number as the document states them, each on a line of its own or as the title says.
_NSM_NUMBER = re.compile(
    r"\bNational[ \t]+Security[ \t]+(?:Presidential[ \t]+)?Memorandum"
    r"(?:[ \t]*/[ \t]*NSP?M)?[- \t]+(\d{1,3})\b"
    r"|^[^\w\n]{0,8}NSP?M[- \t]?(\d{1,3})[^\w\n]{0,8}$",
    re.IGNORECASE | re.MULTILINE,
)
_NSM = re.compile(r"\bNational\s+Security\s+(?:Presidential\s+)?Memorandum\b", re.IGNORECASE)
_MEMORANDUM = re.compile(
    r"^[^\w\n]{0,8}MEMORANDUM\s+FOR\b|^[^\w\n]{0,8}Memorandum\s+(?:on|for)\b", re.MULTILINE
)
_PROCLAMATION = re.compile(
    r"^[^\w\n]{0,8}A\s+PROCLAMATION[^\w\n]{0,8}$|\bdo\s+hereby\s+proclaim\b", re.MULTILINE
)
_OWN_LINE_NUMBER = re.compile(
    r"^[^\w\n]{0,8}(Executive[ \t]+Order|Proclamation)[ \t]+(?:No\.[ \t]*)?(\d{4,5})[^\w\n]{0,8}$",
    re.MULTILINE,
)
# Where a document's own identification ends: its first section, or the words that begin its body.
_OPENING_END = re.compile(
    r"By the authority vested|it is hereby ordered|^[^\w\n]{0,8}Sec(?:tion|\.)[ \t]*1\b"
    r"|^[^\w\n]{0,8}SUBJECT:",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class Meta:
    kind: str = ""
    number: int | None = None
    title: str = ""
    signed_on: dt.date | None = None
    citation: str = ""
    document: str = ""
    published_on: dt.date | None = None
    source_url: str = ""


@dataclass
class Document:
    paragraphs: list[str]
    meta: Meta
    format: str
    other_orders: dict[int, dt.date] = field(default_factory=dict)


def parse_date(text: str) -> dt.date | None:
    """Return the date "June 2, 2026" (or ISO "2026-06-02") in ``text``, or None."""
    m = re.search(r"(?P<month>[A-Z][a-z]+)\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4})", text)
    if m and m.group("month").lower() in MONTHS:
        try:
            return dt.date(int(m.group("year")), MONTHS[m.group("month").lower()], int(m.group("day")))
        except ValueError:
            return None
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def clean(text: str) -> str:
    """Return ``text`` on one line with single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def join_lines(lines: list[str]) -> list[str]:
    """Join wrapped lines into paragraphs.

    A paragraph ends at a blank line or a Markdown hard break (two trailing spaces); a line opens one when
    it starts with a section heading, or with a paragraph marker that is indented or follows the end of a
    sentence or list item. Any other line continues the sentence it wraps ("within 30\\ndays").
    """
    paragraphs: list[str] = []
    current: list[str] = []
    previous = ""

    def flush() -> None:
        if current:
            paragraphs.append(clean(" ".join(current)))
            current.clear()

    for line in lines:
        stripped = line.strip()
        if not stripped:
            flush()
            previous = ""
            continue
        if current:
            ended = previous.rstrip()
            hard_break = previous.endswith("  ") or ended.endswith("<br>")
            marker = MARKER_START.match(stripped)
            # "; and" may be wrapped: "competitiveness;\nand" ends a list item as "competitiveness; and" does.
            after_end = ended.endswith((".", ":", ";", "\u201d", '"')) or re.search(
                r"[;,] (?:and|or)$", " ".join(current[-2:]).rstrip()
            )
            # A heading or marker that a wrapped sentence brings to a line's start ("... as set out in\n
            # Section 509 of this order") continues it: either opens a paragraph only after a sentence's end.
            opens = HEADING.match(stripped) or marker
            if hard_break or (opens and after_end) or (marker and line[:1].isspace()):
                flush()
        current.append(stripped)
        previous = line
    flush()
    return paragraphs


_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "upon",
        "with",
        "via",
        "its",
        "their",
        "our",
        "against",
        "across",
    ]
)
# Words that begin a section's first sentence: where a title run into its text ends.
_STARTERS = frozenset(
    [
        "The",
        "Each",
        "All",
        "Any",
        "Such",
        "Within",
        "Not",
        "No",
        "By",
        "In",
        "On",
        "It",
        "Consistent",
        "To",
        "Agencies",
        "Executive",
        "Heads",
        "Beginning",
        "Starting",
        "Upon",
        "Pursuant",
        "Notwithstanding",
    ]
)
_SUBSECTION_HEAD = re.compile(r"^(\d+\.\d+)\.\s+")


def split_run_on_title(text: str) -> tuple[str, str] | None:
    """Split "Reducing Drug Prices Within 1 year ..., the Secretary shall" into the title and the text.

    A title is words in capitals and short function words; the text starts at the last sentence
    starter ("The", "Within", "Each" ...) before the first capitalized word followed by a lower-case word
    or a number ("Within 1", "It is"). None when the text does not start with such a title.
    """
    words = text.split(" ")
    first_starter = next((k for k in range(1, min(len(words), 12)) if words[k] in _STARTERS), 0)
    for k in range(1, min(len(words) - 1, 30)):
        word, following = words[k], words[k + 1]
        # A year or number after a function word belongs to a title ("Mining Act of 1872") or to a
        # sentence after one ("... Report Beginning in 2010, the Committee"); either way read on.
        number_in_title = word[:1].isdigit() and words[k - 1] in _FUNCTION_WORDS
        if not (
            word[:1].isupper()
            or word.lower() in _FUNCTION_WORDS
            or word[:1] in "(\u201c\"'"
            or number_in_title
        ):
            # A lower-case word: the sentence began at the last capitalized word before it, past function
            # words, when that is a sentence's first word ("... Workforce Meeting the challenges of").
            back = k - 1
            while back > 0 and words[back].lower() in _FUNCTION_WORDS:
                back -= 1
            if back >= 1 and (words[back] in _STARTERS or words[back].endswith("ing")):
                return " ".join(words[:back]).rstrip(".:"), " ".join(words[back:])
            return None  # a sentence, not a title
        if (
            word[:1].isupper()
            and (following[:1].islower() or following[:1].isdigit())
            and (following.lower() not in _FUNCTION_WORDS)
        ):
            start = next((j for j in range(k, max(k - 8, 0), -1) if words[j] in _STARTERS), k)
            if start < 1:
                return None
            return " ".join(words[:start]).rstrip(".:"), " ".join(words[start:])
    if first_starter and " shall " in text:
        # "Risk Strategy The Assistant to the President for Economic Policy (...) ... shall": no lower-case
        # word soon enough, but a sentence's first word after the title and a duty in what follows.
        return " ".join(words[:first_starter]).rstrip(".:"), " ".join(words[first_starter:])
    return None


def split_heading(paragraph: str) -> list[str]:
    """Split "Sec. 2. Title. (a) Text" into the heading "Sec. 2. Title." and the text that follows it.

    A heading inside inserted text keeps its opening quotation mark: "“Sec. 5. Title." and the text.
    """
    if paragraph.startswith("\u201c") and HEADING.match(paragraph[1:]):
        parts = split_heading(paragraph[1:])
        return ["\u201c" + parts[0], *parts[1:]]
    m = HEADING.match(paragraph)
    if not m:
        return [paragraph]
    rest = paragraph[m.end() :].strip()
    head = paragraph[: m.end()].strip()
    if not rest:
        return [head]
    split = _title_and_body(rest)
    if split is None:
        return [f"{head} {rest}"]
    title, body = split
    title = title.strip()
    if not title.endswith("."):
        title += "."
    if _SUBSECTION_HEAD.match(body):
        # "Sec. 4. Ensuring Safety. 4.1. Developing Guidelines. (a) Within 270 days ...": 4.1 apart too.
        return [f"{head} {title}", *split_subsection(body)]
    return [f"{head} {title}", body] if body else [f"{head} {title}"]


def split_subsection(paragraph: str) -> list[str]:
    """Split "4.1. Developing Guidelines. (a) Within ..." into "4.1. Developing Guidelines." and its text."""
    m = _SUBSECTION_HEAD.match(paragraph)
    if not m:
        return [paragraph]
    parts = _title_and_body(paragraph[m.end() :])
    if parts is None or not parts[1] or len(parts[0]) > 150:
        return [paragraph]
    title = parts[0].strip().rstrip(".") + "."
    return [f"{m.group(1)}. {title}", parts[1]]


def _title_and_body(rest: str) -> tuple[str, str] | None:
    """Return a heading's title and the text run on after it, or None when no title can be told apart."""
    marker = re.search(r"(?:^|\s)\((?:a|1|i)\)\s", rest)
    before = rest[: marker.start()] if marker else ""
    if (
        marker
        and marker.start() < 200
        and before.rstrip().endswith(".")
        and not re.search(r"\d\.\d+\.\s", before)
    ):
        return before.strip(), rest[marker.start() :].strip()
    # The title is the first sentence: up to a period followed by a capital, not an initial ("U.S.").
    end = re.search(r"(?<![A-Z])(?<!\b[A-Z]\.[A-Z])\.\s+(?=[A-Z(\u201c\"]|\d+\.\d+\.\s)", rest[:400])
    title = rest[: end.start() + 1] if end and end.start() <= 200 else ""
    if not title or " shall " in title or re.search(r"\b(?:Within|[Nn]ot later than)\b", title):
        run_on = split_run_on_title(rest)
        if run_on is not None:
            return run_on
    if not title or end is None:
        return None
    return title, rest[end.end() :]


# Asterisks touching no word: emphasis a page left unpaired or around a space ("Deal.* * (a)"), which a
# Markdown renderer shows as they are; read the same from Markdown, HTML and plain text. Only a whole run
# is matched, so a long run of asterisks is read in one pass.
_STRAY_ASTERISKS = re.compile(r"(?<![\w*])\*+(?![\w*])")
_EMPHASIZED_STOP = re.compile(r"\*{1,2}([.:;,])\*{1,2}")  # "Sec. 5*.* Endangered ..."
_ASTERISK_BEFORE_STOP = re.compile(r"(?<=\w)\*+(?=[.:;,])")  # "Regulations*. * (a)"

# An older order's part divider: "PART 3 ORGANIZATION AND ACCOUNTABILITY", "PART 3--ORGANIZATION ...".
_PART = re.compile(r"^PART[ ]+(?:\d{1,2}|[IVXL]{1,5})\b[^a-z]{0,120}$")


def typographic(text: str) -> str:
    """Return ``text`` with straight quotation marks curly and "--" as a dash, as the Federal Register prints.

    Texts come with either; the drafter reads one form (inserted text opens with "\u201c").
    """
    text = re.sub(r'(^|[\s(\[\u2014/-])"', "\\1\u201c", text)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", text)
    # An opening mark typed where a quotation closes, after its last stop ("... sentences.\u201c"), closes
    # it: left open, it would make all the text after it part of the quotation.
    text = re.sub(r"(?<=[.;:,!?])\u201c(?=\s|$)", "\u201d", text)
    return text.replace("--", "\u2014")


def _finish(paragraphs: list[str], meta: Meta, fmt: str) -> Document:
    """Split headings from their text, cut the signature block off and find other orders' dates."""
    out: list[str] = []
    for index, p in enumerate(paragraphs):
        p = _STRAY_ASTERISKS.sub(" ", _ASTERISK_BEFORE_STOP.sub("", _EMPHASIZED_STOP.sub(r"\1", p)))
        p = typographic(clean(p))
        if not p or _PART.match(p):
            continue
        if _SIGNATURE.match(p):
            if meta.signed_on is None:
                meta.signed_on = parse_date(" ".join(paragraphs[index:][:3]))
            break
        inside = _SIGNATURE_INSIDE.search(p)
        if inside:
            if meta.signed_on is None:
                meta.signed_on = parse_date(p[inside.start() :])
            p = p[: inside.start()]
        for part in split_heading(p):
            out.extend(split_subsection(part))
        if inside:
            break
    # The President's name above "THE WHITE HOUSE": a short line in capitals after the last section.
    while out and re.fullmatch(r"[A-Z][A-Z .,'\u2019-]{2,40}", out[-1]):
        out.pop()
    text = " ".join(out)
    other: dict[int, dt.date] = {}
    for m in re.finditer(rf"Executive Order (\d{{4,5}}) of ({DATE})", text):
        date = parse_date(m.group(2))
        if date is not None:
            other.setdefault(int(m.group(1)), date)
    if meta.number is not None:
        other.pop(meta.number, None)
    return Document(paragraphs=out, meta=meta, format=fmt, other_orders=other)


def _header_meta(text: str, meta: Meta) -> None:
    """Fill what a plain header gives: "Executive Order 14028 of May 12, 2021", "86 FR 26633"."""
    head = text.split("By the authority", 1)[0] if "By the authority" in text else text[:800]
    m = re.search(rf"Executive Order (?:No\.\s*)?(\d{{4,5}}) of ({DATE})", head)
    if m:
        meta.number = meta.number or int(m.group(1))
        meta.signed_on = meta.signed_on or parse_date(m.group(2))
        # The title is the first line after that header line, as the Federal Register prints it.
        rest = [line.strip(" *#") for line in head[m.end() :].splitlines() if line.strip(" *#")]
        if rest and not meta.title and len(rest[0]) < 300:
            meta.title = rest[0]
    m = re.search(r"\b(\d{2,3} FR \d+)\b", head)
    if m and not meta.citation:
        meta.citation = m.group(1)


def _body_lines(text: str) -> list[str]:
    """Return the lines from "By the authority" on (all of them if the text lacks it)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if "By the authority vested in me" in line:
            return lines[index:]
    return lines


# --- Plain text and Markdown ---------------------------------------------------------------------------


def _unmarkdown(text: str) -> str:
    text = _INLINE_TAG.sub("", text)
    text = re.sub(r"\\([()\[\]*_.#>`-])", r"\1", text)  # escaped markers: \(b\)
    text = re.sub(r"\*{1,2}([.:;,])\*{1,2}", r"\1", text)  # an emphasized stop: "Regulators*.*"
    # Emphasis may wrap onto the next line ("**Sec. 2.  Resumption ...\nCases ...**"), not past a blank line.
    text = re.sub(r"\*\*((?:[^*\n]|\n(?![ \t]*\n)){1,600}?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)\*((?:[^*\n]|\n(?![ \t]*\n)){1,300}?)\*(?!\w)", r"\1", text)
    text = re.sub(r"(?m)^#{1,6}\s*", "", text)
    # A list bullet before a paragraph marker: "-   (1) The provisions ..." (proclamations' clauses).
    text = re.sub(r"(?m)^([ \t]{0,8})[-*+][ \t]{1,8}(?=\()", r"\1", text)
    return html.unescape(text)


def read_plain(text: str, *, markdown: bool = False) -> Document:
    meta = Meta()
    if markdown:
        text = _unmarkdown(_underlined_headings(text))
    _header_meta(text, meta)
    return _finish(join_lines(_body_lines(text)), meta, "markdown" if markdown else "text")


# --- The whitehouse.gov page as Markdown (YAML front matter, <span> underlines) --------------------------

# Tags are read with bounded, linear patterns: a tag is at most _TAG_REACH characters and cannot contain
# "<" or ">". The single pattern this replaced (a run of underlined spans, ".*?" to each "</span>")
# backtracked quadratically on many unclosed "<span ... underline>" tags: minutes on a crafted paste.
_TAG_REACH = 400
_SPAN_OPEN = re.compile(rf"<span\b([^<>]{{0,{_TAG_REACH}}})>", re.IGNORECASE)
_SPAN_CLOSE = "</span>"
_SPAN_GAP = re.compile(r"[\s.*]*")  # spaces, stops and emphasis marks ("Projects</span>*.* (a)")
_ANY_SPAN_TAG = re.compile(rf"</?span\b[^<>]{{0,{_TAG_REACH}}}>", re.IGNORECASE)
_ANY_TAG = re.compile(rf"<[^<>]{{1,{_TAG_REACH}}}>")
# Inline formatting a page may wrap around a marker or a word: <span>(a)</span>, <u>(b)</u>, <em>.
_INLINE_TAG = re.compile(
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


def _underlined_headings(text: str) -> str:
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


def _front_matter(text: str) -> tuple[dict[str, str], str]:
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


def read_whitehouse_markdown(text: str) -> Document:
    front, body = _front_matter(text)
    meta = Meta(
        title=re.sub(
            r"^(?:Executive Order|Proclamation|(?:National Security )?Memorandum) on (?:the )?",
            "",
            front.get("title", ""),
        ).strip(),
        signed_on=parse_date(front.get("date", "")),
        source_url=front.get("source_url", ""),
    )
    if meta.title:
        meta.title = meta.title[0].upper() + meta.title[1:]
    body = _unmarkdown(_underlined_headings(body))
    _header_meta(body, meta)
    return _finish(join_lines(_body_lines(body)), meta, "whitehouse-markdown")


# --- The Markdown made from Federal Register XML (*.fr.md) --------------------------------------------


def read_fr_markdown(text: str) -> Document:
    meta = Meta()
    m = re.search(r"^# Executive Order (\d{4,5}):\s*(.+)$", text, re.M)
    if m:
        meta.number, meta.title = int(m.group(1)), clean(m.group(2))
    m = re.search(r"Executive Order Number:\s*(\d{4,5})", text)
    if m:
        meta.number = int(m.group(1))
    m = re.search(r"\*\*Date:\*\*\s*(.+)", text)
    if m:
        meta.signed_on = parse_date(m.group(1))
    m = re.search(r"Document Number:\s*([\d-]+)", text)
    if m:
        meta.document = m.group(1)
    m = re.search(r"Citation:\s*(\d+ FR \d+)", text)
    if m:
        meta.citation = m.group(1)
    m = re.search(r"\[Federal Register\]\((https?://[^)\s]+)\)", text)
    if m:
        meta.source_url = m.group(1)
        published = re.search(r"/documents/(\d{4})/(\d{2})/(\d{2})/", m.group(1))
        if published:
            meta.published_on = dt.date(*(int(g) for g in published.groups()))
    _header_meta(text, meta)

    lines: list[str] = []
    raw = _body_lines(text)
    index = 0
    while index < len(raw):
        line = raw[index]
        heading = re.match(r"^#{2,4}\s*(?:Section|Sec\.)\s*(\d+[A-Za-z]?)\.?[ \t]*(\S.*)?$", line)
        if heading:
            # The title is on the heading's line ("### Section 301. Leadership Responsibilities", older
            # orders) or the next non-blank line; the section's text may follow it on the same line.
            index += 1
            title_lines: list[str] = [heading.group(2).strip()] if heading.group(2) else []
            if not title_lines:
                while index < len(raw) and not raw[index].strip():
                    index += 1
            # The title and the lines after it up to a blank line or a paragraph marker, read as one run
            # whatever its line breaks: the title ("Federal Leadership Committee") and the text run on
            # after it ("In order to ...") are told apart by their words, not by where a line ends, so a
            # re-wrapped text drafts the same.
            while index < len(raw) and raw[index].strip() and not raw[index].lstrip().startswith("#"):
                following = raw[index].strip()
                # A marker in inline HTML or emphasis ("<u>(i)</u>", "*(i)*", "\\(i\\)") opens one too.
                plain = _INLINE_TAG.sub("", following).replace("\\", "")
                plain = re.sub(r"^[*_]{1,3}(\([^()\s]{1,6}\))[*_]{1,3}", r"\1", plain)
                if title_lines and MARKER_START.match(plain):
                    break
                title_lines.append(following)
                index += 1
            title_line = " ".join(title_lines).strip("*").strip()
            if title_line.startswith("(a) "):  # "### Section 701. (a) Agencies ...": no title
                title, body = "", title_line
            else:
                title, _, body = title_line.partition(" (a) ")
                body = f"(a) {body}" if body else ""
            run_on = (
                split_run_on_title(title) if not body and (len(title) > 80 or " shall " in title) else None
            )
            if run_on is not None:
                title, body = run_on
            lines += ["", f"Sec. {heading.group(1)}." + (f" {title.rstrip('.')}." if title else ""), ""]
            if body:
                lines.append(body)
            continue
        if re.match(r"^#{1,6}\s", line) or line.strip() == "---":
            lines.append("")
        else:
            lines.append(line)
        index += 1
    body = _unmarkdown("\n".join(lines))
    return _finish(join_lines(body.splitlines()), meta, "federal-register-markdown")


# --- HTML (the whitehouse.gov page) ---------------------------------------------------------------------


class _TextExtractor(HTMLParser):
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


def read_html(text: str) -> Document:
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    body = "".join(parser.parts)
    title = clean(parser.h1 or parser.title.split("|")[0] or parser.title.split("\u2013")[0])
    meta = Meta(title=title, signed_on=parse_date(parser.published))
    _header_meta(body, meta)
    return _finish(join_lines(_body_lines(body)), meta, "html")


# --- Federal Register XML --------------------------------------------------------------------------------

_FR_SKIP = frozenset({"PRTPAGE", "GPH", "GID", "PSIG", "PLACE", "DATE", "FRDOC", "BILCOD", "TITLE3", "PRES"})


def read_fr_xml(text: str) -> Document:
    # Entity declarations are what XML bombs are made of; a Federal Register document has none.
    if re.search(r"<!(?:DOCTYPE|ENTITY)[^>]*\[", text) or "<!ENTITY" in text:
        raise ReadError("the XML declares entities; a Federal Register document has none, so it is refused")
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = ET.fromstring(text)  # noqa: S314  # nosec B314 - no DTD or entity can reach the parser
    except ET.ParseError as exc:
        raise ReadError(f"the XML is not well formed ({exc})") from None
    order = root if root.tag == "EXECORD" else root.find(".//EXECORD")
    if order is None:
        raise ReadError("the XML has no EXECORD element: it is not an executive order")
    meta = Meta()
    paragraphs: list[str] = []
    for element in order:
        content = clean("".join(element.itertext()))
        if element.tag == "EXECORDR":
            m = re.search(rf"Executive Order (\d{{4,5}})(?: of ({DATE}))?", content)
            if m:
                meta.number = int(m.group(1))
                meta.signed_on = parse_date(m.group(2) or "")
        elif element.tag == "HD" and not meta.title:
            meta.title = content
        elif element.tag == "DATE" and meta.signed_on is None:
            meta.signed_on = parse_date(content)
        elif element.tag == "FRDOC":
            m = re.search(r"FR Doc\.\s*([\d-]+)", content)
            if m:
                meta.document = m.group(1)
        elif element.tag not in _FR_SKIP and content:
            paragraphs.append(content)
    return _finish(paragraphs, meta, "federal-register-xml")


# --- Which reader ----------------------------------------------------------------------------------------


def detect_format(text: str, filename: str | None = None) -> str:
    """Return the format of ``text``: by the file name's ending, else by what the text looks like."""
    name = (filename or "").lower()
    head = text.lstrip()[:4000]
    if name.endswith(".xml") or head.startswith("<?xml") or "<PRESDOCU" in head or "<EXECORD" in head:
        return "federal-register-xml"
    if name.endswith((".html", ".htm")) or re.match(r"(?is)<!doctype html|<html", head):
        return "html"
    if (
        name.endswith(".fr.md")
        or "Executive Order Number:" in head
        or re.search(r"(?m)^### Section \d", text)
    ):
        return "federal-register-markdown"
    if name.endswith(".wh.md") or (head.startswith("---") and re.search(r"(?m)^title:", head)):
        return "whitehouse-markdown"
    if (
        name.endswith((".md", ".markdown"))
        or _INLINE_TAG.search(head)
        or re.search(r"\\\((?:[a-z]|\d{1,2})\\\)", text)
        or re.search(r"(?m)^[ \t]{0,12}\*{1,2}\(", text)  # an emphasized marker: "*(a)*"
    ):
        return "markdown"
    return "text"


def identify(text: str, meta: Meta) -> None:
    """Fill in the document's kind and, where the text states it, its number.

    "National Security Memorandum/NSM-10" (or "NSPM-5") is a national security memorandum; "MEMORANDUM
    FOR ..." or a title "Memorandum on ..." a presidential memorandum; "A PROCLAMATION" or "do hereby
    proclaim" a proclamation; anything else an executive order. "Executive Order 14999" or
    "Proclamation 10999" on a line of its own gives the number.
    """
    end = _OPENING_END.search(text, 0, 20_000)
    head = text[: end.end() if end else 3000]
    title_and_head = f"{meta.title}\n{head}"
    own_line = _OWN_LINE_NUMBER.search(head)
    if (_PROCLAMATION.search(text[:20_000]) and not re.search(r"hereby ordered", text[:20_000])) or (
        meta.title.lower().startswith("proclamation")
    ):
        meta.kind = PROCLAMATION
        # Recitals cite other orders ("Executive Order 14161 of January 20, 2025"): not this one's number.
        meta.number = None
        if own_line and own_line.group(1) == "Proclamation":
            meta.number = int(own_line.group(2))
        return
    if meta.number is not None and re.search(r"Executive Order", head):
        meta.kind = EXECUTIVE_ORDER  # the Federal Register's header: "Executive Order 14028 of May 12, 2021"
        return
    nsm = _NSM_NUMBER.search(title_and_head)
    if nsm or _NSM.search(title_and_head):
        meta.kind = NATIONAL_SECURITY_MEMORANDUM
        if nsm and meta.number is None:
            meta.number = int(nsm.group(1) or nsm.group(2))
        return
    if _MEMORANDUM.search(title_and_head):
        meta.kind = PRESIDENTIAL_MEMORANDUM
        return
    meta.kind = EXECUTIVE_ORDER
    if own_line and own_line.group(1).startswith("Executive") and meta.number is None:
        meta.number = int(own_line.group(2))


def read_document(text: str, filename: str | None = None) -> Document:
    """Return the paragraphs and metadata of a presidential document's ``text`` in whichever format it is."""
    doc = _read(text, filename)
    identify(text, doc.meta)
    return doc


def _read(text: str, filename: str | None) -> Document:
    fmt = detect_format(text, filename)
    if fmt == "federal-register-xml":
        return read_fr_xml(text)
    if fmt == "html":
        return read_html(text)
    if fmt == "federal-register-markdown":
        return read_fr_markdown(text)
    if fmt == "whitehouse-markdown":
        return read_whitehouse_markdown(text)
    return read_plain(text, markdown=fmt == "markdown")
