"""Readers: an order's text in any of the formats users meet, as one list of paragraphs and its metadata.

Plain text, Markdown, the whitehouse.gov page (HTML, or its Markdown with YAML front matter, ``*.wh.md``),
Federal Register XML (``PRESDOCU``/``EXECORD``) and the Markdown made from it (``*.fr.md``). Every reader
ends in the same shape: paragraphs of single-spaced text, a section heading (``Sec. 2. Title.``) as a
paragraph of its own, paragraph markers (``(a)``) at the start of the paragraph they open.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # nosec B405 - DTDs are refused before parsing (see _read_fr_xml)

from .document import DATE, MARKER_START, Document, Meta, ReadError, clean, parse_date
from .kinds import identify
from .markup import INLINE_TAG, TextExtractor, front_matter, underlined_headings, unmarkdown
from .paragraphs import body_lines, finish, header_meta, join_lines, split_run_on_title

# --- Plain text and Markdown ---------------------------------------------------------------------------


def read_plain(text: str, *, markdown: bool = False) -> Document:
    meta = Meta()
    if markdown:
        text = unmarkdown(underlined_headings(text))
    header_meta(text, meta)
    return finish(join_lines(body_lines(text)), meta, "markdown" if markdown else "text")


# --- The whitehouse.gov page as Markdown (YAML front matter, <span> underlines) --------------------------


def read_whitehouse_markdown(text: str) -> Document:
    front, body = front_matter(text)
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
    body = unmarkdown(underlined_headings(body))
    header_meta(body, meta)
    return finish(join_lines(body_lines(body)), meta, "whitehouse-markdown")


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
    header_meta(text, meta)

    lines: list[str] = []
    raw = body_lines(text)
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
                plain = INLINE_TAG.sub("", following).replace("\\", "")
                plain = re.sub(r"^[*_]{1,3}(\([^()\s]{1,6}\))[*_]{1,3}", r"\1", plain)
                plain = plain.lstrip('\u201c"')  # inserted text: "“(b) Membership."
                if title_lines and MARKER_START.match(plain):
                    break
                title_lines.append(following)
                index += 1
            if heading.group(2) and len(title_lines) == 1:
                # The converter may carry a title's last word to a bold line of its own after a blank:
                # "### Section 5. Judicial" / "" / "**Review**". It is the title's, not the section's text.
                after = index
                while after < len(raw) and not raw[after].strip():
                    after += 1
                tail = (
                    re.fullmatch(r"\*\*([A-Za-z][A-Za-z ,'-]{0,40})\*\*", raw[after].strip())
                    if after < len(raw)
                    else None
                )
                if tail and (after + 1 >= len(raw) or not raw[after + 1].strip()):
                    title_lines.append(tail.group(1))
                    index = after + 1
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
    body = unmarkdown("\n".join(lines))
    return finish(join_lines(body.splitlines()), meta, "federal-register-markdown")


# --- HTML (the whitehouse.gov page) ---------------------------------------------------------------------


def read_html(text: str) -> Document:
    parser = TextExtractor()
    parser.feed(text)
    parser.close()
    body = "".join(parser.parts)
    title = clean(parser.h1 or parser.title.split("|")[0] or parser.title.split("\u2013")[0])
    meta = Meta(title=title, signed_on=parse_date(parser.published))
    header_meta(body, meta)
    return finish(join_lines(body_lines(body)), meta, "html")


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
    return finish(paragraphs, meta, "federal-register-xml")


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
        or INLINE_TAG.search(head)
        or re.search(r"\\\((?:[a-z]|\d{1,2})\\\)", text)
        or re.search(r"(?m)^[ \t]{0,12}\*{1,2}\(", text)  # an emphasized marker: "*(a)*"
    ):
        return "markdown"
    return "text"


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
