"""Appending to the history: ``NewEvent`` and ``append``, which chains, signs and inserts in bulk."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from ledger import keys
from ledger.chain import GENESIS, sign_head

from .canonical import DATE_KEYS, ROW_TEXT, Memo, chain_name, day, instant, json_day, json_id, json_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from agencies.models import Agency

    from ..models import Directive


class EventContent(TypedDict, total=False):
    """What an event says besides its kind, directive, time, actor and agency (``NewEvent.of``)."""

    old_status: str
    new_status: str
    note: str
    evidence_url: str
    completed_on: dt.date | None
    old_forecast_on: dt.date | None
    new_forecast_on: dt.date | None
    old_due_on: dt.date | None
    new_due_on: dt.date | None


# COPY's text format: a backslash escapes, a tab ends a value, a newline a row.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _copy_value(value: int | dt.date | None) -> str:
    """Return an id, a date or an instant as COPY's text format reads it (``\\N`` for NULL)."""
    if value is None:
        return "\\N"
    return value.isoformat() if isinstance(value, dt.date) else str(int(value))


@dataclass(slots=True)
class Texts:
    """What one append writes of each value, worked out once per value (``canonical.Memo``): as JSON
    in the events' canonical texts, and as COPY's text format in the rows sent to PostgreSQL."""

    json_id: Memo = field(default_factory=lambda: Memo(json_id))
    json_text: Memo = field(default_factory=lambda: Memo(json_text))
    json_day: Memo = field(default_factory=lambda: Memo(json_day))
    json_instant: Memo = field(default_factory=lambda: Memo(instant))  # the canonical UTC instant
    copy_text: Memo = field(default_factory=lambda: Memo(_copy_text))
    copy_value: Memo = field(default_factory=lambda: Memo(_copy_value))  # ids, dates, instants, NULL


@dataclass(slots=True)
class NewEvent:
    """An event to append: its content, before the chain gives it a seq, a prev_hash and a hash.

    ``id`` and the signature's fields are set only by a restore, which keeps those of the backup.
    """

    directive_id: int
    order_id: int
    directive_ref: str
    kind: str
    created: dt.datetime
    old_status: str = ""
    new_status: str = ""
    note: str = ""
    evidence_url: str = ""
    completed_on: dt.date | None = None
    old_forecast_on: dt.date | None = None
    new_forecast_on: dt.date | None = None
    old_due_on: dt.date | None = None
    new_due_on: dt.date | None = None
    actor_id: int | None = None
    agency_id: int | None = None
    id: int | None = None
    signed_from: int | None = None
    key_id: str = ""
    signature: str = ""

    @classmethod
    def of(
        cls,
        directive: Directive,
        *,
        kind: str,
        created: dt.datetime,
        actor: User | None = None,
        agency: Agency | None = None,
        **content: Unpack[EventContent],
    ) -> NewEvent:
        """Return the event ``kind`` of ``directive`` by ``actor`` acting for ``agency``."""
        return cls(
            directive_id=directive.pk,
            order_id=directive.order_id,
            directive_ref=directive.ref,
            kind=kind,
            created=created,
            actor_id=actor.pk if actor is not None else None,
            agency_id=agency.pk if agency is not None else None,
            **content,
        )

    def canonical_text(
        self, *, order: int, seq: int, prev_hash: str, created: str, texts: Texts | None = None
    ) -> str:
        """Return ``canonical(self.content(...))`` as text, written out directly.

        The same characters as the JSON encoder's (its own string escaping, keys in sorted order),
        at a fraction of the cost for the sweeps' tens of thousands of events; a test holds the two
        equal. ``append`` passes its ``texts``, so that each repeated value is escaped once.
        """
        t = texts if texts is not None else Texts()
        ids, text, days = t.json_id, t.json_text, t.json_day
        return ROW_TEXT % (
            ids[self.actor_id],
            ids[self.agency_id],
            days[self.completed_on],
            created,
            text[self.directive_ref],
            text[self.evidence_url],
            text[self.kind],
            days[self.new_due_on],
            days[self.new_forecast_on],
            text[self.new_status],
            text[self.note],
            days[self.old_due_on],
            days[self.old_forecast_on],
            text[self.old_status],
            int(order),
            prev_hash,
            int(seq),
        )

    def content(self, *, order: int, seq: int, prev_hash: str, created: str) -> dict[str, object]:
        """Return the canonical content at ``seq`` of order number ``order`` (``created`` pre-formatted)."""
        return {
            "order": order,
            "directive": self.directive_ref,
            "kind": self.kind,
            "old_status": self.old_status,
            "new_status": self.new_status,
            "note": self.note,
            "evidence_url": self.evidence_url,
            "completed_on": day(self.completed_on),
            "old_forecast_on": day(self.old_forecast_on),
            "new_forecast_on": day(self.new_forecast_on),
            "old_due_on": day(self.old_due_on),
            "new_due_on": day(self.new_due_on),
            "actor": self.actor_id,
            "agency": self.agency_id,
            "created": created,
            "seq": seq,
            "prev_hash": prev_hash,
        }


