"""Verifying the history: ``ChainChecker`` (pure, over records in chain order), ``stored_events`` (the
database's records, streamed) and ``verify``, which checks the database's rows (``reading``) as they
come."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, models, transaction

from ledger import keys
from ledger.chain import GENESIS, SignedAppends, encode_string

from .canonical import ROW_TEXT, Memo, Record, chain_name, digest, record_text
from .reading import MISSING, RECORD_KEYS, Row, Source, read_events


class Mismatch(models.TextChoices):
    CONTENT_CHANGED = "content_changed", "content changed"
    LINK_BROKEN = "link_broken", "link broken"
    MISSING_SEQ = "missing_seq", "missing seq"
    SIGNATURE = "signature", "not signed by the key"
    TIME_BACKWARDS = "time_backwards", "dated before the event it follows"


@dataclass(frozen=True)
class ChainError:
    """The first event of a chain that does not match, and how."""

    mismatch: Mismatch
    event_id: int | None
    order: int
    seq: int
    directive: str
    kind: str
    created: str
    detail: str

    def describe(self) -> str:
        return (
            f"event {self.event_id} (EO {self.order}, seq {self.seq}, directive {self.directive}, "
            f"kind {self.kind}, created {self.created}): {self.mismatch.label}: {self.detail}"
        )


def _fast_digest(record: Record) -> str:
    return hashlib.sha256(record_text(record).encode()).hexdigest()


class ChainChecker:
    """Check events fed in chain order (by order, then seq), remembering only each chain's last link.

    Pure: it reads records shaped like the export's event lines (``CONTENT_KEYS`` plus ``id``,
    ``hash``, ``signed_from``, ``key_id`` and ``signature``), wherever they come from. ``trusted``
    records (read from the database, typed by its columns) are hashed by the fast writer; others
    (a backup file) by the JSON encoder itself. Call :meth:`finish` after the last record.
    """

    def __init__(self, *, trusted_types: bool = False) -> None:
        self.orders = 0
        self.events = 0
        self._order: object = None
        self._last: Record | None = None
        self._signed: SignedAppends | None = None
        self._first_unsigned: Record | None = None
        self._keyring = keys.keyring()
        self._digest = _fast_digest if trusted_types else digest

    def check(self, record: Record) -> ChainError | None:
        """Check the next event; return what does not match, or None."""
        if record["order"] != self._order:
            error = self._end_of_chain()
            if error is not None:
                return error
            self._order, self._last = record["order"], None
            self._signed = SignedAppends(chain_name(record["order"]), self._keyring)
            self.orders += 1
        self.events += 1
        last = self._last
        self._last = record
        expected_seq = 1 if last is None else int(last["seq"]) + 1
        seq = record["seq"]
        if seq != expected_seq:
            if last is None:
                detail = f"the chain starts at seq {seq}: {_missing(1, seq - 1)}"
            else:
                after = f"seq {seq} follows seq {last['seq']} (event {last['id']})"
                if isinstance(seq, int) and seq > expected_seq:
                    detail = f"{after}: {_missing(expected_seq, seq - 1)}"
                else:
                    detail = f"{after}: expected {expected_seq}"
            return chain_error(Mismatch.MISSING_SEQ, record, detail)
        expected_prev = GENESIS if last is None else last["hash"]
        if record["prev_hash"] != expected_prev:
            before = "the chain's start" if last is None else f"seq {last['seq']} (event {last['id']})"
            return chain_error(
                Mismatch.LINK_BROKEN,
                record,
                f"its prev_hash {record['prev_hash']} is not the hash of {before}, {expected_prev}: "
                "the event before it was changed and re-hashed, or the chain was renumbered",
            )
        recomputed = self._digest(record)
        if record["hash"] != recomputed:
            return chain_error(
                Mismatch.CONTENT_CHANGED,
                record,
                f"its stored hash {record['hash']} does not match its content (recomputed {recomputed})",
            )
        if last is not None and str(record["created"]) < str(last["created"]):
            return chain_error(
                Mismatch.TIME_BACKWARDS,
                record,
                f"it is dated {record['created']}, before seq {last['seq']} (event {last['id']}, "
                f"{last['created']})",
            )
        signed = self._signed
        assert signed is not None  # noqa: S101 - set with the chain above
        signature = record["signature"]
        if not signature:
            if signed.next_from == seq:
                self._first_unsigned = record
            if record["signed_from"] is None and not record["key_id"]:
                return None  # one of an append's earlier events: its newest vouches for it
        problem = signed.check(
            seq,
            str(record["hash"]),
            record["signed_from"],
            str(record["key_id"]),
            str(signature),
        )
        if problem is not None:
            return chain_error(Mismatch.SIGNATURE, record, problem)
        return None

    def finish(self) -> ChainError | None:
        """Return what is wrong with the end of the last chain fed (its newest events unsigned), or None."""
        return self._end_of_chain()

    def _end_of_chain(self) -> ChainError | None:
        if self._last is None or self._signed is None:
            return None
        tail = self._signed.unsigned_tail(int(self._last["seq"]))
        if tail is None:
            return None
        return chain_error(Mismatch.SIGNATURE, self._first_unsigned or self._last, tail)


def _missing(first: int, last: int) -> str:
    return f"seq {first} is missing" if first == last else f"seq {first} to {last} are missing"


def chain_error(mismatch: Mismatch, record: Record, detail: str) -> ChainError:
    """Return the error naming the event ``record``."""
    return ChainError(
        mismatch=mismatch,
        event_id=record.get("id"),
        order=record["order"],
        seq=record["seq"],
        directive=str(record["directive"]),
        kind=str(record["kind"]),
        created=str(record["created"]),
        detail=detail,
    )


class Stored(NamedTuple):
    """A stored event: its record (the export's event line), its directive's id and order number."""

    record: dict[str, Any]  # a Record
    directive_id: int
    directive_order: int | None  # None when the event's directive is not in the table


_DIRECTIVE, _SEQ = RECORD_KEYS.index("directive"), RECORD_KEYS.index("seq")  # in a row


def stored_events(order_number: int | None = None, *, read_ahead: bool = False) -> Iterator[Stored]:
    """Yield each stored event in chain order.

    With ``read_ahead`` (on PostgreSQL), a thread fetches the next rows while the caller works on the
    last: the caller must not use the database connection until it is done with the events.

    A record has the canonical ``CONTENT_KEYS`` (the order is the one the event is chained in), then
    ``id``, ``hash`` and the ``SIGNATURE_KEYS``: the shape of an event line of ``export_history``.
    The query reads the events table alone, walking the (order, seq) index, and streams, so it holds
    one chunk at a time however long the history; refs and order numbers come from two small maps.
    """
    source = read_events(order_number, read_ahead=read_ahead)
    record, get_ref, new = source.record, source.refs.get, tuple.__new__
    try:
        for row in source.rows:
            # tuple.__new__ directly: the named tuple's own __new__ is one more Python call per event.
            yield new(Stored, (record(row), row[_DIRECTIVE], get_ref(row[_DIRECTIVE], MISSING)[1]))
    finally:
        source.close()


@dataclass(frozen=True)
class VerifyReport:
    orders: int
    events: int
    error: ChainError | None

    @property
    def ok(self) -> bool:
        return self.error is None


def verify(order_number: int | None = None, *, on_event: Callable[[Row], None] | None = None) -> VerifyReport:
    """Check every order's chain (or one order's) and return the counts and the first mismatch.

    ``on_event`` sees every event that passed, as its row (``directives/history/proof.py`` replays
    them). The rows are checked as they come, without a record each: the canonical text is written
    from the row (``canonical.ROW_TEXT``), the links, seq, time and the signed appends checked on its
    values.
    At the first row that fails any of these, ``ChainChecker`` checks its record again from the same
    state, and its error is the one reported: the same words as a backup's check.
    """
    with one_snapshot(), collector_paused():
        # Read ahead: nothing below uses the connection until the events are all read.
        source = read_events(order_number, read_ahead=True)
        try:
            return _check_rows(source, on_event)
        finally:
            source.close()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the record is checked, and restore it after.

    The checks make no reference cycles (rows, texts, each directive's replayed state), so a
    collection finds nothing to free; but with a state per directive kept (100,000 in the benchmark)
    each walked them all again, about a tenth of a second of a run. Memory is freed as ever, by
    reference counts. ``proof.verify`` pauses it for the whole proof.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_rows(source: Source, on_event: Callable[[Row], None] | None) -> VerifyReport:
    # Each directive's ref as a JSON string, escaped once, not once an event; and its order's number.
    refs = {pk: (encode_string(ref), number) for pk, (ref, number) in source.refs.items()}
    get_ref, get_number, keyring = refs.get, source.orders.get, keys.keyring()
    sha256, text, escape, encoded = hashlib.sha256, ROW_TEXT, encode_string, Memo(encode_string)
    orders = events = 0
    current: object = None  # the id of the order whose chain is being read
    number: Any = None  # its number (None for an order not in its table, as a record says)
    signed = SignedAppends("", keyring)
    last: Row | None = None  # the chain's event before
    first_unsigned: Row | None = None
    expected_seq, last_hash, last_created = 1, GENESIS, ""
    for row in source.rows:
        (order_id, directive_id, kind, old_status, new_status, note, evidence_url, c, of, nf, od, nd, actor,
         agency, created, seq, prev_hash, _, event_hash, signed_from, key_id, signature) = row  # fmt: skip
        if order_id != current:
            if last is not None and (tail := signed.unsigned_tail(last[_SEQ])) is not None:
                error = chain_error(Mismatch.SIGNATURE, source.record(first_unsigned or last), tail)
                return VerifyReport(orders=orders, events=events, error=error)
            current, number = order_id, get_number(order_id)
            signed = SignedAppends(chain_name(number), keyring)
            last, first_unsigned, expected_seq, last_hash, last_created = None, None, 1, GENESIS, ""
            orders += 1
        events += 1
        ref_json, directive_order = get_ref(directive_id, MISSING)
        # The link before the hash: prev_hash goes into the text unescaped, which holds only once it is
        # the hash before it (hex digits). The text is canonical(record) (ROW_TEXT), written inline.
        if (
            seq != expected_seq
            or prev_hash != last_hash
            or created < last_created
            or directive_order != number
            or event_hash
            != sha256(
                (
                    text
                    % (
                        "null" if actor is None else actor,
                        "null" if agency is None else agency,
                        "null" if c is None else f'"{c}"',
                        created,
                        ref_json,
                        escape(evidence_url) if evidence_url else '""',
                        encoded[kind],
                        "null" if nd is None else f'"{nd}"',
                        "null" if nf is None else f'"{nf}"',
                        encoded[new_status],
                        escape(note),
                        "null" if od is None else f'"{od}"',
                        "null" if of is None else f'"{of}"',
                        encoded[old_status],
                        number,
                        prev_hash,
                        seq,
                    )
                ).encode()
            ).hexdigest()
        ):
            error = _explain(source, row, last, first_unsigned, signed)
            return VerifyReport(orders=orders, events=events, error=error)
        if signature or signed_from is not None or key_id:
            problem = signed.check(seq, str(event_hash), signed_from, str(key_id), str(signature))
            if problem is not None:
                error = chain_error(Mismatch.SIGNATURE, source.record(row), problem)
                return VerifyReport(orders=orders, events=events, error=error)
        elif signed.next_from == seq:
            first_unsigned = row
        last, expected_seq, last_hash, last_created = row, seq + 1, event_hash, created
        if on_event is not None:
            on_event(row)
    tail = None if last is None else signed.unsigned_tail(last[_SEQ])
    if tail is None:
        return VerifyReport(orders=orders, events=events, error=None)
    assert last is not None  # noqa: S101 - a tail is of a chain read
    error = chain_error(Mismatch.SIGNATURE, source.record(first_unsigned or last), tail)
    return VerifyReport(orders=orders, events=events, error=error)


def _explain(
    source: Source, row: Row, last: Row | None, first_unsigned: Row | None, signed: SignedAppends
) -> ChainError:
    """Return the error of the event ``row``, which failed its row's check, in its record's check's words.

    ``ChainChecker`` is put in the state the rows' check was in (the chain's event before, its signed
    appends) and checks the record; when it finds nothing (the canonical text both write differs:
    a fault of this code, which tests hold against), the event is reported changed all the same.
    """
    record = source.record(row)
    checker = ChainChecker(trusted_types=True)
    checker._order, checker._signed = record["order"], signed
    checker._last = None if last is None else source.record(last)
    checker._first_unsigned = None if first_unsigned is None else source.record(first_unsigned)
    error = checker.check(record)
    if error is not None:
        return error
    directive_order = source.refs.get(row[_DIRECTIVE], MISSING)[1]
    if directive_order != record["order"]:
        return chain_error(
            Mismatch.CONTENT_CHANGED,
            record,
            f"its directive belongs to EO {directive_order}, but the event is chained in "
            f"EO {record['order']}",
        )
    return chain_error(  # pragma: no cover - the two canonical texts are held equal by tests
        Mismatch.CONTENT_CHANGED, record, "its row's canonical text does not match its record's"
    )


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Read what follows in one transaction, at one snapshot of the database (REPEATABLE READ).

    What a proof compares (the events, the directives they replay to, the files, the access log)
    is then read as of one instant: a write landing between two of its queries cannot make them
    disagree. And the events stream through a plain server-side cursor: outside a transaction Django
    declares it WITH HOLD, which has PostgreSQL copy the whole result (half a million events) before
    the first row comes back. Inside a transaction already (the caller's, a test's), it reads in that
    one, at the isolation the caller chose.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def check_records(records: Iterable[Record]) -> tuple[ChainChecker, ChainError | None]:
    """Check records already in chain order (e.g. a backup's); return the checker and the first error."""
    checker = ChainChecker()
    for record in records:
        error = checker.check(record)
        if error is not None:
            return checker, error
    return checker, checker.finish()
