"""The tamper-evident history: each order's events form a SHA-256 hash chain, signed at every append.

Every event of an order gets the next ``seq`` (1, 2, 3 ...) of that order and stores ``prev_hash``,
the ``hash`` of the order's event with the seq before (64 zeros for seq 1), and its own ``hash``:
the SHA-256, in lowercase hex, of the UTF-8 bytes of this JSON object (the *canonical form*)::

    {"actor": 42,                     # the actor's user id; null for the system
     "agency": 7,                     # id of the agency acted for, or null
     "completed_on": null,            # dates as "YYYY-MM-DD", or null
     "created": "2026-07-01T14:03:09.125000Z",   # UTC, always six fractional digits and a Z
     "directive": "2(c)(ii)",         # the directive's ref
     "evidence_url": "",              # text fields as stored, "" when empty
     "kind": "status_changed",
     "new_due_on": null, "new_forecast_on": null, "new_status": "in_progress",
     "note": "BOD drafted.",
     "old_due_on": null, "old_forecast_on": null, "old_status": "not_started",
     "order": 14409,                  # the executive order's number
     "prev_hash": "…64 hex digits…",
     "seq": 7}

serialised with the keys sorted, no whitespace and non-ASCII characters left as they are: exactly
``json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``. People and
agencies are ids, which never change: an administrator may rename a user or an agency (the access
log records it, ``ledger/audit.py``) and no hash changes. Migration 0009 re-chained the events written
before in this form (docs/history-proof.md says why).

**Signed appends.** Each call of :func:`append` signs, for each order it touches, its newest event
with the Ed25519 key of ``ledger/keys.py``: ``signed_from`` (the seq of the call's first event of that
order), ``key_id`` and ``signature`` over ``"orderctl-head\norder:<number>\n<signed_from>\n<seq>\n
<hash>"`` (``ledger.chain.head_message``). The database does not hold the key, so whoever can write to
it can re-hash an edited chain but not sign it; the signed appends must tile each chain without a gap.

**Time.** An event is never dated before the one it follows: ``created`` is the later of the
action's clock and the chain head's (the clock is read before the lock is held, and a writer that
waited for it appends after one that read the clock later).

The event lines of ``export_history``'s file carry these keys under these names, so an auditor can
check a backup with the standard library and ``cryptography`` for the signatures (docs/history-proof.md)::

    import hashlib, json
    KEYS = ("order", "directive", "kind", "old_status", "new_status", "note", "evidence_url",
            "completed_on", "old_forecast_on", "new_forecast_on", "old_due_on", "new_due_on",
            "actor", "agency", "created", "seq", "prev_hash")
    def event_hash(line: dict) -> str:
        text = json.dumps({k: line[k] for k in KEYS}, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()
    # each event: event_hash(e) == e["hash"], and e["prev_hash"] is the hash of the order's seq - 1.

What the chain proves: an event whose content was edited no longer matches its hash; an event
re-hashed after an edit breaks the next event's link, or, re-hashed to the end, the signatures; a
removed event leaves a gap in ``seq``; events added without the key are not covered by a signature.
Events removed from the end of a chain leave no trace in what stays: signed checkpoints kept outside
the database catch that (``ledger/checkpoints.py``, ``directives/proof.py``).

Appends for one order are serialised by a lock on the order's row (on SQLite, by the IMMEDIATE
transaction), taken after the directive rows, as every writer takes them, so that a sweep and an
update never wait for each other in opposite orders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery

from ledger import keys
from ledger.chain import GENESIS, SignedAppends, encode_string, sign_head
from ledger.chain import encode as _encode

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from agencies.models import Agency

    from .models import Directive

DATE_KEYS = ("completed_on", "old_forecast_on", "new_forecast_on", "old_due_on", "new_due_on")
# The canonical content, in the order the docstring explains it (serialised with the keys sorted).
CONTENT_KEYS = (
    "order", "directive", "kind", "old_status", "new_status", "note", "evidence_url", *DATE_KEYS,
    "actor", "agency", "created", "seq", "prev_hash",
)  # fmt: skip


# --- The canonical form (pure) ------------------------------------------------------------------------


def instant(value: dt.datetime) -> str:
    """Return ``value`` (aware) as the canonical UTC instant, e.g. ``2026-07-03T04:00:00.000000Z``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# The encoder's own escaping of one string when ensure_ascii is off (NewEvent.canonical_text uses it).
