"""Every kind of presidential document: its kind and number read from the text, its duties drafted."""

import datetime as dt
import tomllib

import pytest

from directives.drafting import DraftError, draft
from directives.orderfile import parse_order_file
from tests.drafting.texts import (
    OLDER_FEDERAL_REGISTER,
    PRESIDENTIAL_MEMORANDUM,
    PROCLAMATION,
    SECURITY_MEMORANDUM,
)


def due(d):
    return {x.ref: x.due_on for x in d.directives}


def test_a_national_security_memorandum_gives_its_kind_and_number_and_counts_from_its_date():
    d = draft(SECURITY_MEMORANDUM, signed_on=dt.date(2026, 1, 10))

    assert (d.order.kind, d.order.number) == ("national_security_memorandum", 99)
    # 2026-01-10 + 90 days; + 1 year
    assert due(d) == {"2(a)": dt.date(2026, 4, 10), "2(b)": dt.date(2027, 1, 10)}
    assert {x.ref: x.leads for x in d.directives} == {"2(a)": ("DOE",), "2(b)": ("STATE",)}


def test_a_presidential_memorandum_drafts_without_a_number():
    d = draft(PRESIDENTIAL_MEMORANDUM, filename="memo.wh.md")

    assert (d.order.kind, d.order.number) == ("presidential_memorandum", 0)
    assert due(d) == {"1": dt.date(2026, 4, 11)}  # 2026-02-10 + 60 days
    written = tomllib.loads(d.toml)["order"]
    assert written["kind"] == "presidential_memorandum"
    assert "number" not in written
    assert parse_order_file(d.toml).order.kind == "presidential_memorandum"


def test_a_proclamation_s_numbered_clauses_are_directives_and_its_recitals_are_not():
    d = draft(PROCLAMATION, number=10999, signed_on=dt.date(2026, 3, 2))

    assert d.order.kind == "proclamation"
    assert due(d) == {"(2)": dt.date(2026, 10, 1), "(3)": dt.date(2026, 5, 31)}  # 2026-03-02 + 90 days
    assert {x.leads for x in d.directives} == {("DOC",)}


def test_a_proclamation_from_whitehouse_gov_needs_its_number():
    with pytest.raises(DraftError, match=r"order.s number \(a proclamation has one"):
        draft(PROCLAMATION, signed_on=dt.date(2026, 3, 2))


def test_an_executive_order_s_number_on_a_line_of_its_own_is_read():
    text = "Executive Order 14999\n\n" + PRESIDENTIAL_MEMORANDUM.split("\n\n", 2)[2].replace(
        "memorandum", "order"
    ).replace("I hereby direct as follows", "it is hereby ordered")

    d = draft(text, signed_on=dt.date(2026, 2, 10))

    assert (d.order.kind, d.order.number) == ("executive_order", 14999)


@pytest.mark.parametrize("line", ["EXECUTIVE ORDER 14999", "E.O. 14999", "**Executive Order No. 14999**"])
def test_an_executive_order_s_number_is_read_however_its_line_is_printed(line):
    text = f"{line}\n\n" + PRESIDENTIAL_MEMORANDUM.split("\n\n", 2)[2].replace("memorandum", "order").replace(
        "I hereby direct as follows", "it is hereby ordered"
    )

    d = draft(text, signed_on=dt.date(2026, 2, 10))

    assert (d.order.kind, d.order.number) == ("executive_order", 14999)


def test_a_proclamation_s_number_in_capitals_is_read():
    d = draft("PROCLAMATION 10999\n\n" + PROCLAMATION, signed_on=dt.date(2026, 3, 2))

    assert (d.order.kind, d.order.number) == ("proclamation", 10999)


def test_an_older_order_s_three_digit_sections_and_part_dividers():
    d = draft(OLDER_FEDERAL_REGISTER)

    assert due(d) == {
        "305(a)": dt.date(2000, 5, 2),  # 2000-03-03 + 60 days (a leap year)
        "305(b)": dt.date(2000, 7, 1),  # + 120 days
        "401": None,
    }
    assert not any("PART" in x.source for x in d.directives)


def test_an_unknown_kind_given_is_refused_naming_it():
    with pytest.raises(DraftError, match="kind: 'decree' is not one of"):
        draft(SECURITY_MEMORANDUM, signed_on=dt.date(2026, 1, 10), kind="decree")