# The events table's columns as ``append`` writes them (the id comes first, drawn or given).
COLUMNS = (
    "directive_id", "order_id", "seq", "kind", "old_status", "new_status", "note", "evidence_url",
    *DATE_KEYS, "actor_id", "agency_id", "created", "prev_hash", "hash", "signed_from", "key_id",
    "signature",
)  # fmt: skip
Row = tuple[Any, ...]  # one row of COLUMNS
_ROWS_PER_INSERT = 1000  # outside PostgreSQL; the backend's parameter limit may lower it
_COPY_CHUNK = 64 * 1024  # characters of COPY's text handed on at a time
_UNSIGNED: tuple[int | None, str, str] = (None, "", "")  # signed_from, key_id, signature


def append(events: Sequence[NewEvent]) -> list[int]:
    """Chain ``events`` onto the end of their orders' chains, in the given order; return their ids.

    Locks the orders' rows (ascending id) for the rest of the caller's transaction, reads each chain's
    head after the lock is held, hashes in Python, signs each order's newest new event, and inserts
    in bulk. Call it inside the transaction that makes the change the events record, after locking
    the directives. A restore (events with ids) keeps the signatures it is given instead of signing.
    """
    from ..models import DirectiveEvent, Order

    if not events:
        return []
    with_ids = events[0].id is not None
    if any((e.id is not None) != with_ids for e in events):
        raise ValueError("append: give every event an id (a restore) or none")
    with transaction.atomic():
        order_ids = sorted({e.order_id for e in events})
        # FOR NO KEY UPDATE: serialises appends to an order without blocking inserts that merely
        # reference it (a foreign key check takes KEY SHARE).
        numbers = dict(
            Order.objects.select_for_update(no_key=True)
            .filter(pk__in=order_ids)
            .order_by("pk")
            .values_list("pk", "number")
        )
        # A separate statement, so that on PostgreSQL it reads what was committed while it waited
        # for the lock (one statement's snapshot is taken before its wait).
        newest = DirectiveEvent.objects.filter(order_id=OuterRef("pk")).order_by("-seq")
        heads: dict[int, tuple[int, str, dt.datetime | None]] = {
            pk: (seq or 0, head or GENESIS, created)
            for pk, seq, head, created in Order.objects.filter(pk__in=order_ids)
            .order_by()
            .values_list(
                "pk",
                Subquery(newest.values("seq")[:1]),
                Subquery(newest.values("hash")[:1]),
                Subquery(newest.values("created")[:1]),
            )
        }
        texts = Texts()
        chained = _chained(events, heads, numbers, texts, sign=not with_ids)
        ids = [e.id for e in events if e.id is not None] if with_ids else None  # all or none (above)
        if connection.vendor == "postgresql":
            return _copy(chained, len(events), ids, texts)
        rows = [row for _, row in sorted(chained, key=lambda indexed: indexed[0])]
        return _insert(rows, ids)


def _chained(
    events: Sequence[NewEvent],
    heads: dict[int, tuple[int, str, dt.datetime | None]],
    numbers: dict[int, int],
    texts: Texts,
    *,
    sign: bool,
) -> Iterator[tuple[int, Row]]:
    """Yield each event's row (``COLUMNS``) with its index in ``events``, chained onto ``heads``.

    With ``sign``, each order's newest row is held back until the last event has been seen, then
    yielded signed (``sign_head``, from the seq of the order's first event here); the others come
    as they are chained, so that ``_copy`` sends them while the rest are hashed. Without it (a
    restore) every row keeps the signature it was given, in order.
    """
    first_seq = {pk: seq + 1 for pk, (seq, _, _) in heads.items()}
    instants = texts.json_instant
    held: dict[int, tuple[int, Row]] = {}  # order id -> its newest row so far, to be signed
    for index, e in enumerate(events):
        seq, prev_hash, head_created = heads[e.order_id]
        seq += 1
        created = e.created if head_created is None or e.created >= head_created else head_created
        order = numbers[e.order_id]
        text = e.canonical_text(
            order=order, seq=seq, prev_hash=prev_hash, created=instants[created], texts=texts
        )
        event_hash = hashlib.sha256(text.encode()).hexdigest()
        heads[e.order_id] = (seq, event_hash, created)
        signed = _UNSIGNED if sign else (e.signed_from, e.key_id, e.signature)
        row = (
            e.directive_id, e.order_id, seq, e.kind, e.old_status, e.new_status, e.note, e.evidence_url,
            e.completed_on, e.old_forecast_on, e.new_forecast_on, e.old_due_on, e.new_due_on, e.actor_id,
            e.agency_id, created, prev_hash, event_hash, *signed,
        )  # fmt: skip
        if not sign:
            yield index, row
            continue
        older = held.get(e.order_id)
        held[e.order_id] = (index, row)
        if older is not None:
            yield older
    if held:
        ring = keys.keyring()
        for order_id, (index, row) in held.items():
            first = first_seq[order_id]
            key_id, signature = sign_head(ring, chain_name(numbers[order_id]), first, row[2], row[17])
            yield index, (*row[:18], first, key_id, signature)


