"""Settings come from the environment, with safe local defaults and loud misconfiguration."""

import os
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from orderctl.settings import env_bool, env_int, env_list
from tests import fresh_django

ROOT = Path(__file__).resolve().parent.parent
# 32 bytes for the tests' production processes: never a real key (it is in the repository).
TEST_SIGNING_KEY = "dGVzdHMtb25seS1wcm9kdWN0aW9uLWtleS0zMmJ5dGU="


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` after django.setup() in a fresh interpreter with exactly the given settings env."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL", "PORT")
        and not k.startswith("HISTORY_")
    }
    # Production needs a history signing key: a fixed one, for tests only, unless the test sets its own
    # (an empty value is "unset").
    env.setdefault("HISTORY_SIGNING_KEY", TEST_SIGNING_KEY)
    script = f"import django; django.setup(); {code}"
    # Forked from a process that has imported Django and the other libraries once (tests/fresh_django.py).
    return fresh_django.run(
        script, env={**base, "DJANGO_SETTINGS_MODULE": "orderctl.settings", **env}, server_env=base, cwd=ROOT
    )


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("FALSE", False), ("", True)])
def test_env_bool_reads_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is expected


@pytest.mark.parametrize("raw", ["yes", "1", "on", "tru"])
def test_env_bool_rejects_anything_else(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be 'true' or 'false'"):
        env_bool("SOME_FLAG", False)


def test_env_int_and_env_list(monkeypatch):
    monkeypatch.setenv("N", "12")
    monkeypatch.setenv("HOSTS", " a.gov, ,b.gov ")
    assert env_int("N", 1) == 12
    assert env_list("HOSTS", []) == ["a.gov", "b.gov"]
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="N must be a whole number"):
        env_int("N", 1)


def test_with_debug_unset_the_settings_are_productions_and_refuse_to_start_without_a_key():
    result = run_django("print('started')", ALLOWED_HOSTS="tracker.example.gov")
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_with_debug_unset_and_a_key_debug_is_off():
    result = run_django(
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        SECRET_KEY="a-long-production-secret-from-the-environment",
        ALLOWED_HOSTS="tracker.example.gov",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_without_debug_the_public_development_key_is_refused():
    result = run_django(
        "print('started')",
        DEBUG="false",
        SECRET_KEY="django-insecure-local-development-only-never-in-production",
        ALLOWED_HOSTS="tracker.example.gov",
    )
    assert result.returncode != 0
    assert "must not be the public development key" in result.stderr


def test_without_debug_allowed_hosts_are_required():
    result = run_django("print('started')", DEBUG="false", SECRET_KEY="a-long-production-secret")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is false" in result.stderr


def test_in_development_email_links_follow_the_port():
    result = run_django(
        "from django.conf import settings; print(settings.SITE_URL)", DEBUG="true", PORT="8731"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8731"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ALLOWED_HOSTS": "tracker.example.gov,localhost"}, "https://tracker.example.gov"),
        (
            {"ALLOWED_HOSTS": ".example.gov", "SITE_URL": "https://orderctl.example.gov"},
            "https://orderctl.example.gov",
        ),
    ],
)
def test_in_production_email_links_use_site_url_or_the_first_allowed_host(env, expected):
    result = run_django(
        "from django.conf import settings; print(settings.SITE_URL)",
        DEBUG="false",
        SECRET_KEY="a-long-production-secret",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_in_production_a_host_pattern_needs_site_url():
    result = run_django(
        "print('started')", DEBUG="false", SECRET_KEY="a-long-secret", ALLOWED_HOSTS=".example.gov"
    )
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_without_debug_a_secret_key_is_required():
    result = run_django("print('started')", DEBUG="false", ALLOWED_HOSTS="tracker.example.gov")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_without_debug_the_given_secret_key_is_used():
    result = run_django(
        "from django.conf import settings; print(settings.SECRET_KEY, settings.ALLOWED_HOSTS)",
        DEBUG="false",
        SECRET_KEY="a-long-production-secret-from-the-environment",
        ALLOWED_HOSTS="tracker.example.gov",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "a-long-production-secret-from-the-environment",
        "['tracker.example.gov']",
    ]


def test_the_local_default_is_sqlite_in_wal_mode_under_the_data_folder(tmp_path):
    result = run_django(
        "from django.db import connection; connection.ensure_connection(); "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "print(connection.settings_dict['NAME'])",
        DEBUG="true",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    mode, name = result.stdout.split()
    assert mode == "wal"
    assert name == str(tmp_path / "orderctl.sqlite3")
