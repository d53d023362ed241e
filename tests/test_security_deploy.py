"""Production settings, as a fresh interpreter with DEBUG off loads them and as its responses show them.

Each test starts Python with exactly the environment a deployment sets (``run_django`` from
``tests/test_settings.py``), so what is checked is the settings module's own production defaults,
not values a test put in place.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.test_settings import run_django

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-production-secret-from-the-environment-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "tracker.example.gov",
    "CSRF_TRUSTED_ORIGINS": "https://tracker.example.gov",
    # Read, never connected to: `check --deploy` only looks at the engine.
    "DATABASE_URL": "postgres://orderctl@127.0.0.1:5432/orderctl",
    "HISTORY_CHECKPOINT_EMAIL": "reviewers",
}
PASSWORD = "a-long-secret-passphrase-9"

# Signs a user in over HTTPS and requests a few pages over plain HTTP, then prints what came back.
SIGN_IN_SCRIPT = f"""
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

call_command("migrate", verbosity=0)
get_user_model().objects.create_user("cisa-editor", password={PASSWORD!r})

def seen(response):
    cookies = {{
        name: {{key: value for key, value in morsel.items() if value}}
        for name, morsel in response.cookies.items()
    }}
    return {{"status": response.status_code, "headers": dict(response.headers), "cookies": cookies}}

# Hashed static file names need collectstatic's manifest; plain storage renders the same pages.
plain_storage = "django.contrib.staticfiles.storage.StaticFilesStorage"
plain = {{**settings.STORAGES, "staticfiles": {{"BACKEND": plain_storage}}}}
with override_settings(STORAGES=plain):
    browser = Client(HTTP_HOST="tracker.example.gov")
    behind_proxy = Client(HTTP_HOST="tracker.example.gov", HTTP_X_FORWARDED_PROTO="https")
    seen_by = {{
        "http_page": seen(browser.get("/accounts/login/")),
        "http_health": seen(browser.get("/healthz/")),
        "https_page": seen(browser.get("/accounts/login/", secure=True)),
        "signed_in": seen(
            browser.post(
                "/accounts/login/", {{"username": "cisa-editor", "password": {PASSWORD!r}}}, secure=True
            )
        ),
        "proxied_page": seen(behind_proxy.get("/accounts/login/")),
    }}