_encode_string = encode_string
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


def record_text(r: Mapping[str, object]) -> str:
    """Return ``canonical(r)`` as text for a record read from the database, written out directly.

    The values must have the types a stored record has (ids as int or None, dates as text or None);
    a test holds it equal to the JSON encoder's output, character for character.
    """
    return (
        f'{{"actor":{_id(r["actor"])},"agency":{_id(r["agency"])},'
        f'"completed_on":{_opt(r["completed_on"])},"created":"{r["created"]}",'
        f'"directive":{_encode_string(r["directive"])},"evidence_url":{_encode_string(r["evidence_url"])},'
        f'"kind":{_encode_string(r["kind"])},"new_due_on":{_opt(r["new_due_on"])},'
        f'"new_forecast_on":{_opt(r["new_forecast_on"])},"new_status":{_encode_string(r["new_status"])},'
        f'"note":{_encode_string(r["note"])},"old_due_on":{_opt(r["old_due_on"])},'
        f'"old_forecast_on":{_opt(r["old_forecast_on"])},"old_status":{_encode_string(r["old_status"])},'
        f'"order":{int(r["order"])},"prev_hash":"{r["prev_hash"]}","seq":{int(r["seq"])}}}'  # type: ignore[call-overload]
    )


def _id(value: object) -> str:
    return "null" if value is None else str(int(value))  # type: ignore[call-overload]


def _opt(value: object) -> str:
    return "null" if value is None else f'"{value}"'


