"""/metrics: scraped over HTTP as Prometheus does, parsed with prometheus_client's own parser."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from directives import actions
from directives.models import Directive, Notification, TaskRun
from tests.test_settings import run_django

TOKEN = "tests-only-metrics-token-0123456789abcdef"
# The end of EO 14409's 30-day deadlines (Thursday, July 2, 2026, midnight Eastern).
JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)


def scrape(live_server, token: str | None = TOKEN) -> tuple[int, str, dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"{live_server.url}/metrics", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test's own server
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Return every sample of an exposition text by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def test_prometheus_scrapes_the_outbox_the_sweeps_and_the_overdue_count(live_server, order, settings):
    settings.METRICS_TOKEN = TOKEN
    flagged_at = JULY_2_ENDS + dt.timedelta(minutes=1)
    with time_machine.travel(flagged_at, tick=False):
        flagged = actions.flag_overdue(actor=None)
    TaskRun.record("directives.tasks.flag_overdue", at=flagged_at)
    waiting = Notification.objects.filter(state=Notification.State.PENDING).count()
    assert flagged and waiting

    scraped_at = flagged_at + dt.timedelta(minutes=90)
    with time_machine.travel(scraped_at, tick=False):
        status, body, headers = scrape(live_server)
        overdue = sum(d.is_overdue(scraped_at) for d in Directive.objects.trackable())

    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=")
    found = samples(body)
    assert found["orderctl_database_up", ()] == 1
    assert found["orderctl_outbox_depth", (("kind", "notification"),)] == waiting
    assert found["orderctl_outbox_depth", (("kind", "delivery"),)] == 0
    assert found["orderctl_outbox_notifications", (("state", "pending"),)] == waiting
    assert found["orderctl_outbox_notifications", (("state", "sent"),)] == 0
    # The notices were owed by the sweep at flagged_at: the oldest has waited 90 minutes.
    assert found["orderctl_outbox_oldest_pending_age_seconds", ()] == 90 * 60
    assert found[
        "orderctl_task_last_success_timestamp_seconds", (("task", "directives.tasks.flag_overdue"),)
    ] == (flagged_at.timestamp())
    # Every beat task is listed, 0 until it first succeeds, so an alert fires for one that never ran.
    assert (
        found["orderctl_task_last_success_timestamp_seconds", (("task", "directives.tasks.send_reminders"),)]
        == 0
    )
    assert found["orderctl_directives_overdue", ()] == overdue > 0
    # django-prometheus's request metrics are there too.
    assert any(name.startswith("django_http_requests") for name, _ in found)


def test_the_gauges_follow_the_outbox_when_its_notices_are_sent(live_server, order, settings):
    settings.METRICS_TOKEN = TOKEN
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(minutes=1), tick=False):
        actions.flag_overdue(actor=None)
    Notification.objects.update(state=Notification.State.SENT)  # as if the dispatcher had sent them
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(hours=2), tick=False):
        _, body, _ = scrape(live_server)
    found = samples(body)
    assert found["orderctl_outbox_depth", (("kind", "notification"),)] == 0
    assert found["orderctl_outbox_oldest_pending_age_seconds", ()] == 0
    assert found["orderctl_outbox_notifications", (("state", "sent"),)] == Notification.objects.count()


@pytest.mark.parametrize("token", [None, "wrong-token-wrong-token-wrong-token-00", TOKEN + "x"])
def test_a_scrape_without_the_token_is_refused(live_server, db, settings, token):
    settings.METRICS_TOKEN = TOKEN
    status, body, headers = scrape(live_server, token)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert "orderctl_" not in body


def test_without_a_token_configured_the_endpoint_is_off(live_server, db, settings):
    settings.METRICS_TOKEN = ""
    status, body, _ = scrape(live_server)
    assert status == 404
    assert "orderctl_" not in body


def test_a_short_metrics_token_is_refused_at_start():
    done = run_django("", DEBUG="true", METRICS_TOKEN="short")
    assert done.returncode != 0
    assert "METRICS_TOKEN must be at least 32 characters" in done.stderr


def test_a_successful_periodic_task_records_its_run_and_another_task_does_not(db):
    from directives import tasks

    with time_machine.travel(JULY_2_ENDS, tick=False):
        tasks.advance_series.apply()
    assert list(TaskRun.objects.values_list("task", "last_succeeded_at")) == [
        ("directives.tasks.advance_series", JULY_2_ENDS)
    ]
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(hours=1), tick=False):
        tasks.advance_series.apply()
    assert TaskRun.objects.get().last_succeeded_at == JULY_2_ENDS + dt.timedelta(hours=1)
