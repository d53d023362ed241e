"""The canonical text ``verify_history`` writes from each event's row (``canonical.row_text``) is the JSON
encoder's, character for character, whatever the values: quotes, backslashes, control characters,
non-ASCII, empty strings, nulls and large ids. A difference would let an edited event pass (or a
sound one fail), so the fast writer is held against the reference (``canonical.canonical``).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directives import history
from directives.history.canonical import row_text
from ledger.chain import encode_string

PREV = "ab" * 32
CREATED = "2026-07-01T14:03:09.125000Z"


def _row(record: dict[str, Any]) -> tuple[Any, ...]:
    """The row the proof reads for ``record``: its values in RECORD_KEYS order, ids for order and ref."""
    return (101, 202, *(record[key] for key in history.RECORD_KEYS[2:]))


def _record(**values: Any) -> dict[str, Any]:
    record: dict[str, Any] = {key: None for key in history.RECORD_KEYS} | {
        "order": 14409,
        "directive": "2(c)(ii)",
        "kind": "note",
        "old_status": "",
        "new_status": "",
        "note": "",
        "evidence_url": "",
        "created": CREATED,
        "seq": 7,
        "prev_hash": PREV,
        "id": 1,
        "hash": "cd" * 32,
        "key_id": "",
        "signature": "",
    }
    return record | values


def _assert_same(record: dict[str, Any]) -> None:
    text = row_text(_row(record), encode_string(record["directive"]), record["order"])
    assert text == history.canonical(record).decode()
    assert text == history.record_text(record)


AWKWARD = [
    'Quotes " and \\ backslashes, \t tabs,\nnewlines\r and \x00\x1f\x7f controls',
    "Ünïcödé — «quotes», 中文, emoji 🛡️, U+2028\u2028 U+2029\u2029, a lone surrogate's neighbour \ufffd",
    "",
    "</script>&<>'",
    "\\u0000 written out, not a control",
]


@pytest.mark.parametrize("text", AWKWARD, ids=["escapes", "unicode", "empty", "markup", "escaped-escape"])
def test_awkward_text_in_every_text_field_is_written_as_the_encoder_writes_it(text):
    for key in ("directive", "kind", "old_status", "new_status", "note", "evidence_url"):
        _assert_same(_record(**{key: text}))
    _assert_same(
        _record(directive=text, kind=text, old_status=text, new_status=text, note=text, evidence_url=text)
    )


def test_nulls_dates_and_large_ids_are_written_as_the_encoder_writes_them():
    _assert_same(_record())  # every date and id null
    dates = dict.fromkeys(history.DATE_KEYS, "2026-12-31")
    _assert_same(_record(**dates, actor=2**63 - 1, agency=0, order=2**31 - 1, seq=10**12))
    _assert_same(_record(completed_on="2026-07-01", new_due_on="2027-01-31", actor=12, agency=3))


def test_the_kinds_already_seen_are_written_as_the_encoder_writes_them_again():
    # Kinds and statuses are escaped once and remembered: the second time must read the same.
    for _ in range(2):
        _assert_same(_record(kind='a "kind"\n', old_status="ü", new_status="\\"))


@settings(deadline=None)  # about the text, not the time: a loaded machine must not fail it
@given(
    texts=st.lists(st.text(), min_size=6, max_size=6),
    ids=st.lists(st.none() | st.integers(min_value=0, max_value=2**63), min_size=2, max_size=2),
    dates=st.lists(st.none() | st.dates().map(lambda d: d.isoformat()), min_size=5, max_size=5),
    seq=st.integers(min_value=1, max_value=2**31),
)
def test_any_values_are_written_as_the_encoder_writes_them(texts, ids, dates, seq):
    keys = ("directive", "kind", "old_status", "new_status", "note", "evidence_url")
    record = _record(
        **dict(zip(keys, texts, strict=True)),
        **dict(zip(history.DATE_KEYS, dates, strict=True)),
        actor=ids[0],
        agency=ids[1],
        seq=seq,
    )
    _assert_same(record)