print(json.dumps(seen_by))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    """Return what a production process answered: status, headers and cookies of each request."""
    data = tmp_path_factory.mktemp("production")
    env = PRODUCTION | {
        "DATABASE_URL": f"sqlite:///{data / 'orderctl.sqlite3'}",
        "DATA_DIR": str(data),
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    }
    result = run_django(SIGN_IN_SCRIPT, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_no_issue_with_the_production_environment():
    result = run_django(
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_each_protection_that_is_switched_off():
    """The clean report above comes from these settings, not from a check that cannot fail."""
    result = run_django(
        "from django.core.management import call_command; call_command('check', deploy=True)",
        **PRODUCTION,
        SECURE_HSTS_SECONDS="0",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
    )
    assert result.returncode == 0, result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr, check


def test_check_deploy_warns_when_no_checkpoint_leaves_the_database():
    result = run_django(
        "from django.core.management import call_command; call_command('check', deploy=True)",
        **{**PRODUCTION, "HISTORY_CHECKPOINT_EMAIL": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "orderctl.W002" in result.stderr and "No checkpoint sink outside the database" in result.stderr


def test_plain_http_is_redirected_to_https(production):
    assert production["http_page"]["status"] == 301
    assert production["http_page"]["headers"]["Location"] == "https://tracker.example.gov/accounts/login/"


def test_the_health_check_answers_over_plain_http_for_the_load_balancer(production):
    assert production["http_health"]["status"] == 200


def test_the_proxy_header_marks_a_request_that_arrived_over_https(production):
    assert production["proxied_page"]["status"] == 200
    assert "Strict-Transport-Security" in production["proxied_page"]["headers"]


def test_https_responses_carry_hsts_for_a_year_with_subdomains(production):
    headers = production["https_page"]["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_https_responses_carry_the_browser_protections(production):
    headers = production["https_page"]["headers"]
    assert production["https_page"]["status"] == 200
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_the_session_and_csrf_cookies_are_secure_httponly_and_same_site_lax(production):
    signed_in = production["signed_in"]
    assert signed_in["status"] == 302  # signed in: off to the start page
    cookies = signed_in["cookies"]
    assert set(cookies) >= {"sessionid", "csrftoken"}
    for name in ("sessionid", "csrftoken"):
        assert cookies[name]["secure"] is True, name
        assert cookies[name]["httponly"] is True, name
        assert cookies[name]["samesite"] == "Lax", name
    # The idle timeout, also in the browser: the cookie lasts 30 minutes from the latest response.
    assert cookies["sessionid"]["max-age"] == 30 * 60


def test_local_development_keeps_plain_http_working():
    result = run_django(
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "0"]


def test_the_hardening_is_configured_from_the_environment():
    result = run_django(
        "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE, s.AXES_FAILURE_LIMIT, "
        "s.AXES_COOLOFF_TIME.total_seconds(), s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, "
        "s.TRUSTED_PROXY_COUNT, sep='|')",
        **PRODUCTION,
        SESSION_IDLE_MINUTES="5",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
        SECURE_HSTS_SECONDS="600",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        TRUSTED_PROXY_COUNT="2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "300",
        "3",
        "3600.0",
        "600",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "2",
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto", "SECURE_PROXY_SSL_HEADER must be a request.META"),
        ("SESSION_IDLE_MINUTES", "0", "SESSION_IDLE_MINUTES must be at least 1"),
        ("SECURE_HSTS_SECONDS", "-1", "SECURE_HSTS_SECONDS must be 0 (off) or a positive"),
        ("AXES_FAILURE_LIMIT", "0", "AXES_FAILURE_LIMIT must be at least 1"),
        ("AXES_COOLOFF_MINUTES", "0", "AXES_COOLOFF_MINUTES must be at least 1"),
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT must be 0 or more"),
        ("API_TOKEN_MAX_DAYS", "0", "API_TOKEN_MAX_DAYS must be at least 1"),
        ("API_TOKEN_MAX_DAYS_READ_WRITE", "0", "API_TOKEN_MAX_DAYS_READ_WRITE must be between 1 and"),
        (
            "API_TOKEN_MAX_DAYS_READ_WRITE",
            "3651",
            "API_TOKEN_MAX_DAYS_READ_WRITE must be between 1 and API_TOKEN_MAX_DAYS (3650)",
        ),
        ("SECURE_COOKIES", "yes", "SECURE_COOKIES must be 'true' or 'false'"),
    ],
)
def test_it_refuses_to_start_with_a_bad_security_setting(name, value, message):
    result = run_django("print('started')", **PRODUCTION, **{name: value})
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert message in result.stderr


# --- The documented proxy setup: what .env.example and docker-compose.yml deploy -------------------

ROOT = Path(__file__).resolve().parent.parent


def example_environment() -> dict[str, str]:
    """Return the settings .env.example gives docker-compose (KEY=VALUE lines, comments left out)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_example_deployment_trusts_one_proxy_and_publishes_gunicorn_to_it_alone():
    env = example_environment()
    assert env["TRUSTED_PROXY_COUNT"] == "1"
    assert env["SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https"
    compose = (ROOT / "docker-compose.yml").read_text()
    published = re.findall(r'^\s*-\s*"([^"]*:\d+)"\s*$', compose, re.MULTILINE)
    # Only a proxy on the same host can reach gunicorn, so only it can set the forwarded headers.
    assert published == ["127.0.0.1:${WEB_PORT:-8000}:8000"]


def test_with_the_example_settings_the_lockout_counts_the_address_the_proxy_appended():
    script = (
        "from axes.helpers import get_client_ip_address; from django.test import RequestFactory; "
        "r = RequestFactory().get('/', REMOTE_ADDR='172.18.0.1', "
        "HTTP_X_FORWARDED_FOR='198.51.100.66, 203.0.113.9', HTTP_X_FORWARDED_PROTO='https'); "
        "print(get_client_ip_address(r), r.is_secure(), sep='|')"
    )
    # The example's secrets are placeholders an operator replaces; the signing key must be a real one.
    signing_key = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    result = run_django(script, **{**example_environment(), "HISTORY_SIGNING_KEY": signing_key})
    assert result.returncode == 0, result.stderr
    # As django-axes reads it: the proxy appended 203.0.113.9 (the request came from the docker
    # network's gateway); the client itself wrote 198.51.100.66, which proves nothing.
    assert result.stdout.strip() == "203.0.113.9|True"


def test_check_deploy_warns_when_separation_of_duties_is_off():
    """Only the setting relaxes separation of duties (docs/oversight.md), and the deploy check names it."""
    result = run_django(
        "from django.core.management import call_command; call_command('check', deploy=True)",
        **PRODUCTION,
        SEPARATION_OF_DUTIES="false",
    )
    assert result.returncode == 0, result.stderr
    assert "orderctl.W003" in result.stderr
    assert "SEPARATION_OF_DUTIES is off: one person holding both roles can verify their own claims" in (
        result.stderr
    )
