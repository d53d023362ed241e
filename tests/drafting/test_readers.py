"""Each format users meet reads to the same paragraphs: headings apart, markers first, lines joined."""

import datetime as dt

import pytest

from directives.drafting import DraftError, draft, paragraphs, readers
from directives.drafting.readers import detect_format, read_document
from directives.drafting.tree import build_tree

BODY = [
    "By the authority vested in me as President, it is hereby ordered:",
    "Sec. 2. Doing Things.",
    "(a) Within 30 days of the date of this order, the Secretary of Energy shall publish a plan.",
    "(b) Within 60 days of the date of this order, the Attorney General shall review it.",
]

PLAIN_TEXT = """Executive Order 99100 of May 4, 2026

Doing Things

By the authority vested in me as President, it is hereby ordered:

Sec. 2. Doing Things. (a) Within 30 days of the date of this order, the Secretary of Energy shall publish
a plan.
(b) Within 60 days of the date of this order, the Attorney General shall review it.

THE WHITE HOUSE,
May 4, 2026.
"""

MARKDOWN = """# Doing Things

By the authority vested in me as President, it is hereby ordered:

**Sec. 2. Doing Things.** \\(a\\) Within 30 days of the date of this order, the Secretary of Energy shall
publish a plan.

\\(b\\) Within 60 days of the date of this order, the *Attorney General* shall review it.
"""

WHITEHOUSE_MARKDOWN = """---
date: '2026-05-04'
source_url: https://www.whitehouse.gov/presidential-actions/2026/05/doing-things/
title: "Doing\\_Things"
---

By the authority vested in me as President, it is hereby ordered:

<span style="text-decoration: underline">Sec</span>.
<span style="text-decoration: underline">2</span>.
\u00a0<span style="text-decoration: underline">Doing Things</span>.\u00a0 (a)  Within 30 days of
the date of this order, the Secretary of Energy shall publish a plan.

\\(b\\)  Within 60 days of the date of this order, the Attorney General
shall review it.

                             DONALD J. TRUMP

THE WHITE HOUSE,

    May 4, 2026.
"""

HTML = """<!doctype html><html><head><title>Doing Things \u2013 The White House</title>
<meta property="article:published_time" content="2026-05-04T12:00:00-04:00"></head>
<body><nav><p>Sec. 9. A menu that is not the order.</p></nav><h1>Doing Things</h1>
<p>By the authority vested in me as President, it is hereby ordered:</p>
<p><u>Sec</u>. <u>2</u>. <u>Doing Things</u>. (a) Within 30 days of the date of this order,
the Secretary of Energy shall publish a plan.</p>
<p>(b) Within 60 days of the date of this order, the Attorney General shall review it.</p>
<p>THE WHITE HOUSE,<br>May 4, 2026.</p></body></html>
"""

# A Federal Register XML document, as PRESDOCU/EXECORD wraps an executive order.
FR_XML = """<?xml version="1.0" encoding="UTF-8"?>
<PRESDOCU>
  <EXECORD>
    <TITLE3>Title 3\u2014</TITLE3>
    <PRES>The President<PRTPAGE P="30001"/></PRES>
    <EXECORDR>Executive Order 99100 of May 4, 2026</EXECORDR>
    <HD SOURCE="HED">Doing Things</HD>
    <FP>By the authority vested in me as President, it is hereby ordered:</FP>
    <FP><E T="04">Sec. 2</E>. <E T="03">Doing Things.</E> (a) Within 30 days of the date of this order, the
      Secretary of Energy shall publish a plan.</FP>
    <P>(b) Within 60 days of the date of this order, the Attorney General shall review it.</P>
    <PSIG> </PSIG>
    <PLACE>THE WHITE HOUSE,</PLACE>
    <DATE>May 4, 2026.</DATE>
    <FRDOC>[FR Doc. 2026-09999 Filed 5-6-26; 8:45 am]</FRDOC>
    <BILCOD>Billing code 3395-F4-P</BILCOD>
  </EXECORD>
</PRESDOCU>
"""

