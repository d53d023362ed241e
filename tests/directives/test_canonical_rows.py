"""The canonical text ``verify_history`` writes from each event's row (``canonical.ROW_TEXT``, filled in
by ``history.verifying._check_rows``) is the JSON encoder's, character for character, whatever the
values: quotes, backslashes, control characters, non-ASCII, empty strings, nulls and large ids. A
difference would let an edited event pass, or a sound one fail. Each event here is hashed by the
reference (``canonical.canonical``, ``json.dumps``) and signed, then checked from its row: it must
pass, and the same row with its note changed must not.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directives import history
from directives.history.reading import Source
from directives.history.verifying import _check_rows
from ledger import keys
from ledger.chain import sign_head

ORDER_ID, DIRECTIVE_ID = 101, 202
TEXTS = ("directive", "kind", "old_status", "new_status", "note", "evidence_url")


def _record(**values: Any) -> dict[str, Any]:
    """A signed event, seq 1 of EO 14409, hashed by the JSON encoder."""
    record: dict[str, Any] = dict.fromkeys(history.CONTENT_KEYS) | {
        "order": 14409,
        "directive": "2(c)(ii)",
        "kind": "note",
        "old_status": "",
        "new_status": "",
        "note": "",
        "evidence_url": "",
        "created": "2026-07-01T14:03:09.125000Z",
        "seq": 1,
        "prev_hash": history.GENESIS,
    }
    record |= values
    record["hash"] = history.digest(record)  # the reference: json.dumps(sort_keys=True, ...)
    seq, chain = record["seq"], history.chain_name(record["order"])
    key_id, signature = sign_head(keys.keyring(), chain, seq, seq, record["hash"])
    return record | {"id": seq, "signed_from": seq, "key_id": key_id, "signature": signature}


def _check(*records: dict[str, Any], **changed: Any) -> history.VerifyReport:
    """Check ``records`` (one chain) as verify_history checks rows read from the database, the last
    with ``changed``."""
    rows = [
        (
            ORDER_ID,
            DIRECTIVE_ID,
            *((r | changed if i == len(records) - 1 else r)[k] for k in history.RECORD_KEYS[2:]),
        )
        for i, r in enumerate(records)
    ]
    first = records[0]
    source = Source(
        iter([rows]), {ORDER_ID: first["order"]}, {DIRECTIVE_ID: (first["directive"], first["order"])}
    )
    return _check_rows(source, None)


def _assert_written_as_the_encoder_writes_it(record: dict[str, Any]) -> None:
    assert _check(record).error is None
    changed = _check(record, note=record["note"] + "!")
    assert changed.error is not None
    assert changed.error.mismatch == history.Mismatch.CONTENT_CHANGED


AWKWARD = [
    'Quotes " and \\ backslashes, \t tabs,\nnewlines\r and \x00\x1f\x7f controls',
    "Ünïcödé — «quotes», 中文, emoji 🛡️, U+2028\u2028 U+2029\u2029 and \ufffd",
    "",
    "</script>&<>'",
    "\\u0000 written out, not a control",
]


@pytest.mark.parametrize("text", AWKWARD, ids=["escapes", "unicode", "empty", "markup", "escaped-escape"])
def test_awkward_text_in_every_text_field_is_written_as_the_encoder_writes_it(text):
    for key in TEXTS:
        _assert_written_as_the_encoder_writes_it(_record(**{key: text}))
    _assert_written_as_the_encoder_writes_it(_record(**dict.fromkeys(TEXTS, text)))


def test_nulls_dates_and_large_ids_are_written_as_the_encoder_writes_them():
    _assert_written_as_the_encoder_writes_it(_record())  # every date and id null
    dates = dict.fromkeys(history.DATE_KEYS, "2026-12-31")
    _assert_written_as_the_encoder_writes_it(_record(**dates, actor=2**63 - 1, agency=0, order=2**31 - 1))
    _assert_written_as_the_encoder_writes_it(_record(completed_on="2026-07-01", actor=12, agency=3))


def test_a_kind_seen_before_is_written_as_the_encoder_writes_it_again():
    # Kinds and statuses are escaped once and remembered: the second event must read the same.
    awkward = {"kind": 'a "kind"\n', "old_status": "ü", "new_status": "\\"}
    first = _record(**awkward)
    second = _record(**awkward, seq=2, prev_hash=first["hash"])
    assert _check(first, second).error is None
    error = _check(first, second, note="!").error
    assert error is not None
    assert (error.seq, error.mismatch) == (2, history.Mismatch.CONTENT_CHANGED)


def test_an_event_whose_text_differs_by_one_escape_is_named():
    record = _record(note='a "quoted" word')
    error = _check(record, note="a 'quoted' word").error
    assert error is not None
    assert error.mismatch == history.Mismatch.CONTENT_CHANGED
    assert "does not match its content" in error.detail


@settings(deadline=None)  # about the text, not the time: a loaded machine must not fail it
@given(
    texts=st.lists(st.text(), min_size=6, max_size=6),
    ids=st.lists(st.none() | st.integers(min_value=0, max_value=2**63), min_size=2, max_size=2),
    dates=st.lists(st.none() | st.dates().map(lambda d: d.isoformat()), min_size=5, max_size=5),
)
def test_any_values_are_written_as_the_encoder_writes_them(texts, ids, dates):
    record = _record(
        **dict(zip(TEXTS, texts, strict=True)),
        **dict(zip(history.DATE_KEYS, dates, strict=True)),
        actor=ids[0],
        agency=ids[1],
    )
    _assert_written_as_the_encoder_writes_it(record)
