"""The paragraph tree: which level each marker opens, "(i) letter or roman" decided by what follows."""

import pytest

from directives.drafting.tree import LOWER, ROMAN, build_tree, readings, roman_value, solve


def upto(letter: str) -> list[str]:
    """Return paragraphs "(a) t." up to ``letter``: a sequence starts at its first value."""
    return [f"({chr(c)}) t." for c in range(ord("a"), ord(letter) + 1)]


def refs(paragraphs):
    tree = build_tree(paragraphs)
    return [node.ref for root in tree.roots for node in root.walk() if node.ref]


def test_sections_letters_romans_capitals_and_digits_nest_in_order():
    assert refs(
        ["Sec. 4. Things.", "(a) A.", "(i) B.", "(A) C.", "(1) D.", "(2) E.", "(B) F.", "(ii) G.", "(b) H."]
    ) == [
        "4",
        "4(a)",
        "4(a)(i)",
        "4(a)(i)(A)",
        "4(a)(i)(A)(1)",
        "4(a)(i)(A)(2)",
        "4(a)(i)(B)",
        "4(a)(ii)",
        "4(b)",
    ]


def test_an_i_after_h_followed_by_j_is_the_ninth_letter():
    assert refs(["Sec. 2. Things.", *upto("h"), "(i) I.", "(j) J."])[-2:] == ["2(i)", "2(j)"]


def test_an_i_after_h_followed_by_ii_is_a_roman_numeral():
    assert refs(["Sec. 2. Things.", *upto("g"), "(h) H:", "(i) one;", "(ii) two.", "(i) I."])[8:] == [
        "2(h)",
        "2(h)(i)",
        "2(h)(ii)",
        "2(i)",
    ]


def test_a_lone_i_at_the_end_of_a_section_is_the_next_letter():
    # A roman list of one item is unlikely; the ninth letter after (h) is the better reading.
    assert refs(["Sec. 2. Things.", *upto("h"), "(i) I."])[-1] == "2(i)"


def test_the_letter_i_then_its_own_roman_items():
    # EO 14028 Sec. 5: (h), then (i) "These recommendations shall describe:" (i) ... (viii), then (j).
    items = [f"({r}) item." for r in ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii")]
    result = refs(["Sec. 5. Board.", *upto("h"), "(i) describe:", *items, "(j) J."])
    assert result[9] == "5(i)"
    assert result[10:18] == [f"5(i)({r})" for r in ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii")]
    assert result[-1] == "5(j)"


def test_v_after_u_is_a_letter_and_after_iv_a_numeral():
    assert refs(["Sec. 4. Things.", *upto("u"), "(v) V.", "(w) W."])[-2:] == ["4(v)", "4(w)"]
    assert (
        refs(["Sec. 4. Things.", *upto("d"), "(e) E:", "(i) 1;", "(ii) 2;", "(iii) 3;", "(iv) 4;", "(v) 5."])[
            -1
        ]
        == "4(e)(v)"
    )


def test_x_after_w_is_a_letter_and_after_ix_a_numeral():
    assert refs(["Sec. 4. Things.", *upto("w"), "(x) X."])[-1] == "4(x)"
    romans = [f"({r}) n;" for r in ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")]
    assert refs(["Sec. 4. Things.", "(a) A:", *romans])[-1] == "4(a)(x)"


def test_doubled_letters_follow_z():
    assert refs(["Sec. 3. Definitions.", *upto("z"), "(aa) t.", "(bb) t."])[-2:] == ["3(aa)", "3(bb)"]


def test_a_marker_that_fits_no_reading_is_text():
    # "(q)" cannot follow "(a)": it is a wrapped reference, part of (a)'s text.
    tree = build_tree(["Sec. 2. Things.", "(a) Under subsection", "(q) of this section, act.", "(b) B."])
    section = tree.roots[1]
    assert [n.ref for n in section.walk()] == ["2", "2(a)", "2(b)"]
    assert section.children[0].paragraphs == [1, 2]


def test_numbered_subsections_take_their_own_markers():
    assert refs(["Sec. 4. Things.", "4.1. Developing.", "(a) A.", "(i) B.", "4.2. Others.", "(a) C."]) == [
        "4",
        "4.1",
        "4.1(a)",
        "4.1(a)(i)",
        "4.2",
        "4.2(a)",
    ]


def test_text_inserted_into_another_order_is_read_apart_with_its_numbering():
    tree = build_tree(
        [
            "Sec. 2. Amendments.",
            "Executive Order 99001 is hereby amended by:",
            "(a) striking subsection 2(c) and inserting, in lieu thereof, the following:",
            "\u201c(c) Agencies shall act:",
            "(i) By December 1, 2026, the Secretary of Energy shall report.\u201d; and",
            "(b) striking section 3.",
        ]
    )
    assert [n.ref for root in tree.roots for n in root.walk() if n.ref] == ["2", "2(a)", "2(b)"]
    (insertion,) = tree.insertions
    assert insertion.clause.ref == "2(a)"
    assert [n.ref for root in insertion.roots for n in root.walk() if n.depth] == ["2(c)", "2(c)(i)"]


@pytest.mark.parametrize(
    ("token", "value"), [("i", 1), ("iv", 4), ("ix", 9), ("xiv", 14), ("xvi", 16), ("a", None)]
)
def test_roman_values(token, value):
    assert roman_value(token) == value


def test_an_ambiguous_marker_has_both_readings():
    assert readings("i") == [(LOWER, 8), (ROMAN, 0)]
    assert readings("v") == [(LOWER, 21), (ROMAN, 4)]


def test_a_reading_that_follows_from_the_sequence_is_not_flagged_as_ambiguous():
    reading = solve(["a", "i", "ii"])
    assert reading.levels == [(LOWER, 0), (ROMAN, 1), (ROMAN, 1)]
    assert reading.ambiguous == set()


def test_a_fifth_level_uses_letters_again_under_digits():
    # "(iii) (A) (1) (a) (b) (2) (a) (B)", then the next top-level letter (EO 14086 2(c)).
    assert refs(
        [
            "Sec. 2. Things.",
            "(a) A.",
            "(i) B.",
            "(A) C.",
            "(1) D:",
            "(a) E;",
            "(b) F.",
            "(2) G:",
            "(a) H.",
            "(B) I.",
            "(b) J.",
        ]
    ) == [
        "2",
        "2(a)",
        "2(a)(i)",
        "2(a)(i)(A)",
        "2(a)(i)(A)(1)",
        "2(a)(i)(A)(1)(a)",
        "2(a)(i)(A)(1)(b)",
        "2(a)(i)(A)(2)",
        "2(a)(i)(A)(2)(a)",
        "2(a)(i)(B)",
        "2(b)",
    ]