FR_MARKDOWN = """# Executive Order 99100: Doing Things

## Summary

**Date:** May 4, 2026

**Document Details:**
- Document Number: 2026-09999
- Executive Order Number: 99100
- Citation: 91 FR 30001

## Sources
- [Federal Register](https://www.federalregister.gov/documents/2026/05/07/2026-09999/doing-things)

---

## Executive Order 99100

### Authority

By the authority vested in me as President, it is hereby ordered:
### Section 2.

Doing Things (a) Within 30 days of the date of this order, the Secretary of Energy shall publish a plan.

(b) Within 60 days of the date of this order, the Attorney General{SLIP}
shall review it.

Trump.EPS
THE WHITE HOUSE,
May 4, 2026.
""".replace("{SLIP}", " ")  # the converter leaves a space before some line breaks


@pytest.mark.parametrize(
    ("text", "filename", "fmt"),
    [
        (PLAIN_TEXT, "order.txt", "text"),
        (MARKDOWN, "order.md", "markdown"),
        (WHITEHOUSE_MARKDOWN, "order.wh.md", "whitehouse-markdown"),
        (HTML, "order.html", "html"),
        (FR_XML, "order.xml", "federal-register-xml"),
        (FR_MARKDOWN, "order.fr.md", "federal-register-markdown"),
    ],
)
def test_every_format_reads_to_the_same_paragraphs(text, filename, fmt):
    doc = read_document(text, filename)
    assert doc.format == fmt
    assert doc.paragraphs == BODY


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (PLAIN_TEXT, "text"),
        (MARKDOWN, "markdown"),
        (WHITEHOUSE_MARKDOWN, "whitehouse-markdown"),
        (HTML, "html"),
        (FR_XML, "federal-register-xml"),
        (FR_MARKDOWN, "federal-register-markdown"),
    ],
)
def test_the_format_is_recognized_without_a_file_name(text, fmt):
    assert detect_format(text) == fmt


def test_the_federal_register_xml_gives_number_date_title_and_document():
    meta = read_document(FR_XML, "order.xml").meta
    assert (meta.number, meta.signed_on, meta.title, meta.document) == (
        99100,
        dt.date(2026, 5, 4),
        "Doing Things",
        "2026-09999",
    )


def test_the_federal_register_markdown_gives_citation_and_publication():
    meta = read_document(FR_MARKDOWN, "order.fr.md").meta
    assert (meta.number, meta.signed_on, meta.citation, meta.published_on) == (
        99100,
        dt.date(2026, 5, 4),
        "91 FR 30001",
        dt.date(2026, 5, 7),
    )
    assert meta.source_url.startswith("https://www.federalregister.gov/documents/2026/05/07/")


def test_the_whitehouse_page_has_a_title_date_and_link_but_no_number():
    meta = read_document(WHITEHOUSE_MARKDOWN, "order.wh.md").meta
    assert meta.number is None
    assert (meta.title, meta.signed_on) == (
        "Doing Things",
        dt.date(2026, 5, 4),
    )  # the escaped space made plain
    assert meta.source_url == "https://www.whitehouse.gov/presidential-actions/2026/05/doing-things/"


def test_the_html_page_gives_the_heading_and_published_date():
    meta = read_document(HTML, "order.html").meta
    assert (meta.title, meta.signed_on) == ("Doing Things", dt.date(2026, 5, 4))


def test_the_date_under_the_white_house_line_is_the_signing_date():
    text = PLAIN_TEXT.replace("Executive Order 99100 of May 4, 2026", "Executive Order 99100")
    assert read_document(text, "order.txt").meta.signed_on == dt.date(2026, 5, 4)


def test_a_wrapped_reference_at_a_line_start_is_not_a_new_paragraph():
    text = (
        "By the authority vested in me as President, it is hereby ordered:\n\n"
        "Sec. 2. Things.\n"
        "     (a)  Within 30 days of the date of this order, the Secretary shall act under subsection\n"
        "(b) of this section and report.\n"
        "     (b)  The Attorney General shall review it.\n"
    )
    assert read_document(text, "order.md").paragraphs[2:] == [
        "(a) Within 30 days of the date of this order, the Secretary shall act under subsection (b) of this "
        "section and report.",
        "(b) The Attorney General shall review it.",
    ]


