"""``verify_history`` reads the events ahead on PostgreSQL: a thread fetches the next rows while the
last are checked (``history.reading.fetching_ahead``). Whatever makes the reader stop, the thread ends
before the cursor closes, and an error of the fetch reaches the reader."""

from __future__ import annotations

import threading
from itertools import chain

import pytest
from django.db import DatabaseError, DataError, connection, transaction

from directives.history.reading import fetching_ahead

pytestmark = pytest.mark.postgres


def reading_ahead() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "verify-read-ahead"]


def test_it_yields_every_row_in_order(db):
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute("SELECT n FROM generate_series(1, 1000) AS n ORDER BY n")
        assert [n for (n,) in chain.from_iterable(fetching_ahead(cursor, 7))] == list(range(1, 1001))
    assert reading_ahead() == []


def test_a_reader_that_stops_half_way_stops_the_thread(db):
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute("SELECT n FROM generate_series(1, 100000) AS n")
        batches = fetching_ahead(cursor, 10)
        rows = chain.from_iterable(batches)
        assert [next(rows) for _ in range(25)][-1] == (25,)
        batches.close()  # as verify returns on the first error: the thread is then waiting to put a batch
        assert reading_ahead() == []
        with connection.cursor() as other:  # the connection is the reader's again
            other.execute("SELECT 1")
            assert other.fetchone() == (1,)


def test_an_error_of_the_fetch_reaches_the_reader(db):
    reached = []
    # Closing a named cursor in the aborted transaction fails afterwards too, as it does without
    # reading ahead: the error that matters is the one the reader sees first.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute("SELECT 1 / (n - 50) FROM generate_series(1, 100) AS n")
        with pytest.raises(DataError, match="division by zero"):
            list(chain.from_iterable(fetching_ahead(cursor, 10)))
        reached.append(reading_ahead())
    assert reached == [[]]
