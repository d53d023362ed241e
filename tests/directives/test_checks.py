"""The system checks of directives/operations/checks.py: each fires on the misconfiguration it names,
and only then."""

from __future__ import annotations

import pytest
from django.core.checks import Error, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from directives.operations import checks
from tests.test_security_deploy import PRODUCTION
from tests.test_settings import run_django


def _ids(messages: list) -> list[str]:
    return [m.id for m in messages]


def test_the_time_zone_check_is_silent_with_the_shipped_settings():
    assert checks.check_time_zone(None) == []
    assert "orderctl.E001" not in _ids(run_checks())


@pytest.mark.parametrize(
    ("setting", "value"), [("TIME_ZONE", "America/New_York"), ("USE_TZ", False)], ids=["eastern", "naive"]
)
def test_a_time_zone_other_than_utc_or_naive_times_is_an_error_that_stops_the_commands(
    settings, setting, value
):
    setattr(settings, setting, value)
    [error] = checks.check_time_zone(None)
    assert isinstance(error, Error)
    assert error.id == "orderctl.E001"
    assert "TIME_ZONE must be 'UTC' and USE_TZ True" in error.msg
    # An error, not a warning: manage.py refuses to go on (runserver, migrate, check).
    with pytest.raises(SystemCheckError, match=r"orderctl\.E001"):
        call_command("check")


def test_a_deployment_on_sqlite_is_warned_about():
    result = run_django(
        "from django.core.management import call_command; call_command('check', deploy=True)",
        **{**PRODUCTION, "DATABASE_URL": "sqlite:////tmp/orderctl-check-never-opened.sqlite3"},
    )
    assert result.returncode == 0, result.stderr
    assert "orderctl.W001" in result.stderr
    assert "set DATABASE_URL to PostgreSQL in production" in result.stderr


def test_the_sqlite_warning_is_silent_on_postgresql_and_in_development():
    on_postgresql = run_django(
        "from directives.operations import checks; print(checks.check_production_database(None))",
        **PRODUCTION,
    )
    assert on_postgresql.returncode == 0, on_postgresql.stderr
    assert on_postgresql.stdout.strip() == "[]"
    # A deployment check: a development `check` on the embedded SQLite says nothing of it, and
    # `check --deploy` there warns. Run in its own interpreter on SQLite whatever database the suite
    # itself uses (CI runs it on PostgreSQL).
    sqlite = {"DEBUG": "true", "DATABASE_URL": "sqlite:////tmp/orderctl-check-never-opened.sqlite3"}
    found = run_django(
        "from django.core.checks import run_checks; "
        "print(sorted({m.id for m in run_checks()}), "
        "sorted({m.id for m in run_checks(include_deployment_checks=True)}))",
        **sqlite,
    )
    assert found.returncode == 0, found.stderr
    development, deployment = found.stdout.strip().split("] [")
    assert "orderctl.W001" not in development
    assert "orderctl.W001" in deployment