def test_xml_that_declares_entities_is_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><PRESDOCU><EXECORD>&a;</EXECORD></PRESDOCU>'
    with pytest.raises(DraftError, match="declares entities"):
        draft(bomb, filename="order.xml", number=1, signed_on=dt.date(2026, 1, 1))


def test_xml_that_is_not_an_executive_order_is_refused():
    with pytest.raises(DraftError, match="no EXECORD element"):
        draft("<PRESDOCU><PROCLA><FP>A proclamation.</FP></PROCLA></PRESDOCU>", filename="p.xml")


def test_broken_xml_is_refused():
    with pytest.raises(DraftError, match="not well formed"):
        draft("<PRESDOCU><EXECORD><FP>Sec. 1.</EXECORD>", filename="order.xml")


# --- Headings run into their text --------------------------------------------------------------------


def test_a_heading_numbered_subsection_and_marker_on_one_line_are_split():
    paragraphs = readers.read_plain(
        "By the authority vested in me, it is hereby ordered:\n\n"
        "Sec. 4. Ensuring Safety. 4.1. Developing Guidelines. (a) Within 270 days of the date of this "
        "order, the Secretary of Commerce shall establish guidelines.\n"
    ).paragraphs

    assert paragraphs[1:] == [
        "Sec. 4. Ensuring Safety.",
        "4.1. Developing Guidelines.",
        "(a) Within 270 days of the date of this order, the Secretary of Commerce shall establish "
        "guidelines.",
    ]


def test_a_title_without_a_period_run_into_its_text_is_split_before_the_text():
    paragraphs = readers.read_fr_markdown(
        "# Executive Order 14999: Testing\n\n**Date:** March 3, 2026\n\n"
        "By the authority vested in me, it is hereby ordered:\n\n### Section 4.\n\n"
        "Reducing the Prices of Drugs for Seniors Within 1 year of the date of this order, the Secretary "
        "shall take appropriate steps.\n"
    ).paragraphs

    assert paragraphs[1:] == [
        "Sec. 4. Reducing the Prices of Drugs for Seniors.",
        "Within 1 year of the date of this order, the Secretary shall take appropriate steps.",
    ]


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        (
            "Purpose It is the policy of the United States.",
            "Purpose",
            "It is the policy of the United States.",
        ),
        (
            "Ensuring Safety The Secretary of Energy shall act.",
            "Ensuring Safety",
            "The Secretary of Energy shall act.",
        ),
    ],
)
def test_a_run_on_title_ends_at_the_sentence_s_first_word(text, title, body):
    assert paragraphs.split_run_on_title(text) == (title, body)


def test_a_sentence_is_not_taken_for_a_run_on_title():
    assert paragraphs.split_run_on_title("Agencies shall report within 30 days.") is None


@pytest.mark.parametrize("wrapped", ["<span>(b)</span>", "<u>(b)</u>", '<span class="x">(b)</span>'])
def test_a_marker_inside_inline_html_opens_its_paragraph(wrapped):
    text = f"Sec. 2. Duties. (a) The Secretary shall act.\n\n{wrapped} The Attorney General shall act.\n"

    assert read_document(text).paragraphs[-1] == "(b) The Attorney General shall act."


def test_straight_and_curly_quotation_marks_read_the_same():
    straight = 'Sec. 2. Terms. The term "agency" means the Board\'s members -- all of them.\n'
    curly = "Sec. 2. Terms. The term \u201cagency\u201d means the Board\u2019s members \u2014 all of them.\n"

    assert read_document(straight).paragraphs == read_document(curly).paragraphs


def test_emphasis_around_a_marker_a_stop_or_a_wrapped_heading_is_dropped():
    text = (
        "**Sec. 2.  Resumption of Visa Processing and\nClearing the Backlog.**  Text*.*\n\n"
        "*(a)* The Secretary of State shall act.\n"
    )

    assert read_document(text, "order.md").paragraphs == [
        "Sec. 2. Resumption of Visa Processing and Clearing the Backlog.",
        "Text.",
        "(a) The Secretary of State shall act.",
    ]


