"""Benchmark: verify_history over the 500,000-event data set against a raw read of the same rows.

Run on PostgreSQL (``make bench``, or ``DATABASE_URL=postgres://... python bench/verify.py``). Side by
side, in the same run, each repeated and reported as the median:

1. ``proof.verify()``, all that ``verify_history`` does: every order's chain (canonical text, SHA-256,
   links, time, the signed appends' Ed25519 signatures), the replay of every directive's state and
   its comparison with the 100,000 directive rows, the access log and the newest checkpoint;
2. ``history.verify()``, the chains and signatures alone;
3. the baseline: the same columns of the same rows read in the same order with a plain server-side
   cursor, and one SHA-256 of each row's values joined as text (the least any check of every event
   must do: read it and hash it).

The goal is (1) within 1.5x of (3) (issue 26). All three run with the collector tuned as the command
tunes it (``verify_history.collect_rarely``): they share this one process.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runtime import check_production_mode, setup

if __name__ == "__main__":  # imported (by the tests, by bench/pages.py), Django is set up already
    setup()

from django.db import connection, transaction

from bench.dataset import ensure_dataset
from directives import history
from directives.history import proof
from directives.management.commands.verify_history import collect_rarely
from directives.models import DirectiveEvent

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
EVENT = DirectiveEvent._meta.db_table
COLUMNS = ", ".join(("id", "order_id", "seq", "directive_id", *history.COLUMNS[3:]))
RAW = f"SELECT {COLUMNS} FROM {EVENT} ORDER BY order_id, seq"  # noqa: S608 - names from the model


def raw_read_and_hash() -> int:
    """Read every event's columns in chain order with a server-side cursor; hash each row once."""
    rows = 0
    with transaction.atomic(), connection.connection.cursor(name="bench_raw") as cursor:
        cursor.itersize = 5000
        cursor.execute(RAW)
        sha256 = hashlib.sha256
        for row in cursor:
            sha256("|".join(map(str, row)).encode()).hexdigest()
            rows += 1
    return rows


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
    candidates = {
        "verify_history (all of it)": whole,
        "chains and signatures only": chains,
        "raw read + SHA-256 per row": raw_read_and_hash,
    }
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    counts: dict[str, set[int]] = {name: set() for name in candidates}
    names = list(candidates)
    for round_ in range(ROUNDS):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            started = time.perf_counter()
            counts[name].add(candidates[name]())
            samples[name].append(time.perf_counter() - started)
    events = {n for seen in counts.values() for n in seen}
    assert len(events) == 1, f"the contenders read different numbers of events: {counts}"
    median = {name: statistics.median(s) for name, s in samples.items()}
    print(f"\nverify_history over {events.pop():,} events (median of {ROUNDS}):")
    for name in names:
        print(f"  {name:<30} {median[name]:8.2f} s")
    ratio = median[names[0]] / median[names[2]]
    print(f"  verify_history / raw read        {ratio:8.2f}x   (goal: at most 1.5x)")
    print(f"  chains only / raw read           {median[names[1]] / median[names[2]]:8.2f}x")


if __name__ == "__main__":
    main()
