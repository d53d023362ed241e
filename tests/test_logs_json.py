"""Structured logs: one JSON object a line, the request id on every line, failed tasks named with ids."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator

import pytest
from celery import shared_task
from django.conf import settings

from agencies.logs import RequestIdFilter
from tests.test_settings import run_django


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Capture every log line, formatted and filtered as production's console handler does."""
    formatters: dict = settings.LOGGING["formatters"]  # type: ignore[assignment]  # one settings dict
    formatter = logging.config.DictConfigurator(settings.LOGGING).configure_formatter(
        dict(formatters["json"])
    )
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


def lines_of(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_production_logs_json_and_development_plain_text():
    production = run_django(
        "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="tracker.example.gov",
    )
    assert production.stdout.strip() == "json", production.stderr
    development = run_django(
        "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])",
        DEBUG="true",
    )
    assert development.stdout.strip() == "plain", development.stderr


def test_it_refuses_an_unknown_log_format():
    done = run_django("", DEBUG="true", LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "LOG_FORMAT must be 'json' or 'plain', not 'xml'" in done.stderr


def test_a_well_formed_request_id_is_kept_echoed_and_on_every_line_of_its_request(client, db, json_log):
    response = client.get("/no-such-page/", headers={"X-Request-ID": "lb-7f3a9c21-0001"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"
    lines = lines_of(json_log)
    assert lines, "the 404 is logged"
    assert {line["request_id"] for line in lines} == {"lb-7f3a9c21-0001"}
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["level"] == "WARNING"
    assert "Not Found: /no-such-page/" in not_found["message"]
    assert {"time", "level", "logger", "message", "request_id"} <= set(not_found)


@pytest.mark.parametrize(
    "sent",
    [None, "", "short", "has space in it", "line\nbreak-forged-entry", "x" * 200, '{"json":"inside"}'],
    ids=["absent", "empty", "too-short", "space", "newline", "too-long", "json"],
)
def test_a_missing_or_malformed_request_id_is_replaced_by_a_fresh_one(client, db, json_log, sent):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    response = client.get("/no-such-page/", headers=headers)
    made = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert {line["request_id"] for line in lines_of(json_log)} == {made}


def test_two_requests_get_two_ids_and_lines_outside_a_request_get_none(client, db, json_log):
    first = client.get("/no-such-page/")["X-Request-ID"]
    second = client.get("/no-such-page/")["X-Request-ID"]
    logging.getLogger("orderctl.test").warning("between requests")
    assert first != second
    ids = [line["request_id"] for line in lines_of(json_log)]
    assert ids == [first, second, "-"]


@shared_task(name="tests.failing_task")
def failing_task(directive_id: int, order_number: int, note: object = None) -> None:
    raise RuntimeError("the sweep broke")


def test_a_failed_task_is_logged_with_its_name_and_the_ids_it_was_given(json_log):
    result = failing_task.apply(args=(42, 14409), kwargs={"note": {"free text": "not copied"}})
    assert result.failed()
    failure = next(
        line for line in lines_of(json_log) if line["message"].startswith("task tests.failing_task")
    )
    assert failure["level"] == "ERROR"
    assert failure["task"] == "tests.failing_task"
    assert failure["task_id"] == result.id
    assert failure["arg_ids"] == [42, 14409]
    # Whatever is not an id is named by its type only: a note's text is not copied into the line.
    assert failure["kwarg_ids"] == {"note": "dict"}
    assert failure["exception"] == "RuntimeError"
    assert "free text" not in json.dumps(failure)
    # Its log lines carry the task's id where a request's carry the request id.
    assert failure["request_id"] == result.id
