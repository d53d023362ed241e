"""Reading the stored events: their rows in chain order, streamed, and the maps from the ids in them
to order numbers and refs (``read_events``); ``verifying`` checks them and makes their records."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from contextlib import suppress
from itertools import chain
from typing import Any

from django.db import connection
from django.db.models.sql import Query

from .canonical import CONTENT_KEYS, DATE_KEYS, SIGNATURE_KEYS, instant

# A stored event's record: its keys in this order (the export's event line).
RECORD_KEYS = (*CONTENT_KEYS, "id", "hash", *SIGNATURE_KEYS)
# An event's row as the proof reads it: the values in RECORD_KEYS's order, the order's and the
# directive's ids where the record has the order number and the ref; dates and instant as text.
Row = tuple[Any, ...]
_ORDER, _DIRECTIVE = RECORD_KEYS.index("order"), RECORD_KEYS.index("directive")
MISSING = ("?", None)  # the ref and order number of a directive not in the table


class Source:
    """The events' rows in chain order, and the maps from ids to order numbers and refs."""

    def __init__(
        self, batches: Iterator[list[Row]], orders: dict[int, int], refs: dict[int, tuple[str, int]]
    ) -> None:
        self.batches = batches
        self.rows = chain.from_iterable(batches)
        self.orders = orders  # an order's id -> its number
        self.refs = refs  # a directive's id -> its ref and its order's number

    def close(self) -> None:
        """Stop reading (and a thread reading ahead), close the cursor: at once, not when collected."""
        close = getattr(self.batches, "close", None)
        if close is not None:
            close()

    def record(self, row: Row) -> dict[str, Any]:
        """Return the event's record (the export's event line) from its row."""
        record = dict(zip(RECORD_KEYS, row, strict=True))
        record["directive"] = self.refs.get(row[_DIRECTIVE], MISSING)[0]
        record["order"] = self.orders.get(row[_ORDER])
        return record


def read_events(order_number: int | None, *, read_ahead: bool) -> Source:
    from ..models import Directive, DirectiveEvent, Order

    orders = dict(Order.objects.values_list("id", "number"))
    directives = Directive.objects.all()
    events = DirectiveEvent.objects.all()
    if order_number is not None:
        directives = directives.filter(order__number=order_number)
        events = events.filter(order__number=order_number)
    refs = {
        pk: (ref, orders[order_id])
        for pk, ref, order_id in directives.order_by().values_list("id", "ref", "order_id")
    }  # unordered: the model's ordering joined the orders and sorted 100,000 rows for a map
    batches: Iterator[list[Row]]
    if connection.vendor == "postgresql":
        ids = events.order_by().values_list("id", flat=True).query if order_number else None
        batches = pg_batches(ids, read_ahead=read_ahead)
    else:
        fields = (
            "order_id", "directive_id", "kind", "old_status", "new_status", "note", "evidence_url",
            *DATE_KEYS, "actor_id", "agency_id", "created", "seq", "prev_hash", "id", "hash", "signed_from",
            "key_id", "signature",
        )  # fmt: skip
        rows = (
            (
                *row[:7],
                *(d and d.isoformat() for d in row[7:12]),
                row[12],
                row[13],
                instant(row[14]),
                *row[15:],
            )
            for row in events.order_by("order_id", "seq").values_list(*fields).iterator(chunk_size=5000)
        )
        batches = ([row] for row in rows)
    return Source(batches, orders, refs)


def pg_batches(ids_query: Query | None, *, read_ahead: bool = False) -> Iterator[list[Row]]:
    """Stream the events (those of ``ids_query``, or all) in chain order through a server-side cursor.

    It yields the rows a fetch at a time (``itertools.chain`` yields them one by one, without a Python
    step per row).

    PostgreSQL writes the dates and the instant as the canonical text itself (``to_char``), so no
    Python date object is built per event: most of the verification's cost over a plain read was that.
    """
    from ..models import DirectiveEvent

    qn = connection.ops.quote_name
    days = ", ".join(f"to_char({qn(k)}, 'YYYY-MM-DD')" for k in DATE_KEYS)
    created = f"""to_char({qn("created")} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    where, params = "", ()
    if ids_query is not None:
        subquery, params = ids_query.sql_with_params()
        where = f"WHERE {qn('id')} IN ({subquery})"
    sql = (
        f"SELECT order_id, directive_id, kind, old_status, new_status, note, evidence_url, {days}, "  # noqa: S608
        f"actor_id, agency_id, {created}, seq, prev_hash, id, hash, signed_from, key_id, signature "
        f"FROM {qn(DirectiveEvent._meta.db_table)} {where} ORDER BY order_id, seq"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        if read_ahead:
            yield from fetching_ahead(cursor, 5000)
            return
        while batch := cursor.fetchmany(5000):
            yield batch


def fetching_ahead(cursor: Any, size: int) -> Generator[list[Row]]:
    """Yield ``cursor``'s rows ``size`` at a time, a thread fetching the next while the last are checked.

    The driver lets other threads run while PostgreSQL answers a fetch, so the server's work on the
    next rows overlaps the checking of the last instead of following it. At most two batches wait.
    The thread uses the cursor alone, and is stopped and joined before the cursor is closed, however
    the caller stops reading (an error found half way, an exception).
    """
    batches: queue.Queue[list[tuple[Any, ...]] | BaseException] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def fetch() -> None:
        try:
            while not stop.is_set():
                batch = cursor.fetchmany(size)
                batches.put(batch)
                if not batch:
                    return
        except BaseException as exc:  # handed to the reading thread, raised there
            batches.put(exc)

    thread = threading.Thread(target=fetch, name="verify-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            batch = batches.get()
            if isinstance(batch, BaseException):
                raise batch
            if not batch:
                return
            yield batch
    finally:
        stop.set()
        while thread.is_alive():  # make room for a batch the thread is waiting to put
            with suppress(queue.Empty):
                batches.get_nowait()
            thread.join(0.01)
