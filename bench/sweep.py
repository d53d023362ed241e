"""Benchmark: the flag_overdue sweep against the equivalent raw SQL, on the 100,000-directive data set.

Run on PostgreSQL (``make bench``, or ``DATABASE_URL=postgres://... python bench/sweep.py``). Side by
side, in the same run and on the same rows, each repeated and reported as the median:

1. the sweep with everything to flag (every open, past-due, unflagged directive):
   - ``actions.flag_overdue``: the conditional UPDATE ... RETURNING, then one event and one
     notification per flagged directive, in one transaction;
   - the bare raw ``UPDATE ... RETURNING`` that flags the same rows and writes nothing else;
   - one raw statement doing all the sweep does (UPDATE ... RETURNING feeding both INSERTs), but
     for the hash chain: it locks the rows in id order, numbers the events in their orders and leaves
     their hashes empty;
2. the sweep with nothing new to flag, against an empty indexed query (the same condition as a
   SELECT, through the partial index ``directive_open_due_at_idx``).

Every sweep with work runs in a transaction that is rolled back, so the data set stays as it was
(all overdue flags clear) and each run finds the same rows to flag; the commit is left out of all of
them alike, and dead rows are vacuumed between rounds. "Nothing new to flag" is measured at an
instant before the first deadline of the data set (the clock set with time-machine), which leaves the
partial index range as empty as it is after a real sweep has flagged everything; it writes nothing,
so it runs as in production, in autocommit, against the SELECT.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runtime import check_production_mode, setup

if __name__ == "__main__":  # imported (by the tests, by bench/pages.py), Django is set up already
    setup()

import time_machine
from django.db import connection, transaction
from django.utils import timezone

from bench.dataset import ensure_dataset
from directives import actions
from directives.actions import sweeps
from directives.models import Directive, DirectiveEvent, Notification

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
EMPTY_ROUNDS = 50

DIRECTIVE = Directive._meta.db_table
EVENT = DirectiveEvent._meta.db_table
NOTIFICATION = Notification._meta.db_table
CONDITION = sweeps._due_condition()  # the sweep's own, so the raw statements flag the same rows

RAW_UPDATE = f"UPDATE {DIRECTIVE} SET overdue_flagged_at = %(now)s WHERE {CONDITION} RETURNING id, due_on"  # noqa: S608
# Like the action, it locks the due directives in ascending id before flagging them (the order in which
# a status change locks a part and its parents: without it the two can deadlock). The events get their
# order and their place in its chain (seq: after the order's newest, numbered by directive id), as
# the action's do; SQL alone cannot build the chain's hashes (each needs the one before it) nor sign
# them, so this statement writes them empty and does not lock the orders: the action's extra work over
# it is the signed hash chain. Like the action, it owes no notice for a parent (its parts are told).
RAW_SWEEP = f"""
WITH flagged AS (
    UPDATE {DIRECTIVE} SET overdue_flagged_at = %(now)s
    WHERE id IN (SELECT id FROM {DIRECTIVE} WHERE {CONDITION} ORDER BY id FOR UPDATE) AND {CONDITION}
    RETURNING id, due_on, order_id
), heads AS (
    -- each order's newest seq, read once an order as the action reads its chains' heads (not once a row)
    SELECT o.order_id,
        (SELECT x.seq FROM {EVENT} x WHERE x.order_id = o.order_id ORDER BY x.seq DESC LIMIT 1) AS seq
    FROM (SELECT DISTINCT order_id FROM flagged) o
), numbered AS (
    SELECT f.id, f.due_on, f.order_id,
        COALESCE(h.seq, 0) + row_number() OVER (PARTITION BY f.order_id ORDER BY f.id) AS seq
    FROM flagged f LEFT JOIN heads h ON h.order_id = f.order_id
), events AS (
    INSERT INTO {EVENT} (directive_id, order_id, seq, kind, old_status, new_status, note, evidence_url,
        old_due_on, created, prev_hash, hash, key_id, signature)
    SELECT id, order_id, seq, 'flagged_overdue', '', '', 'Overdue: the deadline of '
        || to_char(due_on, 'YYYY-MM-DD') || ' passed unmet (end of that day, Eastern time).',
        '', due_on, %(now)s, '', '', '', ''
    FROM numbered
    RETURNING id, directive_id, old_due_on
), notices AS (
    INSERT INTO {NOTIFICATION} (directive_id, kind, due_on, offset_days, event_id, state, created,
        next_attempt_at, attempts, recipients, last_error)
    SELECT directive_id, 'overdue', old_due_on, 0, id, 'pending', %(now)s, %(now)s, 0, '[]'::jsonb, ''
    FROM events e
    WHERE NOT EXISTS (SELECT 1 FROM {DIRECTIVE} part WHERE part.parent_id = e.directive_id)
    ON CONFLICT DO NOTHING
    RETURNING directive_id
)
SELECT id FROM flagged
"""  # noqa: S608 - table names from the models, values bound
# The sweep's first read when there is nothing to flag is this very query, with LIMIT 1.
EMPTY_SELECT = f"SELECT id FROM {DIRECTIVE} WHERE {CONDITION}"  # noqa: S608


class _Rollback(Exception):
    pass


def in_rollback(work: Callable[[], int]) -> tuple[float, int]:
    """Run ``work`` in a transaction that is rolled back; return its seconds and the rows it reported."""
    try:
        with transaction.atomic():
            started = time.perf_counter()
            rows = work()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, rows


def raw(sql: str, now) -> Callable[[], int]:
    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, {"now": now})
            return len(cursor.fetchall())

    return run


def vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {DIRECTIVE}, {EVENT}, {NOTIFICATION}")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    check_production_mode()
    if connection.vendor != "postgresql":
        sys.exit("bench/sweep.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    print(f"data set: {ensure_dataset().describe()}")
    vacuum()

    now = timezone.now()
    candidates = {
        "flag_overdue (action)": lambda: len(actions.flag_overdue(actor=None)),
        "raw UPDATE ... RETURNING only": raw(RAW_UPDATE, now),
        "raw single statement, all writes": raw(RAW_SWEEP, now),
    }
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    counts: dict[str, set[int]] = {name: set() for name in candidates}
    names = list(candidates)
    for round_ in range(ROUNDS):
        # Rotate the order so that no contender always runs first (cold) or last.
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            with time_machine.travel(now, tick=False):
                seconds, rows = in_rollback(candidates[name])
            samples[name].append(seconds)
            counts[name].add(rows)
            vacuum()
    flagged = {rows for rows_seen in counts.values() for rows in rows_seen}
    assert len(flagged) == 1, f"the contenders flagged different numbers of directives: {counts}"
    [to_flag] = flagged

    first_due = Directive.objects.exclude(due_at=None).order_by("due_at").values_list("due_at", flat=True)[0]
    quiet = first_due - dt.timedelta(days=1)
    quiet_samples: dict[str, list[float]] = {"flag_overdue, nothing to flag": [], "empty indexed SELECT": []}
    # Nothing is written here, so both run as in production, in autocommit.
    select_empty = raw(EMPTY_SELECT, quiet)
    for _ in range(EMPTY_ROUNDS):
        with time_machine.travel(quiet, tick=False):
            started = time.perf_counter()
            rows = len(actions.flag_overdue(actor=None))
            quiet_samples["flag_overdue, nothing to flag"].append(time.perf_counter() - started)
            assert rows == 0
            started = time.perf_counter()
            rows = select_empty()
            quiet_samples["empty indexed SELECT"].append(time.perf_counter() - started)
            assert rows == 0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + EMPTY_SELECT, {"now": quiet})
        plan = " ".join(row[0].strip() for row in cursor.fetchall())
    uses_index = "directive_open_due_at_idx" in plan
    action, update, single = (median_ms(samples[name]) for name in names)
    print(f"\nSweep with {to_flag:,} directives to flag (median of {ROUNDS}, rolled back):")
    for name in names:
        print(f"  {name:<34} {median_ms(samples[name]):9.1f} ms")
    print(f"  action / raw single statement      {action / single:9.2f}x   (goal: at most 1.3x)")
    print(
        f"  action / raw UPDATE only           {action / update:9.2f}x   (the action also writes 2 rows each)"
    )
    quiet_action, empty = (median_ms(s) for s in quiet_samples.values())
    print(f"\nSweep with nothing new to flag (median of {EMPTY_ROUNDS}):")
    for name, s in quiet_samples.items():
        print(f"  {name:<34} {median_ms(s):9.3f} ms")
    print(f"  action / empty indexed SELECT      {quiet_action / empty:9.2f}x")
    print(f"  the empty SELECT uses directive_open_due_at_idx: {'yes' if uses_index else 'NO'}")


if __name__ == "__main__":
    main()
