"""Benchmark: the pages against the API call that returns the same data, on the 100,000-directive set.

Run on PostgreSQL (``make bench``, or ``python bench/pages.py``), after ``bench/api.py`` has seeded the
data set and ``bench/directive_page.py`` has given one directive 20,000 events (this script gives them
too when missing). Side by side in one run, interleaved round by round so that the machine's load hits
both alike, with ``DEBUG`` off, through the whole Django stack in-process:

- All directives, page 1 and page 1,000 (100 rows a page) against ``/api/v1/directives/`` with the
  same page: the same 100 directives, in the same order (checked);
- the dashboard against ``/api/v1/summary/``: the same tiles (checked);
- a directive page with 20,000 events against the API's directive and its newest 25 events (two
  requests, timed together): the same directive and events (checked).

It prints, for each, the medians, the ratio of the medians, the spread of the per-round ratios (the
10th to 90th percentile), the bytes, the queries (from a separate, untimed pass) and the peak memory
the request allocated in Python (``tracemalloc``, a separate pass: it slows what it traces).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
import tracemalloc
import warnings
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runtime import check_production_mode, setup, spread

if __name__ == "__main__":  # imported (by the tests, by bench/pages.py), Django is set up already
    setup(web=True)

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.api import _client
from bench.dataset import ORDER_NUMBER_BASE, ensure_dataset
from bench.directive_page import LONG, ensure_long_history
from directives.models import Directive

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
WARMUP = 2
PAGE_SIZE = 100
DEEP_PAGE = 1_000


@dataclass(frozen=True)
class Pair:
    label: str
    page: str
    api: tuple[str, ...]  # one API call, or the calls that together return what the page shows


def _timed(client: Client, path: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return elapsed, response.content


def _page_ids(content: bytes) -> list[int]:
    """Return the directive ids of a list page's rows, in order."""
    return [
        int(i)
        for i in re.findall(rb'<th scope="row" data-label="Sec\."><a [^>]*href="/directives/(\d+)/"', content)
    ]


def _same_answer(pair: Pair, page: bytes, api: list[dict]) -> None:
    """Check that the page shows the data the API returned, before timing either."""
    if pair.api[0].startswith("/api/v1/directives/?"):
        assert _page_ids(page) == [d["id"] for d in api[0]["results"]], pair.label
        assert f"{api[0]['count']:,}".replace(",", "").encode() + b" directives" in page, pair.label
    elif pair.api[0] == "/api/v1/summary/":
        for key in ("total", "overdue", "verified_on_time", "verified_late", "due_within_30_days"):
            assert f'data-summary="{key}">{api[0][key]}<'.encode() in page, (pair.label, key)
    else:
        directive, events = api
        assert directive["title"].encode() in page, pair.label
        for event in events["results"]:
            assert event["note"].encode() in page, (pair.label, event["note"])


def _peak_kib(client: Client, path: str) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    client.get(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak // 1024


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    dataset = ensure_dataset()
    print(f"Data set: {dataset.describe()}")
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-page-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    long = Directive.objects.filter(order__number__lt=ORDER_NUMBER_BASE).order_by(
        "order__number", "position", "ref"
    )[0]
    ensure_long_history(long, admin)
    pages = Client(SERVER_NAME="localhost")
    pages.force_login(admin)
    api = _client()
    pairs = [
        Pair(
            "All directives, page 1",
            f"/directives/?page_size={PAGE_SIZE}",
            (f"/api/v1/directives/?page_size={PAGE_SIZE}",),
        ),
        Pair(
            f"All directives, page {DEEP_PAGE:,}",
            f"/directives/?page_size={PAGE_SIZE}&page={DEEP_PAGE}",
            (f"/api/v1/directives/?page_size={PAGE_SIZE}&page={DEEP_PAGE}",),
        ),
        Pair("Dashboard", "/dashboard/", ("/api/v1/summary/",)),
        Pair(
            f"Directive page, {LONG:,} events",
            f"/directives/{long.pk}/",
            (f"/api/v1/directives/{long.pk}/", f"/api/v1/directives/{long.pk}/events/?page_size=25"),
        ),
    ]
    for pair in pairs:
        _same_answer(pair, _timed(pages, pair.page)[1], [api.get(path).json() for path in pair.api])
    check_production_mode()
    print(
        f"\nMedians of {ROUNDS} rounds, page then API, interleaved; spread: the per-round ratios' P10-P90\n"
    )
    print(
        f"{'page':<32} {'page ms':>8} {'API ms':>8} {'ratio':>6} {'spread':>11} {'KB':>7} {'queries':>9}"
        f" {'peak MiB':>13}"
    )
    for pair in pairs:
        for _ in range(WARMUP):
            _timed(pages, pair.page)
            for path in pair.api:
                _timed(api, path)
        page_times, api_times, ratios = [], [], []
        size = 0
        for _ in range(ROUNDS):
            seconds, content = _timed(pages, pair.page)
            size = len(content)
            api_seconds = sum(_timed(api, path)[0] for path in pair.api)
            page_times.append(seconds)
            api_times.append(api_seconds)
            ratios.append(seconds / api_seconds)
        page_ms, api_ms = statistics.median(page_times) * 1000, statistics.median(api_times) * 1000
        queries = f"{_queries(pages, pair.page)}/{sum(_queries(api, path) for path in pair.api)}"
        page_peak = _peak_kib(pages, pair.page) / 1024
        peak = f"{page_peak:.1f}/{max(_peak_kib(api, path) for path in pair.api) / 1024:.1f}"
        ratio_spread = spread(ratios)
        print(
            f"{pair.label:<32} {page_ms:>8.1f} {api_ms:>8.1f} {page_ms / api_ms:>6.2f} {ratio_spread:>11} "
            f"{size // 1024:>7,} {queries:>9} {peak:>13}"
        )
    print("\nGoals: All directives within 2x of its API page, under 100 MB a request; dashboard within 1.5x.")


if __name__ == "__main__":
    main()
