"""Metamorphic: the same document rendered another way drafts to the same directives (issue 20).

Each of the team's texts is re-rendered (line endings, quotation marks and dashes, line wrapping, markers
wrapped in inline HTML or emphasis, headings joined with their first paragraph, the whitehouse.gov page as
HTML) and must give the same refs, rules, due dates and leads. `make eval-import` runs the same
re-renderings over every corpus text and reports how many draft the same.
"""

import datetime as dt
from pathlib import Path

import pytest

from directives.drafting import draft
from tests.drafting import texts
from tests.drafting.rerender import RENDERINGS, as_html

# (text, file name, options): as a user drafts each.
DOCUMENTS = {
    "shape of EO 14409 (whitehouse.gov)": (texts.SHAPE_OF_14409, "testing.wh.md", {"number": 99409}),
    "plain text": (texts.PLAIN, None, {}),
    "amending another order": (texts.AMENDING, None, {}),
    "national security memorandum": (texts.SECURITY_MEMORANDUM, None, {"signed_on": dt.date(2026, 1, 10)}),
    "presidential memorandum": (texts.PRESIDENTIAL_MEMORANDUM, "memo.wh.md", {}),
    "proclamation": (texts.PROCLAMATION, None, {"number": 10999, "signed_on": dt.date(2026, 3, 2)}),
    "older Federal Register shape": (texts.OLDER_FEDERAL_REGISTER, "older.fr.md", {}),
}


def drafted(text, filename, options):
    d = draft(text, filename=filename, **options)
    return sorted((x.ref, x.rule, x.due_on, x.leads) for x in d.directives) + sorted(
        (a.order, a.directive, a.rule, a.leads) for a in d.amends
    )


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
@pytest.mark.parametrize("document", sorted(DOCUMENTS))
def test_a_re_rendered_text_drafts_the_same(document, rendering):
    text, filename, options = DOCUMENTS[document]
    original = drafted(text, filename, options)
    assert original  # something to compare

    assert drafted(RENDERINGS[rendering](text), filename, options) == original


def test_the_whitehouse_gov_page_as_html_drafts_as_its_markdown():
    text, _, options = DOCUMENTS["shape of EO 14409 (whitehouse.gov)"]

    assert drafted(as_html(text), "testing.html", options) == drafted(text, "testing.wh.md", options)


CORPUS = Path(__file__).resolve().parents[2] / "eval" / "corpus"
CORPUS_TEXTS = sorted(p.name for p in CORPUS.glob("*.md"))


@pytest.mark.parametrize("name", CORPUS_TEXTS)
def test_every_corpus_text_drafts_the_same_under_every_re_rendering(name):
    text = (CORPUS / name).read_text(encoding="utf-8")
    # As a user drafts each: a whitehouse.gov page is given a number (any number does for this).
    options = {} if ".fr." in name else {"number": 1}
    original = drafted(text, name, options)
    renderings = dict(RENDERINGS)
    if name.endswith(".wh.md"):
        renderings["as HTML"] = as_html
    differ = [
        label
        for label, render in sorted(renderings.items())
        if drafted(render(text), name.replace(".wh.md", ".html") if label == "as HTML" else name, options)
        != original
    ]
    assert differ == []
