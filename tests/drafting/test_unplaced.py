"""Nothing dropped silently: every sentence with a deadline-like phrase is drafted or listed as unplaced."""

import tomllib

import pytest

from directives.drafting import draft
from directives.orderfile import OrderFileError, parse_order_file

TEXT = """Executive Order 99001 of March 3, 2026

Testing Unplaced Sentences

By the authority vested in me as President, it is hereby ordered:

Sec. 1. Purpose. Agencies act on day-to-day matters within the authority of their heads.

Sec. 2. Duties. (a) Within 30 days of the date of this order, the Secretary of Energy shall issue
guidance.

(b) Reports under this section shall be submitted within 90 days of the date of this order.

(c) The Interplanetary Liaison Office of Nowhere shall, within 60 days of the date of this order,
report to the President.

(d) Within 45 days of the date of this order, the Attorney General shall publish a notice. The notice
shall be updated annually by the Attorney General.

Sec. 3. General Provisions. (a) This order shall be implemented within 30 days of appropriations.
"""


@pytest.fixture(scope="module")
def drafted():
    return draft(TEXT)


def reason_of(d, beginning):
    return next(u.reason for u in d.unplaced if u.sentence.startswith(beginning))


def test_a_passive_duty_with_a_deadline_is_listed_with_its_reason(drafted):
    reason = reason_of(drafted, "(b) Reports under this section shall be")
    assert "passive voice" in reason


def test_a_drafted_sentence_is_not_listed(drafted):
    assert not any(u.sentence.startswith("(a) Within 30 days") for u in drafted.unplaced)


def test_words_like_day_to_day_or_within_the_authority_are_not_deadlines(drafted):
    assert not any("day-to-day" in u.sentence for u in drafted.unplaced)


def test_a_second_deadline_in_a_drafted_paragraph_no_directive_took_is_listed(drafted):
    assert reason_of(drafted, "The notice shall be updated annually by")


def test_general_provisions_are_not_listed(drafted):
    assert not any("appropriations" in u.sentence for u in drafted.unplaced)


def test_each_unplaced_sentence_points_into_the_normalized_text(drafted):
    for u in drafted.unplaced:
        assert drafted.text[u.start : u.end] == u.sentence


def test_the_written_draft_lists_them_and_still_loads(drafted):
    data = tomllib.loads(drafted.toml)
    assert any(u["sentence"].startswith("(b) Reports under this section") for u in data["unplaced"])
    assert all(u["reason"] for u in data["unplaced"])
    parse_order_file(drafted.toml)


def test_an_order_file_with_a_malformed_unplaced_entry_names_the_field(drafted):
    broken = drafted.toml + '\n[[unplaced]]\nsentence = "Within 9 days."\n'

    with pytest.raises(OrderFileError, match=r"unplaced\[\d+\]\.reason: missing required field"):
        parse_order_file(broken)
