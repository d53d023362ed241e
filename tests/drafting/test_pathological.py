"""Crafted texts draft or are refused with a clear error: none makes the drafter fail in another way.

How long each may take is bench/drafting.py's bound (at 1 MB), not a wall-clock assertion here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from directives.drafting import DraftError, draft
from directives.drafting.draft import MAX_TEXT_CHARS

from .pathological import cases

SIGNED = dt.date(2026, 3, 3)
SHAPES = cases(100_000)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_crafted_text_drafts_or_is_refused(name):
    try:
        result = draft(SHAPES[name], number=1, signed_on=SIGNED)
    except DraftError as exc:
        assert str(exc)  # refused, saying why
    else:
        assert "[order]" in result.toml  # drafted, and written as an order file


def test_it_drafts_a_text_of_one_megabyte():
    sections = "\n\n".join(
        f"Sec. {n}. Title. (a) Within {n} days of the date of this order, the Secretary of Defense shall act."
        for n in range(2, 11_000)
    )
    text = "By the authority vested in me as President, it is hereby ordered:\n\n" + sections
    assert 1_000_000 <= len(text) <= MAX_TEXT_CHARS

    result = draft(text, number=1, signed_on=SIGNED)

    assert result.directives[0].ref == "2(a)"
    assert result.directives[-1].ref == "10999(a)"


def test_it_refuses_a_text_over_the_limit_naming_the_limit():
    text = "Sec. 1. Purpose. The Secretary of Defense shall act. " * 30_000

    with pytest.raises(DraftError, match="more than the 1,500,000 characters the drafter reads"):
        draft(text, number=1, signed_on=SIGNED)
