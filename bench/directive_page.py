"""Benchmark: a directive page with a long history costs what a short one does (it shows 25 events).

Run after `make migrate` on the configured database (``make bench``, or ``python bench/directive_page.py``).
It gives one directive of the first order 20,000 notes (once: later runs reuse them; a scratch database,
as every benchmark here), then requests its page as an administrator and reports, as the median of
BENCH_ROUNDS requests each: the newest page, an older page, and the same for a directive with its
few loading events, with their bytes and queries. Before paging, the page rendered every event: 20,001
events took 2.9 s and 10.5 MB (issue 16's fault run).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runtime import check_production_mode, setup

if __name__ == "__main__":  # imported (by the tests, by bench/pages.py), Django is set up already
    setup(web=True)

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directives import history
from directives.models import Directive, DirectiveEvent

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
LONG = 20_000


def ensure_long_history(directive: Directive, user) -> None:
    missing = LONG - directive.events.count()
    start = timezone.now()
    for first in range(0, max(missing, 0), 2000):
        with transaction.atomic():
            history.append(
                [
                    history.NewEvent.of(
                        directive,
                        kind=DirectiveEvent.Kind.NOTE,
                        created=start + dt.timedelta(microseconds=i),
                        actor=user,
                        note=f"bench note {i}",
                    )
                    for i in range(first, min(first + 2000, missing))
                ]
            )


def measure(client: Client, url: str) -> tuple[float, int, int]:
    """Return the median seconds, the bytes and the queries of GET ``url``.

    The queries are counted in a pass of their own: capturing them keeps every statement's text, which
    no timed request should pay for.
    """
    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers={"host": "localhost"})
    count = len(queries.captured_queries)  # now: the next request clears the log it reads
    check_production_mode()
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        response = client.get(url, headers={"host": "localhost"})
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), len(response.content), count


def main() -> None:
    user_model = get_user_model()
    admin, _ = user_model.objects.get_or_create(
        username="bench-page-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    directives = list(Directive.objects.order_by("order__number", "position", "ref")[:2])
    assert len(directives) == 2, "run `make migrate` first (it loads the bundled order)"
    long, short = directives
    ensure_long_history(long, admin)
    client = Client(SERVER_NAME="localhost")
    client.force_login(admin)
    print(f"{'page':<44} {'median':>9} {'bytes':>9} {'queries':>8}")
    for label, url in (
        (f"{short.ref}: {short.events.count():,} events, newest page", f"/directives/{short.pk}/"),
        (f"{long.ref}: {long.events.count():,} events, newest page", f"/directives/{long.pk}/"),
        (f"{long.ref}: {long.events.count():,} events, an older page", f"/directives/{long.pk}/?before=100"),
    ):
        seconds, size, queries = measure(client, url)
        print(f"{label:<44} {seconds * 1000:>7.1f}ms {size:>9,} {queries:>8}")


if __name__ == "__main__":
    main()
