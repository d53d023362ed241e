"""The API keeps the promises of its own OpenAPI schema.

A bounded schemathesis run (fixed seed, a few hundred cases over every operation) drives the API
in-process through WSGI with an administrator's token, against the shipped Order. Each response must
not be a server error and must match the schema: its status code, content type, headers and body.
Generated ids, numbers and abbreviations are mapped onto real ones so that most cases reach a
directive rather than a 404. A rejected write (a 4xx answer to a POST) must have written nothing.

`make fuzz` runs the same test with a larger budget (``FUZZ_CASES_PER_OPERATION``, thousands of
cases in all); the seed stays fixed, so a failure found there is found again by the same command.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agencies.models import Agency
from directives import actions
from directives.models import Directive, DirectiveEvent, Notification
from tests.api.conftest import token_client
from tests.directives.rule_orders import AT_B, ORDER_A, ORDER_B, load

# Nine operations: by default a few hundred cases, well under a minute.
CASES_PER_OPERATION = int(os.environ.get("FUZZ_CASES_PER_OPERATION", "40"))


# Loaded when the module is collected: the schema endpoint is open and touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def keep_the_test_connection():
    """Stop the WSGI app closing the database connection after each request, as Django's test client
    does: the test's transaction lives on it (PostgreSQL would lose it, SQLite in memory does not)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(admin_user) -> str:
    client = token_client(admin_user)
    return client._credentials["HTTP_AUTHORIZATION"]  # type: ignore[attr-defined]  # set by credentials()


@pytest.fixture
def real(order) -> dict[str, list]:
    # Two more orders, so that the directives answered carry every kind of deadline rule, an occurrence
    # of a series, a rescinded status and an amended deadline.
    load(ORDER_A)
    load(ORDER_B, AT_B)
    with time_machine.travel(dt.datetime(2026, 3, 15, tzinfo=dt.UTC), tick=False):
        actions.advance_series()
    return {
        "id": list(Directive.objects.order_by("pk").values_list("pk", flat=True)),
        "directive_id": list(Directive.objects.order_by("pk").values_list("pk", flat=True)),
        "number": [order.number, 90001, 90002],
        "abbreviation": list(Agency.objects.order_by("pk").values_list("abbreviation", flat=True)),
    }


def written() -> tuple:
    """Return everything a write could change, to prove that a rejected one changed nothing."""
    return (
        DirectiveEvent.objects.count(),
        Notification.objects.count(),
        list(Directive.objects.order_by("pk").values_list("status", "forecast_on", "updated_at")),
    )


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=CASES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@seed(14409)
def test_the_api_matches_its_schema(case, keep_the_test_connection, admin_token, real):
    for name, value in (case.path_parameters or {}).items():
        choices = real.get(name)
        if choices:
            key = value if isinstance(value, int) else len(str(value))
            case.path_parameters[name] = choices[key % len(choices)]
    # A random If-Match never matches, so keep it on a third of the writes and let the rest reach the
    # actions layer (test_events.py covers 412 precisely).
    if_match = (case.headers or {}).get("If-Match")
    if if_match is not None and len(if_match) % 3:
        del case.headers["If-Match"]
    before = written() if case.method.upper() == "POST" else None
    response = case.call_and_validate(
        headers={"Authorization": admin_token},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
    if before is not None and 400 <= response.status_code < 500:
        assert written() == before, f"a rejected POST ({response.status_code}) wrote something"
