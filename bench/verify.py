"""Benchmark: verify_history over the 500,000-event data set against a raw read of the same rows.

Run on PostgreSQL (``make bench``, or ``DATABASE_URL=postgres://... python bench/verify.py``). Side by
side, in the same run, each repeated and reported as the median:

1. ``proof.verify()``, all that ``verify_history`` does: every order's chain (canonical text, SHA-256,
   links, time, the signed appends' Ed25519 signatures), the replay of every directive's state and
   its comparison with the 100,000 directive rows, the access log and the newest checkpoint;
2. ``history.verify()``, the chains and signatures alone;
3. the baseline: every SELECT statement ``proof.verify()`` sends, captured from an untimed run of it
   and sent again as it is (the events' statement with its ``to_char`` dates, the directive rows
   compared with the replay, those whose definition the history states with their agencies, the
   maps of refs and order numbers, the access log,
   the checkpoint), each read to its last row through the same kind of cursor (server-side for those
   the app streams); one SHA-256 per event of its 17 hashed values joined as text, and one per access
   log entry. No canonical text, no check, no replay: the least any proof of every event must do.

The goal is (1) within 1.5x of (3) (issue 26). All three run with the collector tuned as the command
tunes it (``verify_history.collect_rarely``): they share this one process.
"""

from __future__ import annotations

import hashlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runtime import check_production_mode, setup

if __name__ == "__main__":  # imported (by the tests, by bench/pages.py), Django is set up already
    setup()

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.dataset import ensure_dataset
from directives import history
from directives.history import proof
from directives.management.commands.verify_history import collect_rarely
from directives.models import DirectiveEvent
from ledger.models import AccessEvent

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# Django streams a query (``iterator()``, ``chunked_cursor``) through a named cursor, logged as its DECLARE.
DECLARED = re.compile(r"^DECLARE \S+ NO SCROLL CURSOR WITHOUT HOLD FOR ", re.DOTALL)
HASHED_VALUES = 17  # the events' statement selects the 17 values an event's hash covers first


class Statement:
    """One SELECT the proof sends: its text, whether it is streamed, and what of each row is hashed."""

    def __init__(self, sql: str) -> None:
        declared = DECLARED.match(sql)
        self.streamed = declared is not None
        self.sql = sql[declared.end() :] if declared else sql
        table = self.sql.split(" FROM ", 1)[1].split(None, 1)[0].strip('"') if " FROM " in self.sql else ""
        self.events = table == DirectiveEvent._meta.db_table and "prev_hash" in self.sql.split(" FROM ")[0]
        access_log = table == AccessEvent._meta.db_table and '"hash"' in self.sql.split(" FROM ")[0]
        self.hashed = HASHED_VALUES if self.events else (None if access_log else 0)


def the_proofs_statements() -> list[Statement]:
    """Run ``proof.verify()`` once, untimed, and return the SELECT statements it sent, in its order."""
    with CaptureQueriesContext(connection) as captured:
        assert proof.verify().ok
    statements = [
        Statement(q["sql"]) for q in captured.captured_queries if q["sql"].startswith(("SELECT", "DECLARE"))
    ]
    assert sum(s.events for s in statements) == 1, "expected one statement reading the events"
    return statements


STATEMENTS: list[Statement] = []


def raw_read_and_hash() -> int:
    """Send each of the proof's statements again, in one transaction; read every row, hash what it hashes.

    The events (their 17 hashed values joined as text) and the access log's entries (the whole row)
    get one SHA-256 each; the other rows (the directives and their agencies, the maps) are read only.
    """
    events = 0
    sha256 = hashlib.sha256
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for n, statement in enumerate(STATEMENTS):
            if statement.streamed:
                cursor = connection.connection.cursor(name=f"bench_raw_{n}")
                cursor.itersize = 5000
            else:
                cursor = connection.connection.cursor()
            with cursor:
                cursor.execute(statement.sql)
                hashed = statement.hashed
                if hashed == 0:
                    for _ in cursor:
                        pass
                    continue
                for row in cursor:
                    sha256("|".join(map(str, row[:hashed])).encode()).hexdigest()
                    events += statement.events
    return events


def whole() -> int:
    report = proof.verify()
    assert report.ok, report.problems[:3]
    return report.events


def chains() -> int:
    report = history.verify()
    assert report.ok, report.error
    return report.events


def main() -> None:
    check_production_mode()
    if connection.vendor != "postgresql":
        sys.exit("bench/verify.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    print(f"data set: {ensure_dataset().describe()}")
    connection.ensure_connection()
    # As verify_history runs: its collector tuned (the raw read and hash runs under it too).
    collect_rarely()
    STATEMENTS[:] = the_proofs_statements()
    candidates = {
        "verify_history (all of it)": whole,
        "chains and signatures only": chains,
        "the same statements, read + hash": raw_read_and_hash,
    }
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    cpu: dict[str, list[float]] = {name: [] for name in candidates}  # this process's, not PostgreSQL's
    counts: dict[str, set[int]] = {name: set() for name in candidates}
    names = list(candidates)
    for round_ in range(ROUNDS):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            started, cpu_started = time.perf_counter(), time.process_time()
            counts[name].add(candidates[name]())
            samples[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - cpu_started)
    events = {n for seen in counts.values() for n in seen}
    assert len(events) == 1, f"the contenders read different numbers of events: {counts}"
    median = {name: statistics.median(s) for name, s in samples.items()}
    median_cpu = {name: statistics.median(s) for name, s in cpu.items()}
    print(f"\nverify_history over {events.pop():,} events (median of {ROUNDS}; wall, this process's CPU):")
    for name in names:
        print(f"  {name:<34} {median[name]:8.2f} s  {median_cpu[name]:8.2f} s CPU")
    for label, name in (("verify_history", names[0]), ("chains only", names[1])):
        wall, cpu_ratio = median[name] / median[names[2]], median_cpu[name] / median_cpu[names[2]]
        goal = "   (goal: at most 1.5x)" if name == names[0] else ""
        print(f"  {label + ' / baseline':<34} {wall:8.2f}x  {cpu_ratio:8.2f}x CPU{goal}")


if __name__ == "__main__":
    main()
