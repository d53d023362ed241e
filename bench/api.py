"""Benchmark: the REST API against a hand-written baseline, on the 100,000-directive data set.

Run on PostgreSQL (``make bench``, or ``DATABASE_URL=postgres://... python bench/api.py``). Seeds the
data set once (``bench/dataset.py``), then requests, in the same run and interleaved so that drift hits
both alike, each of

- ``GET /api/v1/directives/?page_size=100`` against ``bench/baseline.py``'s ``values()`` +
  ``JsonResponse`` view of the same 100 directives with the same fields;
- ``GET /api/v1/summary/`` against the same numbers aggregated by hand;

through the whole Django stack in-process (middleware, token check, view, JSON), with ``DEBUG`` off.
It prints the median latency of each, their ratio, and the queries each request made; the goal is a
ratio within 2.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderctl.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches  # noqa: E402

from agencies import actions  # noqa: E402
from agencies.tokens import tokens_of  # noqa: E402
from bench.dataset import ensure_dataset  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
WARMUP = 3
READER = "bench-reader"
ENDPOINTS = [
    ("directives/?page_size=100", "/api/v1/directives/?page_size=100", "/baseline/directives/"),
    ("summary/", "/api/v1/summary/", "/baseline/summary/"),
]


def _client() -> Client:
    """Return a client carrying a fresh read-only token of the benchmark's reader."""
    reader, _ = get_user_model().objects.get_or_create(username=READER)
    for old in tokens_of(reader):
        actions.revoke_api_token(old, actor=None)
    _, key = actions.create_api_token(reader, actor=None, name="bench/api.py", read_only=True)
    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Token {key}")


def _get(client: Client, path: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return elapsed, response.json()


def _same_answer(api: dict, baseline: dict, label: str) -> None:
    """Check that the API and the baseline returned the same data before timing them."""
    if "results" in api:
        assert api["count"] == baseline["count"], label
        for a, b in zip(api["results"], baseline["results"], strict=True):
            for key in ("id", "ref", "children", "lead_agencies", "deadline", "due_weekday", "status"):
                assert a[key] == b[key], (label, key, a[key], b[key])
            for key in ("is_overdue", "days_overdue", "days_remaining", "outcome"):
                assert a[key] == b[key], (label, key, a["id"], a[key], b[key])
    else:
        for key in ("total", "by_status", "overdue", "due_within_7_days", "due_within_30_days", "agencies"):
            assert api[key] == baseline[key], (label, key)
        assert [d["id"] for d in api["next_deadlines"]] == [d["id"] for d in baseline["next_deadlines"]]


def main() -> None:
    # WhiteNoise warns once that `collectstatic` has not run; static files play no part here.
    warnings.filterwarnings("ignore", message="No directory at")
    if connection.vendor != "postgresql":
        print(f"Note: measuring on {connection.vendor}; the recorded figures are on PostgreSQL.")
    settings.DEBUG = False  # no query log, as in production
    settings.ROOT_URLCONF = "bench.baseline"  # the project's URLs plus the baseline views
    clear_url_caches()
    dataset = ensure_dataset()
    print(f"Data set: {dataset.describe()}")
    client = _client()

    rows: list[tuple[str, float, float, float, int, int]] = []
    for label, api_path, baseline_path in ENDPOINTS:
        _, api_body = _get(client, api_path)
        _, baseline_body = _get(client, baseline_path)
        _same_answer(api_body, baseline_body, label)
        queries = []
        for path in (api_path, baseline_path):
            with CaptureQueriesContext(connection) as captured:
                _get(client, path)
            queries.append(len(captured))
        for _ in range(WARMUP):
            _get(client, api_path)
            _get(client, baseline_path)
        api_times, baseline_times = [], []
        for _ in range(ROUNDS):
            api_times.append(_get(client, api_path)[0])
            baseline_times.append(_get(client, baseline_path)[0])
        api_ms, baseline_ms = statistics.median(api_times) * 1000, statistics.median(baseline_times) * 1000
        rows.append((label, api_ms, baseline_ms, api_ms / baseline_ms, queries[0], queries[1]))

    print(f"\nMedian of {ROUNDS} requests each, interleaved, in-process through the whole Django stack:\n")
    print(f"{'endpoint':<28} {'API ms':>8} {'baseline ms':>12} {'ratio':>6} {'queries API/baseline':>22}")
    for label, api_ms, baseline_ms, ratio, api_queries, baseline_queries in rows:
        print(
            f"{label:<28} {api_ms:>8.1f} {baseline_ms:>12.1f} {ratio:>6.2f} "
            f"{f'{api_queries}/{baseline_queries}':>22}"
        )
    worst = max(row[3] for row in rows)
    print(
        f"\nGoal: within 2x of the baseline; worst ratio {worst:.2f} ({'met' if worst <= 2 else 'NOT met'})."
    )


if __name__ == "__main__":
    main()
