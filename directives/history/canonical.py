"""The canonical form of an event (pure): the keys its hash covers, and the text they are hashed as.

``directives/history/__init__.py`` describes the form; ``record_text`` and ``NewEvent.canonical_text``
write it out directly (the JSON encoder's own string escaping, ``encode_string``, keys in sorted order);
a test holds both equal to the encoder's output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from ledger.chain import encode as _encode
from ledger.chain import encode_string

DATE_KEYS = ("completed_on", "old_forecast_on", "new_forecast_on", "old_due_on", "new_due_on")
# The canonical content, in the order the docstring explains it (serialised with the keys sorted).
CONTENT_KEYS = (
    "order", "directive", "kind", "old_status", "new_status", "note", "evidence_url", *DATE_KEYS,
    "actor", "agency", "created", "seq", "prev_hash",
)  # fmt: skip

# An event line of the export, and a stored event's record, add these to CONTENT_KEYS (and id, hash).
SIGNATURE_KEYS = ("signed_from", "key_id", "signature")

# An event as a record: the canonical CONTENT_KEYS, then id, hash and SIGNATURE_KEYS (an event line
# of ``export_history``). Read from the database (values typed by its columns) or from a backup's
# line (checked by ``directives/operations/backup``), so its values are as the package docstring says.
Record = Mapping[str, Any]


def instant(value: dt.datetime) -> str:
    """Return ``value`` (aware) as the canonical UTC instant, e.g. ``2026-07-03T04:00:00.000000Z``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


_CONTENT = frozenset(CONTENT_KEYS)


def canonical(content: Mapping[str, object]) -> bytes:
    """Return the bytes an event's hash covers: its ``CONTENT_KEYS`` as sorted, compact JSON."""
    if content.keys() != _CONTENT:  # a record with more keys (id, hash): keep the content's
        content = {key: content[key] for key in CONTENT_KEYS}
    return _encode(content).encode()


def digest(content: Mapping[str, object]) -> str:
    """Return the hash of an event's canonical content (``CONTENT_KEYS``, values as in the docstring)."""
    return hashlib.sha256(canonical(content)).hexdigest()


def chain_name(order_number: int) -> str:
    """Return the name an order's chain is signed and checkpointed under, e.g. ``order:14409``."""
    return f"order:{order_number}"


# An event's canonical text: the one template ``record_text``, ``NewEvent.canonical_text`` and
# ``verifying._check_rows`` (from each row, one ``%`` format per event, no record built) fill in, the
# keys in the text's (sorted) order, each value as JSON. The instant and ``prev_hash`` go in unescaped:
# the one is PostgreSQL's ``to_char`` (or ``instant``), the other hex digits (checked equal to the hash
# before it before the text is written). ``tests/directives/test_canonical_rows.py`` and
# ``tests/directives/test_history.py`` hold each filler's text equal to the JSON encoder's output.
ROW_TEXT = (
    '{"actor":%s,"agency":%s,"completed_on":%s,"created":"%s","directive":%s,"evidence_url":%s,"kind":%s,'
    '"new_due_on":%s,"new_forecast_on":%s,"new_status":%s,"note":%s,"old_due_on":%s,"old_forecast_on":%s,'
    '"old_status":%s,"order":%s,"prev_hash":"%s","seq":%s}'
)


def record_text(r: Record) -> str:
    """Return ``canonical(r)`` as text for a record read from the database, written out directly.

    The values must have the types a stored record has (ids as int or None, dates as text or None);
    a test holds it equal to the JSON encoder's output, character for character.
    """
    s = encode_string
    actor, agency = r["actor"], r["agency"]
    dates = (r["completed_on"], r["new_due_on"], r["new_forecast_on"], r["old_due_on"], r["old_forecast_on"])
    c, nd, nf, od, of = ("null" if d is None else f'"{d}"' for d in dates)
    return ROW_TEXT % (
        "null" if actor is None else int(actor),
        "null" if agency is None else int(agency),
        c,
        r["created"],
        s(r["directive"]),
        s(r["evidence_url"]),
        s(r["kind"]),
        nd,
        nf,
        s(r["new_status"]),
        s(r["note"]),
        od,
        of,
        s(r["old_status"]),
        int(r["order"]),
        r["prev_hash"],
        int(r["seq"]),
    )


# How many values a ``Memo`` keeps: a sweep's events share a few hundred notes and dates, while a
# restore's notes are mostly unique and are then written each time rather than all kept.
MEMO_ROOM = 4096


class Memo(dict[Any, str]):
    """Each value's text, written by ``write`` once and then looked up, for up to ``MEMO_ROOM`` values.

    An append's events repeat a few kinds, statuses, refs, notes, dates and ids: the overdue sweep's
    tens of thousands of events have a few hundred due days (and notes) between them; ``verify_history``
    escapes each kind and status once.
    """

    def __init__(self, write: Callable[[Any], str]) -> None:
        super().__init__()
        self.write = write

    def __missing__(self, key: Any) -> str:
        text = self.write(key)
        if len(self) < MEMO_ROOM:
            self[key] = text
        return text


def json_id(value: int | None) -> str:
    """Return an id as JSON: the number, or null."""
    return "null" if value is None else str(int(value))


def json_text(value: str | None) -> str:
    """Return ``value`` as the JSON encoder writes it (its own escaping when ensure_ascii is off)."""
    return "null" if value is None else encode_string(value)


def json_day(value: dt.date | None) -> str:
    """Return ``value`` as a quoted ISO date, or null."""
    return "null" if value is None else f'"{value.isoformat()}"'
