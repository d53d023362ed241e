"""Benchmark: the REST API against a hand-written baseline, on the 100,000-directive data set.

Run on PostgreSQL (``make bench``, or ``DATABASE_URL=postgres://... python bench/api.py``). Seeds the
data set once (``bench/dataset.py``), then requests, in the same run and interleaved so that drift hits
both alike, each of

- ``GET /api/v1/directives/?page_size=100``, page 1 and page 1,000, against ``bench/baseline.py``'s
  ``values()`` + ``JsonResponse`` view of the same 100 directives with all 34 fields;
- ``GET /api/v1/summary/`` against the same numbers aggregated by hand;

through the whole Django stack in-process (middleware, token check, view, JSON), with ``DEBUG`` off.
Before timing, it checks that the two answers are equal, every field of every row. It prints the
median latency of each, their ratio, the spread of the per-round ratios and the queries each request
made (from an untimed pass); the goals are 1.5 for the list and 1.2 for the summary.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runtime import check_production_mode, setup, spread

if __name__ == "__main__":  # imported (by the tests, by bench/pages.py), Django is set up already
    setup(web=True)

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches

from agencies import actions
from agencies.tokens import tokens_of
from bench.dataset import ensure_dataset

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
WARMUP = 3
READER = "bench-reader"
ENDPOINTS = [
    ("directives/?page_size=100", "/api/v1/directives/?page_size=100", "/baseline/directives/?page_size=100"),
    (
        "directives/, page 1,000",
        "/api/v1/directives/?page=1000&page_size=100",
        "/baseline/directives/?page=1000&page_size=100",
    ),
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
    """Check that the API and the baseline returned the same data, every field of every row.

    Only the instant each was answered at (``as_of``) may differ; the rest must be equal as JSON.
    """
    api, baseline = dict(api), dict(baseline)
    api.pop("as_of", None)
    baseline.pop("as_of", None)
    if api != baseline:
        for key in sorted(set(api) | set(baseline)):
            if api.get(key) != baseline.get(key):
                if key == "results":
                    for a, b in zip(api[key], baseline[key], strict=True):
                        differing = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                        assert not differing, (label, a["id"], {k: (a.get(k), b.get(k)) for k in differing})
                raise AssertionError((label, key, api.get(key), baseline.get(key)))


def main() -> None:
    # WhiteNoise warns once that `collectstatic` has not run; static files play no part here.
    warnings.filterwarnings("ignore", message="No directory at")
    if connection.vendor != "postgresql":
        print(f"Note: measuring on {connection.vendor}; the recorded figures are on PostgreSQL.")
    settings.ROOT_URLCONF = "bench.baseline"  # the project's URLs plus the baseline views
    clear_url_caches()
    dataset = ensure_dataset()
    print(f"Data set: {dataset.describe()}")
    client = _client()

    rows: list[tuple[str, float, float, float, str, int, int]] = []
    for label, api_path, baseline_path in ENDPOINTS:
        _, api_body = _get(client, api_path)
        _, baseline_body = _get(client, baseline_path)
        _same_answer(api_body, baseline_body, label)
        queries = []
        for path in (api_path, baseline_path):
            with CaptureQueriesContext(connection) as captured:
                _get(client, path)
            queries.append(len(captured))
        check_production_mode()
        for _ in range(WARMUP):
            _get(client, api_path)
            _get(client, baseline_path)
        api_times, baseline_times = [], []
        for _ in range(ROUNDS):
            api_times.append(_get(client, api_path)[0])
            baseline_times.append(_get(client, baseline_path)[0])
        api_ms, baseline_ms = statistics.median(api_times) * 1000, statistics.median(baseline_times) * 1000
        ratios = [a / b for a, b in zip(api_times, baseline_times, strict=True)]
        rows.append(
            (label, api_ms, baseline_ms, api_ms / baseline_ms, spread(ratios), queries[0], queries[1])
        )

    print(f"\nMedian of {ROUNDS} requests each, interleaved, in-process through the whole Django stack;")
    print("spread: the per-round ratios' 10th to 90th percentile\n")
    print(f"{'endpoint':<28} {'API ms':>8} {'baseline ms':>12} {'ratio':>6} {'spread':>11} {'queries':>8}")
    for label, api_ms, baseline_ms, ratio, ratio_spread, api_queries, baseline_queries in rows:
        print(
            f"{label:<28} {api_ms:>8.1f} {baseline_ms:>12.1f} {ratio:>6.2f} {ratio_spread:>11} "
            f"{f'{api_queries}/{baseline_queries}':>8}"
        )
    print("\nGoals: the directive list within 1.5x of its baseline, summary/ within 1.2x.")


if __name__ == "__main__":
    main()
