"""The load of `make load`: readers, writers and a trivial probe side by side, against one server.

``load/run.py`` starts the server and this file with locust; run alone, it needs ``LOAD_TOKEN`` (an
editor's API token) and ``LOAD_DIRECTIVES`` (ids of directives that editor leads, one per writer).
Every user sends its next request as soon as the last one is answered, so the 50 users are 50
requests in flight at all times.
"""

from __future__ import annotations

import json
import os
from itertools import count

from locust import FastHttpUser, constant, events, task

TOKEN = os.environ.get("LOAD_TOKEN", "")
DIRECTIVES = [int(pk) for pk in os.environ.get("LOAD_DIRECTIVES", "").split(",") if pk]
OTHER = {"in_progress": "blocked"}  # any other status, completed included, goes back to in_progress

USERS = {"list": 20, "summary": 10, "writers": 10, "healthz": 10}  # 50 in all
WRITERS = count()
ENVIRONMENT: list = []  # locust's, kept when it starts, for the report when it quits


class ApiUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def get(self, path: str, name: str) -> None:
        self.client.get(path, name=name, headers={"Authorization": f"Token {TOKEN}"})


class DirectiveList(ApiUser):
    """The first page of directives, as a dashboard or a script would read it."""

    fixed_count = USERS["list"]

    @task
    def directives(self) -> None:
        self.get("/api/v1/directives/", "GET /api/v1/directives/")


class Summary(ApiUser):
    """The counts by status and agency, and the next deadlines."""

    fixed_count = USERS["summary"]

    @task
    def summary(self) -> None:
        self.get("/api/v1/summary/", "GET /api/v1/summary/")


class Writer(ApiUser):
    """One editor's updates of one directive of its own: a status change, then a note, and again.

    Each writer has a directive to itself, so every status change is valid (no two writers race for
    the same one; tests/test_concurrency.py covers that) and any refusal is an error of the run.
    """

    fixed_count = USERS["writers"]

    def on_start(self) -> None:
        n = next(WRITERS)
        if n >= len(DIRECTIVES):
            raise RuntimeError(f"writer {n + 1} has no directive of its own: LOAD_DIRECTIVES={DIRECTIVES}")
        self.directive = DIRECTIVES[n]
        self.path = f"/api/v1/directives/{self.directive}/events/"
        self.headers = {"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"}
        with self.client.get(
            f"/api/v1/directives/{self.directive}/", headers=self.headers, name="setup", catch_response=True
        ) as response:
            self.status = response.json()["status"]
        self.changes = 0

    @task
    def update(self) -> None:
        self.changes += 1
        if self.changes % 2:
            status = OTHER.get(self.status, "in_progress")
            body = {"status": status, "note": f"load: status change {self.changes}"}
            name = "POST events/ (status change)"
        else:
            body = {"note": f"load: note {self.changes}"}
            name = "POST events/ (note)"
        with self.client.post(
            self.path, json=body, headers=self.headers, name=name, catch_response=True
        ) as r:
            if r.status_code == 201:
                self.status = r.json()["directive"]["status"]
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")


class Healthz(ApiUser):
    """The trivial endpoint (one SELECT 1, no authentication): what the server costs by itself."""

    fixed_count = USERS["healthz"]

    @task
    def healthz(self) -> None:
        self.client.get("/healthz/", name="GET /healthz/")


@events.init.add_listener
def keep_environment(environment, **kwargs) -> None:
    ENVIRONMENT.append(environment)


@events.quit.add_listener
def write_report(**kwargs) -> None:
    """Write the final figures of every request name to ``LOAD_REPORT`` (JSON), for load/run.py."""
    path = os.environ.get("LOAD_REPORT")
    if not path or not ENVIRONMENT:
        return
    stats = ENVIRONMENT[0].stats
    report = {
        "endpoints": {
            entry.name: {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "rps": entry.total_rps,
                "p50": entry.get_response_time_percentile(0.5),
                "p99": entry.get_response_time_percentile(0.99),
            }
            for entry in [*stats.entries.values(), stats.total]
        },
        "errors": [
            {"request": f"{e.method} {e.name}", "error": str(e.error), "occurrences": e.occurrences}
            for e in stats.errors.values()
        ],
    }
    with open(path, "w") as file:
        json.dump(report, file, indent=2)
