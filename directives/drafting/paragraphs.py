"""Paragraphs: wrapped lines joined, headings split from the text run on after them, the signature cut off.

Every reader ends here (``finish``): paragraphs of single-spaced text, a section heading
(``Sec. 2. Title.``) as a paragraph of its own, paragraph markers (``(a)``) at the start of the
paragraph they open.
"""

from __future__ import annotations

import datetime as dt
import re

from .document import DATE, HEADING, MARKER_START, Document, Meta, clean, parse_date

_SIGNATURE = re.compile(r"^(?:THE WHITE HOUSE|\[FR Doc\.|Billing code|\w+\.EPS\b)", re.IGNORECASE)
# The signature block run into the last paragraph when its lines were re-wrapped: "... any other person.
# wj THE WHITE HOUSE, October 12, 2000." (the capitals and the date, so a sentence naming the White House
# is not taken for it).
_SIGNATURE_INSIDE = re.compile(rf"\s(?:[a-z]{{1,3}}\s)?THE WHITE HOUSE,?\s+{DATE}")


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
            # A marker may stand on a line of its own, its heading on the next: "(A)\nMinimization."; text
            # an amendment inserts opens with a quotation mark before its first marker: "“(h) Title."
            marker = MARKER_START.match(stripped.lstrip('\u201c"') + " ")
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
        "For",
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
            # ... unless a sentence starts at it: "Reporting For the purpose of ..., Advocacy shall".
            while back > 0 and words[back].lower() in _FUNCTION_WORDS and words[back] not in _STARTERS:
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
    # "Protecting America's National Security.(a) The Secretary": a page may leave out the space.
    marker = re.search(r"(?:^|\s|(?<=\.))\((?:a|1|i)\)\s", rest)
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


def finish(paragraphs: list[str], meta: Meta, fmt: str) -> Document:
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


def header_meta(text: str, meta: Meta) -> None:
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


def body_lines(text: str) -> list[str]:
    """Return the lines from "By the authority" on (all of them if the text lacks it)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if "By the authority vested in me" in line:
            return lines[index:]
    return lines
