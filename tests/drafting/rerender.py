"""Re-renderings of an order's text that must not change its draft (the metamorphic tests, issue 20).

Each takes a text as users meet it (plain, Markdown, the whitehouse.gov Markdown, the Federal Register's
Markdown) and renders the same document another way: line endings, quotation marks and dashes, line
wrapping, markers wrapped in inline HTML or emphasis, each heading joined with its first paragraph.
"""

from __future__ import annotations

import html
import re
import textwrap

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_MARKER_LINE = re.compile(r"^(\s*)(\\?\((?:[a-z]{1,2}|[ivxlc]{1,6}|[A-Z]{1,2}|\d{1,3})\\?\))(\s)", re.M)
# Inserted text's first marker, after the quotation mark that opens it: "“(h) Reports." opens a paragraph.
_QUOTED_MARKER_LINE = re.compile(r"^\s*[\u201c\"]\\?\((?:[a-z]{1,2}|[ivxlc]{1,6}|[A-Z]{1,2}|\d{1,3})\\?\)\s")
# A Markdown list item: a block of its own in every rendering ("-   \\(7\\) The provisions ...").
_BULLET_LINE = re.compile(r"^[ \t]{0,3}[-*+][ \t]+")
_HEADING_LINE = re.compile(r"^(?:#{1,6}\s|\s*(?:<span[^>\n]*>)?\s*(?:Sec\.|Section\b))")


def _split_front(text: str) -> tuple[str, str]:
    m = _FRONT_MATTER.match(text)
    return (m.group(0), text[m.end() :]) if m else ("", text)


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def straight_quotes_and_dashes(text: str) -> str:
    front, body = _split_front(text)
    for curly, straight in (("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u2019", "'")):
        body = body.replace(curly, straight)
    return front + body.replace("\u2014", "--").replace("\u2013", "-")


def curly_quotes(text: str) -> str:
    front, body = _split_front(text)
    body = re.sub(r'(^|[\s(\[])"', "\\1\u201c", body)
    body = body.replace('"', "\u201d")
    return front + re.sub(r"(\w)'(\w)", "\\1\u2019\\2", body)


def reflow(text: str, width: int = 57) -> str:
    """Re-wrap each paragraph's running lines at ``width``; lines that open a marker or heading stay first."""
    front, body = _split_front(text)
    out: list[str] = []
    for block in re.split(r"(\n[ \t]*\n)", body):
        if not block.strip() or block.lstrip().startswith(("#", "---", "|", "<")):
            out.append(block)
            continue
        lines = block.split("\n")
        runs: list[list[str]] = []
        for line in lines:
            opens = (
                _MARKER_LINE.match(line)
                or _QUOTED_MARKER_LINE.match(line)
                or _HEADING_LINE.match(line)
                or _BULLET_LINE.match(line)
            )
            if not runs or opens or runs[-1][-1].endswith("  "):
                runs.append([line])
            else:
                runs[-1].append(line)
        rendered = []
        for run in runs:
            indent = re.match(r"\s*", run[0]).group(0)
            joined = " ".join(part.strip() for part in run)
            hard = "  " if run[-1].endswith("  ") else ""
            rendered.append(
                textwrap.fill(joined, width, initial_indent=indent, break_on_hyphens=False) + hard
            )
        out.append("\n".join(rendered))
    return front + "".join(out)


def markers_in_spans(text: str) -> str:
    return _MARKER_LINE.sub(lambda m: f"{m.group(1)}<span>{m.group(2)}</span>{m.group(3)}", text)


def markers_in_emphasis(text: str) -> str:
    return _MARKER_LINE.sub(lambda m: f"{m.group(1)}*{m.group(2)}*{m.group(3)}", text)


def markers_underlined(text: str) -> str:
    return _MARKER_LINE.sub(lambda m: f"{m.group(1)}<u>{m.group(2)}</u>{m.group(3)}", text)


def heading_joined_with_first_paragraph(text: str) -> str:
    """Put each section heading and the paragraph after it on one line."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        if re.match(r"^\s*(?:<span[^>\n]*>\s*)?(?:Sec\.|Section\b)", line) and not line.lstrip().startswith(
            "#"
        ):
            while index < len(lines) and not lines[index].strip():
                index += 1
            if index < len(lines) and not _HEADING_LINE.match(lines[index]):
                out[-1] = out[-1].rstrip() + " " + lines[index].lstrip()
                index += 1
    return "\n".join(out)


def _html_block(block: str) -> str:
    """Return a Markdown block as HTML: a paragraph, or a list with an item per bullet (and its lines)."""

    def escaped(text: str) -> str:
        return html.escape(text, quote=False).replace("&lt;", "<").replace("&gt;", ">")

    items = re.split(r"(?m)^(?=[ \t]{0,3}[-*+][ \t]+)", block)
    if len(items) == 1:
        return f"<p>{escaped(block)}</p>"
    head = f"<p>{escaped(items[0])}</p>" if items[0].strip() else ""
    listed = "".join(f"<li>{escaped(_BULLET_LINE.sub('', item, count=1))}</li>" for item in items[1:])
    return f"{head}<ul>{listed}</ul>"


def as_html(text: str) -> str:
    """Render a whitehouse.gov Markdown page as its HTML page: a paragraph per block, the date in <time>."""
    front, body = _split_front(text)
    date = re.search(r"^date:\s*'?(\d{4}-\d{2}-\d{2})", front, re.M)
    title = re.search(r"^title:\s*(.+)$", front, re.M)
    body = re.sub(r"\\([()\[\]*_.#>`-])", r"\1", body)
    blocks = [b for b in re.split(r"\n[ \t]*\n", body) if b.strip()]
    blocks = [re.sub(r"[ \t]{2,}\n", "<br>\n", b) for b in blocks]  # a Markdown hard break
    blocks = [re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", b, flags=re.S) for b in blocks]
    blocks = [re.sub(r"(?<!\w)\*(\S(?:.*?\S)?)\*(?!\w)", r"<em>\1</em>", b, flags=re.S) for b in blocks]
    paragraphs = "\n".join(_html_block(b) for b in blocks)
    return (
        "<!DOCTYPE html><html><head><title>"
        + html.escape(title.group(1).strip("'\" ") if title else "")
        + "</title></head><body><article><h1>"
        + html.escape(title.group(1).strip("'\" ") if title else "")
        + "</h1>"
        + (f'<time datetime="{date.group(1)}">{date.group(1)}</time>' if date else "")
        + paragraphs
        + "</article></body></html>"
    )


RENDERINGS = {
    "CRLF line endings": crlf,
    "straight quotes and dashes": straight_quotes_and_dashes,
    "curly quotes": curly_quotes,
    "lines reflowed": reflow,
    "markers in <span>": markers_in_spans,
    "markers in emphasis": markers_in_emphasis,
    "markers underlined": markers_underlined,
    "headings joined with their first paragraph": heading_joined_with_first_paragraph,
}