def _fast_digest(record: Mapping[str, object]) -> str:
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
        self._last: Mapping[str, object] | None = None
        self._signed: SignedAppends | None = None
        self._first_unsigned: Mapping[str, object] | None = None
        self._keyring = keys.keyring()
        self._digest = _fast_digest if trusted_types else digest
        self.heads: dict[object, Mapping[str, object]] = {}  # order number -> its newest record

    def check(self, record: Mapping[str, object]) -> ChainError | None:
        """Check the next event; return what does not match, or None."""
        if record["order"] != self._order:
            error = self._end_of_chain()
            if error is not None:
                return error
            self._order, self._last = record["order"], None
            self._signed = SignedAppends(chain_name(record["order"]), self._keyring)  # type: ignore[arg-type]
            self.orders += 1
        self.events += 1
        last = self._last
        self._last = record
        self.heads[record["order"]] = record
        expected_seq = 1 if last is None else int(last["seq"]) + 1  # type: ignore[call-overload]
        seq = record["seq"]
        if seq != expected_seq:
            if last is None:
                detail = f"the chain starts at seq {seq}: {_missing(1, seq - 1)}"  # type: ignore[operator]
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
        if signed.next_from == seq and not record["signature"]:
            self._first_unsigned = record
        problem = signed.check(
            seq,  # type: ignore[arg-type]
            str(record["hash"]),
            record["signed_from"],  # type: ignore[arg-type]
            str(record["key_id"]),
            str(record["signature"]),
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
        tail = self._signed.unsigned_tail(int(self._last["seq"]))  # type: ignore[call-overload]
        if tail is None:
            return None
        return chain_error(Mismatch.SIGNATURE, self._first_unsigned or self._last, tail)


def _missing(first: int, last: int) -> str:
    return f"seq {first} is missing" if first == last else f"seq {first} to {last} are missing"


def chain_error(mismatch: Mismatch, record: Mapping[str, object], detail: str) -> ChainError:
    """Return the error naming the event ``record``."""
    return ChainError(
        mismatch=mismatch,
        event_id=record.get("id"),  # type: ignore[arg-type]
        order=record["order"],  # type: ignore[arg-type]
        seq=record["seq"],  # type: ignore[arg-type]
        directive=str(record["directive"]),
        kind=str(record["kind"]),
        created=str(record["created"]),
        detail=detail,
    )


# --- Appending ----------------------------------------------------------------------------------------


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
        **content: object,
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
            **content,  # type: ignore[arg-type]
        )

    def canonical_text(self, *, order: int, seq: int, prev_hash: str, created: str) -> str:
        """Return ``canonical(self.content(...))`` as text, written out directly.

        The same characters as the JSON encoder's (its own string escaping, keys in sorted order),
        at a fraction of the cost for the sweeps' tens of thousands of events; a test holds the two
        equal.
        """
        return (
            f'{{"actor":{_id(self.actor_id)},"agency":{_id(self.agency_id)},'
            f'"completed_on":{_day(self.completed_on)},"created":"{created}",'
            f'"directive":{_text(self.directive_ref)},"evidence_url":{_text(self.evidence_url)},'
            f'"kind":{_text(self.kind)},"new_due_on":{_day(self.new_due_on)},'
            f'"new_forecast_on":{_day(self.new_forecast_on)},"new_status":{_text(self.new_status)},'
            f'"note":{_text(self.note)},"old_due_on":{_day(self.old_due_on)},'
            f'"old_forecast_on":{_day(self.old_forecast_on)},"old_status":{_text(self.old_status)},'
            f'"order":{int(order)},"prev_hash":"{prev_hash}","seq":{int(seq)}}}'
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


def _text(value: str | None) -> str:
    return "null" if value is None else _encode_string(value)


def _day(value: dt.date | None) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


# The events table's columns as ``append`` writes them (the id comes first, drawn or given).
COLUMNS = (
    "directive_id", "order_id", "seq", "kind", "old_status", "new_status", "note", "evidence_url",
    *DATE_KEYS, "actor_id", "agency_id", "created", "prev_hash", "hash", "signed_from", "key_id",
    "signature",
)  # fmt: skip
_ROWS_PER_INSERT = 1000  # outside PostgreSQL; the backend's parameter limit may lower it


def append(events: Sequence[NewEvent]) -> list[int]:
    """Chain ``events`` onto the end of their orders' chains, in the given order; return their ids.

    Locks the orders' rows (ascending id) for the rest of the caller's transaction, reads each chain's
    head after the lock is held, hashes in Python, signs each order's newest new event, and inserts
    in bulk. Call it inside the transaction that makes the change the events record, after locking
    the directives. A restore (events with ids) keeps the signatures it is given instead of signing.
    """
    from .models import DirectiveEvent, Order

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
        first_seq = {pk: seq + 1 for pk, (seq, _, _) in heads.items()}
        instants: dict[dt.datetime, str] = {}
        rows = []
        last_row: dict[int, int] = {}  # order id -> index of its newest row in this append
        for e in events:
            seq, prev_hash, head_created = heads[e.order_id]
            seq += 1
            created = e.created if head_created is None or e.created >= head_created else head_created
            if created not in instants:
                instants[created] = instant(created)
            text = e.canonical_text(
                order=numbers[e.order_id], seq=seq, prev_hash=prev_hash, created=instants[created]
            )
            event_hash = hashlib.sha256(text.encode()).hexdigest()
            heads[e.order_id] = (seq, event_hash, created)
            last_row[e.order_id] = len(rows)
            signature = (e.signed_from, e.key_id, e.signature) if with_ids else (None, "", "")
            rows.append(
                (
                    e.directive_id, e.order_id, seq, e.kind, e.old_status, e.new_status, e.note,
                    e.evidence_url, e.completed_on, e.old_forecast_on, e.new_forecast_on, e.old_due_on,
                    e.new_due_on, e.actor_id, e.agency_id, created, prev_hash, event_hash, *signature,
                )
            )  # fmt: skip
        if not with_ids:
            ring = keys.keyring()
            for order_id, index in last_row.items():
                row = rows[index]
                key_id, signature = sign_head(
                    ring, chain_name(numbers[order_id]), first_seq[order_id], row[2], row[17]
                )
                rows[index] = (*row[:18], first_seq[order_id], key_id, signature)
        ids = [e.id for e in events] if with_ids else None
        if connection.vendor == "postgresql":
            return _copy(rows, ids)  # type: ignore[arg-type]
        return _insert(rows, ids)  # type: ignore[arg-type]


def _copy(rows: list[tuple], ids: list[int] | None) -> list[int]:
    """Insert ``rows`` (``COLUMNS``) with COPY, the ids drawn from the table's sequence first.

    COPY has no RETURNING, hence the ids taken beforehand. Measured on the 53,932 events of the
    overdue sweep benchmark, it takes half the time of multi-row INSERT statements (bench/sweep.py).
    """
    from .models import DirectiveEvent

    table = DirectiveEvent._meta.db_table
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = sorted(pk for (pk,) in cursor.fetchall())
        text = "".join(map(_copy_line, ids, rows))
        qn = connection.ops.quote_name
        names = ", ".join(qn(c) for c in ("id", *COLUMNS))
        cursor.copy_expert(f"COPY {qn(table)} ({names}) FROM STDIN", io.StringIO(text))
    return ids


# COPY's text format: a backslash escapes, a tab ends a value, a newline a row.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(pk: int, row: tuple) -> str:
    """Return one row of ``COLUMNS``, after its id, as a line of COPY's text format.

    Written out column by column: a generic per-value conversion was most of the sweep's Python time.
    Kinds, statuses, hashes, key ids and base64 signatures are from fixed alphabets, so only the note
    and the link need escaping.
    """
    (directive_id, order_id, seq, kind, old_status, new_status, note, evidence_url, *dates, actor_id,
     agency_id, created, prev_hash, event_hash, signed_from, key_id, signature) = row  # fmt: skip
    days = "\t".join("\\N" if d is None else d.isoformat() for d in dates)
    actor = "\\N" if actor_id is None else actor_id
    agency = "\\N" if agency_id is None else agency_id
    signed = "\\N" if signed_from is None else signed_from
    return (
        f"{pk}\t{directive_id}\t{order_id}\t{seq}\t{kind}\t{old_status}\t{new_status}\t"
        f"{note.translate(_COPY_ESCAPES)}\t{evidence_url.translate(_COPY_ESCAPES)}\t{days}\t{actor}\t"
        f"{agency}\t{created.isoformat()}\t{prev_hash}\t{event_hash}\t{signed}\t{key_id}\t{signature}\n"
    )


def _insert(rows: list[tuple], ids: list[int] | None) -> list[int]:
    """Insert ``rows`` (``COLUMNS``) in multi-row statements; return the new ids in order."""
    from .models import DirectiveEvent

    ops = connection.ops
    adapted = {}  # dates and instants repeat within a batch: adapt each once

    def adapt(value: object) -> object:
        if isinstance(value, dt.date):
            if value not in adapted:
                is_instant = isinstance(value, dt.datetime)
                adapt_one = ops.adapt_datetimefield_value if is_instant else ops.adapt_datefield_value
                adapted[value] = adapt_one(value)
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


# --- Reading and verifying ----------------------------------------------------------------------------

SIGNATURE_KEYS = ("signed_from", "key_id", "signature")


class Stored(NamedTuple):
    """A stored event: its record (the export's event line), its directive's id and order number."""

    record: dict[str, object]
    directive_id: int
    directive_order: int


def stored_events(order_number: int | None = None) -> Iterator[Stored]:
    """Yield each stored event in chain order.

    A record has the canonical ``CONTENT_KEYS`` (the order is the one the event is chained in), then
    ``id``, ``hash`` and the ``SIGNATURE_KEYS``: the shape of an event line of ``export_history``.
    The query reads the events table alone, walking the (order, seq) index, and streams, so it holds
    one chunk at a time however long the history; refs and order numbers come from two small maps.
    """
    from .models import Directive, DirectiveEvent, Order

    orders = dict(Order.objects.values_list("id", "number"))
    directives = Directive.objects.all()
    events = DirectiveEvent.objects.all()
    if order_number is not None:
        directives = directives.filter(order__number=order_number)
        events = events.filter(order__number=order_number)
    refs = {
        pk: (ref, orders[order_id]) for pk, ref, order_id in directives.values_list("id", "ref", "order_id")
    }
    fields = (
        "id", "order_id", "seq", "directive_id", "kind", "old_status", "new_status", "note",
        "evidence_url", *DATE_KEYS, "actor_id", "agency_id", "created", "prev_hash", "hash",
        "signed_from", "key_id", "signature",
    )  # fmt: skip
    missing = ("?", None)
    if connection.vendor == "postgresql":
        rows = _pg_rows(events.order_by().values_list("id", flat=True).query if order_number else None)
    else:
        rows = (
            (
                *row[:9],
                *(d and d.isoformat() for d in row[9:14]),
                row[14],
                row[15],
                instant(row[16]),
                *row[17:],
            )
            for row in events.order_by("order_id", "seq").values_list(*fields).iterator(chunk_size=5000)
        )
    for row in rows:
        (pk, order_id, seq, directive_id, kind, old_status, new_status, note, evidence_url, c, of, nf, od,
         nd, actor, agency, created, prev_hash, event_hash, signed_from, key_id, signature) = row  # fmt: skip
        ref, directive_order = refs.get(directive_id, missing)
        record: dict[str, object] = {
            "order": orders.get(order_id),
            "directive": ref,
            "kind": kind,
            "old_status": old_status,
            "new_status": new_status,
            "note": note,
            "evidence_url": evidence_url,
            "completed_on": c,
            "old_forecast_on": of,
            "new_forecast_on": nf,
            "old_due_on": od,
            "new_due_on": nd,
            "actor": actor,
            "agency": agency,
            "created": created,
            "seq": seq,
            "prev_hash": prev_hash,
            "id": pk,
            "hash": event_hash,
            "signed_from": signed_from,
            "key_id": key_id,
            "signature": signature,
        }
        yield Stored(record, directive_id, directive_order)  # type: ignore[arg-type]


def _pg_rows(ids_query: object | None) -> Iterator[tuple]:
    """Stream the events (those of ``ids_query``, or all) in chain order through a server-side cursor.

    PostgreSQL writes the dates and the instant as the canonical text itself (``to_char``), so no
    Python date object is built per event: most of the verification's cost over a plain read was that.
    """
    from .models import DirectiveEvent

    qn = connection.ops.quote_name
    days = ", ".join(f"to_char({qn(k)}, 'YYYY-MM-DD')" for k in DATE_KEYS)
    created = f"""to_char({qn("created")} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    where, params = "", ()
    if ids_query is not None:
        subquery, params = ids_query.sql_with_params()  # type: ignore[attr-defined]
        where = f"WHERE {qn('id')} IN ({subquery})"
    sql = (
        f"SELECT id, order_id, seq, directive_id, kind, old_status, new_status, note, evidence_url, {days}, "  # noqa: S608
        f"actor_id, agency_id, {created}, prev_hash, hash, signed_from, key_id, signature "
        f"FROM {qn(DirectiveEvent._meta.db_table)} {where} ORDER BY order_id, seq"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            yield from batch


@dataclass(frozen=True)
class VerifyReport:
    orders: int
    events: int
    error: ChainError | None

    @property
    def ok(self) -> bool:
        return self.error is None


def verify(
    order_number: int | None = None, *, on_event: Callable[[Stored], None] | None = None
) -> VerifyReport:
    """Check every order's chain (or one order's) and return the counts and the first mismatch.

    ``on_event`` sees every event that passed (``directives/proof.py`` replays them).
    """
    checker = ChainChecker(trusted_types=True)
    for stored in stored_events(order_number):
        record = stored.record
        error = checker.check(record)
        if error is None and stored.directive_order != record["order"]:
            error = chain_error(
                Mismatch.CONTENT_CHANGED,
                record,
                f"its directive belongs to EO {stored.directive_order}, but the event is chained in "
                f"EO {record['order']}",
            )
        if error is not None:
            return VerifyReport(orders=checker.orders, events=checker.events, error=error)
        if on_event is not None:
            on_event(stored)
    return VerifyReport(orders=checker.orders, events=checker.events, error=checker.finish())


def check_records(records: Iterable[Mapping[str, object]]) -> tuple[ChainChecker, ChainError | None]:
    """Check records already in chain order (e.g. a backup's); return the checker and the first error."""
    checker = ChainChecker()
    for record in records:
        error = checker.check(record)
        if error is not None:
            return checker, error
    return checker, checker.finish()
