"""An expected refusal is logged as one line with its reason: no traceback, on the pages and the API."""

from __future__ import annotations

import logging
from html import escape

from django.test import Client

from tests.api.conftest import token_client


def refusals(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_forbidden_page_post_logs_one_line_with_the_reason_and_no_traceback(
    treasury_editor, directive, caplog
):
    client = Client()
    client.force_login(treasury_editor)
    path = f"/directives/{directive('2(c)(ii)').pk}/"
    with caplog.at_level(logging.INFO):
        response = client.post(path, {"status": "in_progress"})
    assert response.status_code == 403
    (record,) = refusals(caplog)
    assert (record.name, record.levelname) == ("django.request", "WARNING")
    # The reason is the one the page gave the editor.
    reason = record.getMessage().removeprefix(f"Forbidden (Permission denied): {path}: ")
    assert reason != record.getMessage()
    assert (
        f'<p class="usa-alert__text">{escape(reason)} Nothing was changed.</p>' in response.content.decode()
    )
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_forbidden_api_write_logs_one_line_and_no_traceback(treasury_editor, directive, caplog):
    client = token_client(treasury_editor)
    path = f"/api/v1/directives/{directive('2(c)(ii)').pk}/events/"
    with caplog.at_level(logging.INFO):
        response = client.post(path, {"status": "in_progress"}, format="json")
    assert response.status_code == 403
    (record,) = refusals(caplog)
    assert (record.name, record.getMessage()) == ("django.request", f"Forbidden: {path}")
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_any_other_error_keeps_its_traceback(caplog):
    """Only refusals lose the traceback: a real failure is logged, through the same logger, in full."""
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        with caplog.at_level(logging.INFO):
            logging.getLogger("django.request").error(
                "Internal Server Error: %s", "/account/tokens/", exc_info=True
            )
    (record,) = refusals(caplog)
    assert record.getMessage() == "Internal Server Error: /account/tokens/"
    assert isinstance(record.exc_info[1], RuntimeError)
    assert "Traceback" in caplog.text


def test_in_development_a_warning_is_printed_once():
    """Django's own console handler (DEBUG only) and the root's would print each django.* warning twice."""
    from tests.test_settings import run_django

    code = (
        "import logging; logging.getLogger('django.request').warning('probe: django'); "
        "logging.getLogger('directives').warning('probe: ours')"
    )
    for debug in ("true", "false"):
        env = {"DEBUG": debug}
        if debug == "false":
            env |= {
                "SECRET_KEY": "a-long-secret",
                "ALLOWED_HOSTS": "tracker.example.gov",
                "HISTORY_SIGNING_KEY": SIGNING_KEY,
            }
        result = run_django(code, **env)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("probe: django") == 1, (debug, result.stderr)
        assert result.stderr.count("probe: ours") == 1, (debug, result.stderr)


# Any 32 bytes are an Ed25519 key: this one signs nothing.
SIGNING_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