def test_a_section_reference_wrapped_to_a_line_s_start_is_not_a_heading():
    text = "Sec. 2. Duties. (a) The Secretary shall act as set out in\nSection 5 of this order.\n"

    assert read_document(text).paragraphs == [
        "Sec. 2. Duties.",
        "(a) The Secretary shall act as set out in Section 5 of this order.",
    ]


def test_a_federal_register_title_wrapped_onto_the_next_line_with_its_text_is_read_whole():
    text = (
        "# Executive Order 14999: Testing\n\n**Date:** March 3, 2026\n\n"
        "By the authority vested in me, it is hereby ordered:\n\n### Section 302.\n\n"
        "Supplier Emissions Tracking The Administrator of GSA\nshall track disclosures.\n\n"
        "### Section 303.\n\nFederal Leadership Committee\nIn order to begin, a Committee is established.\n"
    )

    assert readers.read_fr_markdown(text).paragraphs[1:] == [
        "Sec. 302. Supplier Emissions Tracking.",
        "The Administrator of GSA shall track disclosures.",
        "Sec. 303. Federal Leadership Committee.",
        "In order to begin, a Committee is established.",
    ]


@pytest.mark.parametrize(
    "title_and_text",
    [
        "Harbor Dredging Council\nIn order to coordinate dredging, a Council is established.",
        "Harbor Dredging\nCouncil In order to coordinate dredging, a Council is\nestablished.",
        "Harbor Dredging Council In order to coordinate dredging, a Council is established.",
    ],
)
def test_a_federal_register_title_and_its_text_read_the_same_however_the_lines_wrap(title_and_text):
    text = (
        "# Executive Order 14999: Testing\n\n**Date:** March 3, 2026\n\n"
        f"By the authority vested in me, it is hereby ordered:\n\n### Section 3.\n\n{title_and_text}\n"
    )

    assert readers.read_fr_markdown(text).paragraphs[1:] == [
        "Sec. 3. Harbor Dredging Council.",
        "In order to coordinate dredging, a Council is established.",
    ]


def test_a_federal_register_heading_with_its_first_subsection_wrapped_keeps_the_subsection_whole():
    text = (
        "# Executive Order 14999: Testing\n\n**Date:** March 3, 2026\n\n"
        "By the authority vested in me, it is hereby ordered:\n\n"
        "### Section 601. (a) Agencies on the Council shall assist the\nSecretary of the Army.\n"
    )

    assert readers.read_fr_markdown(text).paragraphs[1:] == [
        "Sec. 601.",
        "(a) Agencies on the Council shall assist the Secretary of the Army.",
    ]


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        (
            "Yearly Harbor Report Beginning in 2031, the Council shall publish a report.",
            "Yearly Harbor Report",
            "Beginning in 2031, the Council shall publish a report.",
        ),
        (
            "Training the Harbor Workforce Meeting the needs of ports requires training; the Secretary "
            "shall act.",
            "Training the Harbor Workforce",
            "Meeting the needs of ports requires training; the Secretary shall act.",
        ),
        (
            "Rivers Act of 1899 Within 30 days of the date of this order, the Secretary shall act.",
            "Rivers Act of 1899",
            "Within 30 days of the date of this order, the Secretary shall act.",
        ),
    ],
)
def test_a_run_on_title_ends_where_a_sentence_opens_before_its_first_lower_case_word(text, title, body):
    assert paragraphs.split_run_on_title(text) == (title, body)


def test_a_sentence_opening_with_a_year_is_not_taken_for_a_run_on_title():
    assert paragraphs.split_run_on_title("In 2031, Congress passed a law the Secretary shall apply.") is None


def test_a_list_item_s_closing_and_wrapped_onto_its_own_line_still_ends_the_item():
    lines = ["(A) review the harbors of the Gulf Coast;", "and", "(B) report on them to the President."]

    assert paragraphs.join_lines(lines) == [
        "(A) review the harbors of the Gulf Coast; and",
        "(B) report on them to the President.",
    ]