class _Stream(io.TextIOBase):
    """A file COPY reads from, whose text is written as it is read: from ``lines``, in chunks."""

    def __init__(self, lines: Iterator[str]) -> None:
        super().__init__()
        self._lines = lines
        self._rest = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        parts, length = [self._rest], len(self._rest)
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if size is not None and 0 <= size <= length:
                break
        text = "".join(parts)
        if size is None or size < 0 or len(text) <= size:
            self._rest = ""
            return text
        self._rest = text[size:]
        return text[:size]


def _copy(chained: Iterator[tuple[int, Row]], count: int, ids: list[int] | None, texts: Texts) -> list[int]:
    """Insert the ``count`` rows ``chained`` yields with COPY, the ids drawn from the table's sequence
    first (the ``index``-th event gets the ``index``-th id).

    COPY has no RETURNING, hence the ids taken beforehand. Measured on the 53,932 events of the
    overdue sweep benchmark, it takes half the time of multi-row INSERT statements (bench/sweep.py).
    The rows are hashed and written out while PostgreSQL reads the ones before them (``_Stream``),
    so that its work overlaps the chain's in Python.
    """
    from ..models import DirectiveEvent

    table = DirectiveEvent._meta.db_table
    with connection.cursor() as cursor:
        if ids is None:
            # The sequence's name found once (a subquery, run once as an InitPlan), not per row: for the
            # sweep's 39,128 ids, 0.04 to 0.08 s instead of 0.12 to 0.47 s (measured in psql).
            cursor.execute(
                "SELECT nextval((SELECT pg_get_serial_sequence(%s, 'id'))::regclass) "
                "FROM generate_series(1, %s)",
                [table, count],
            )
            ids = sorted(pk for (pk,) in cursor.fetchall())
        given = ids
        lines = (_copy_line(given[index], row, texts) for index, row in chained)
        qn = connection.ops.quote_name
        names = ", ".join(qn(c) for c in ("id", *COLUMNS))
        # The chunk's size by position: Django's debug cursor passes on no keyword arguments.
        cursor.copy_expert(f"COPY {qn(table)} ({names}) FROM STDIN", _Stream(lines), _COPY_CHUNK)
    return ids


def _copy_line(pk: int, row: Row, texts: Texts) -> str:
    """Return one row of ``COLUMNS``, after its id, as a line of COPY's text format.

    Written out column by column, each repeated value's text looked up (``texts``): a generic
    per-value conversion was most of the sweep's Python time. Kinds, statuses, hashes, key ids and
    base64 signatures are from fixed alphabets, so only the note and the link need escaping.
    """
    (directive_id, order_id, seq, kind, old_status, new_status, note, evidence_url, completed_on,
     old_forecast_on, new_forecast_on, old_due_on, new_due_on, actor_id, agency_id, created, prev_hash,
     event_hash, signed_from, key_id, signature) = row  # fmt: skip
    text, value = texts.copy_text, texts.copy_value
    return (
        f"{pk}\t{directive_id}\t{order_id}\t{seq}\t{kind}\t{old_status}\t{new_status}\t{text[note]}\t"
        f"{text[evidence_url]}\t{value[completed_on]}\t{value[old_forecast_on]}\t{value[new_forecast_on]}\t"
        f"{value[old_due_on]}\t{value[new_due_on]}\t{value[actor_id]}\t{value[agency_id]}\t"
        f"{value[created]}\t{prev_hash}\t{event_hash}\t{value[signed_from]}\t{key_id}\t{signature}\n"
    )


def _insert(rows: list[Row], ids: list[int] | None) -> list[int]:
    """Insert ``rows`` (``COLUMNS``) in multi-row statements; return the new ids in order."""
    from ..models import DirectiveEvent

    ops = connection.ops
    adapted: dict[dt.date, Any] = {}  # dates and instants repeat within a batch: adapt each once

    def adapt(value: Any) -> Any:
        if isinstance(value, dt.date):
            if value not in adapted:
                if isinstance(value, dt.datetime):
                    adapted[value] = ops.adapt_datetimefield_value(value)
                else:
                    adapted[value] = ops.adapt_datefield_value(value)
            return adapted[value]
        return value

    columns = ("id", *COLUMNS) if ids is not None else COLUMNS
    qn = ops.quote_name
    table = qn(DirectiveEvent._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = _ROWS_PER_INSERT
    if connection.features.max_query_params:
        per_statement = min(per_statement, connection.features.max_query_params // len(columns))
    new_ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            if ids is not None:
                given = ids[start : start + per_statement]
                batch = [(pk, *row) for pk, row in zip(given, batch, strict=True)]
            # Names come from the model; every value is bound.
            sql = (
                f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(batch))} "  # noqa: S608
                f"RETURNING {qn('id')}"
            )
            cursor.execute(sql, [adapt(value) for row in batch for value in row])
            new_ids += [pk for (pk,) in cursor.fetchall()]
    return new_ids