@pytest.mark.parametrize("marker", ["(i)", "*(i)*", "<u>(i)</u>", "<span>(i)</span>", "\\(i\\)"])
def test_a_marked_item_after_a_federal_register_title_line_opens_its_own_paragraph(marker):
    text = (
        "# Executive Order 14999: Testing\n\n**Date:** March 3, 2026\n\n"
        "By the authority vested in me, it is hereby ordered:\n\n### Section 3.\n\n"
        "Harbor Dredging (a) The Secretary of the Army shall:\n"
        f"    {marker} dredge the harbors of the Gulf Coast.\n"
    )

    assert readers.read_fr_markdown(text).paragraphs[1:] == [
        "Sec. 3. Harbor Dredging.",
        "(a) The Secretary of the Army shall:",
        "(i) dredge the harbors of the Gulf Coast.",
    ]


def test_a_signature_block_wrapped_into_the_last_paragraph_gives_the_date_and_is_cut_off():
    text = (
        "Executive Order 99100\n\nBy the authority vested in me as President, it is hereby ordered:\n\n"
        "Sec. 1. Duty. The Secretary of the Army shall dredge the harbors. xy THE WHITE HOUSE,\n"
        "March 3, 2031. [FR Doc. 31-0001 Filed 3-5-31]\n"
    )

    document = readers.read_plain(text)

    assert document.meta.signed_on == dt.date(2031, 3, 3)
    assert document.paragraphs[1:] == ["Sec. 1. Duty.", "The Secretary of the Army shall dredge the harbors."]


@pytest.mark.parametrize(
    "heading",
    ["Sec. 5. Harbor Works.* * (a)", "Sec. 5*.* Harbor Works*.\u00a0* (a)", "Sec. 5. Harbor Works. (a)"],
)
def test_asterisks_touching_no_word_are_read_the_same_from_html_and_markdown(heading):
    body = f"{heading} Within 10 days of the date of this order, the Secretary of the Army shall act."
    page = (
        "<html><head><title>Harbor Works</title></head><body><h1>Harbor Works</h1>"
        "<p>By the authority vested in me as President, it is hereby ordered:</p>"
        f"<p>{body}</p></body></html>"
    )

    assert readers.read_html(page).paragraphs[1:] == [
        "Sec. 5. Harbor Works.",
        "(a) Within 10 days of the date of this order, the Secretary of the Army shall act.",
    ]


def test_an_underlined_heading_wrapped_and_followed_by_an_emphasized_stop_is_its_own_paragraph():
    text = (
        "---\ndate: '2026-05-04'\ntitle: Harbor Works\n---\n\n"
        "By the authority vested in me as President, it is hereby ordered:\n\n"
        '<span style="text-decoration: underline">Sec</span>.\n'
        '<span style="text-decoration: underline">5</span>.\u00a0\n'
        '<span style="text-decoration: underline">Harbor\nWorks</span>*.*\u00a0 (a)  Within 10 days of the '
        "date of this order, the Secretary of the Army shall act.\n"
    )

    assert readers.read_whitehouse_markdown(text).paragraphs[1:] == [
        "Sec. 5. Harbor Works.",
        "(a) Within 10 days of the date of this order, the Secretary of the Army shall act.",
    ]


def test_an_opening_quotation_mark_typed_after_a_quotation_s_last_stop_closes_it():
    text = (
        "By the authority vested in me as President, it is hereby ordered:\n\n"
        "(1) Clause 2 of Proclamation 9999 is revised to read as follows:\n\n"
        "\u201c(2) Harbor dues are doubled.\u201c\n\n"
        "(2) The Secretary of Commerce shall publish the dues within 30 days of the date of this "
        "proclamation.\n"
    )

    paragraphs = readers.read_plain(text).paragraphs

    assert paragraphs[2] == "\u201c(2) Harbor dues are doubled.\u201d"
    tree = build_tree(paragraphs)
    assert [node.ref for root in tree.roots for node in root.walk() if node.ref] == ["(1)", "(2)"]


def test_a_heading_run_into_its_first_marker_without_a_space_is_split():
    text = (
        "By the authority vested in me as President, it is hereby ordered:\n\nSec. 8. Security.(a) X acts.\n"
    )
    assert read_document(text, "order.md").paragraphs[1:] == [
        "Sec. 8. Security.",
        "(a) X acts.",
    ]
