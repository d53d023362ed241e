"""PostgreSQL down under the web server: pages and the API answer 503 in their own format, and recover.

gunicorn runs with production's settings (DEBUG off, as deployed) and reaches the test database
through a proxy the test cuts (``tests.fault_servers.TcpProxy``): open connections are reset and new
ones refused, which is what the web process sees of PostgreSQL going down; restoring the proxy is
PostgreSQL coming back. Connections are reused (``DB_CONN_MAX_AGE`` as deployed), so recovery also
proves a broken reused connection is replaced rather than failing requests until a restart.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.test import Client
from django.urls import reverse

from agencies import actions as agency_actions
from tests.fault_servers import TcpProxy, ephemeral_port, wait_until
from tests.test_faults import worker_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = secrets.token_urlsafe(50)


def fetch(url: str, headers: dict[str, str], data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers, data=data)  # noqa: S310 - our own loopback server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - likewise
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def web(tmp_path, settings):
    s = connection.settings_dict
    proxy = TcpProxy(s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)).start()
    url = worker_database_url()
    host_port = url.rsplit("@", 1)[1].split("/", 1)[0]
    port = ephemeral_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ALLOW", "PYTEST", "DEBUG"))}
    env.update(
        DATABASE_URL=url.replace(host_port, f"127.0.0.1:{proxy.port}"),
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        HISTORY_SIGNING_KEY=base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode(),
        DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="tests.fault_settings",
    )
    env.pop("REDIS_URL", None)
    settings.SECRET_KEY = SECRET_KEY  # the session made here must be valid there
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        [sys.executable, "-m", "gunicorn", "orderctl.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
        try:
            return fetch(f"{base}/healthz/", {"X-Forwarded-Proto": "https"})[0] == 200
        except OSError:
            return False

    try:
        wait_until(up, timeout=60, what="gunicorn")
        yield base, proxy
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
        proxy.cut()


def test_pages_and_the_api_answer_503_in_their_own_format_while_postgresql_is_down_and_recover(
    web, cisa_editor, directive
):
    base, proxy = web
    browser = Client()
    browser.force_login(cisa_editor)
    _, key = agency_actions.create_api_token(cisa_editor, actor=cisa_editor, name="faults", expires_days=30)
    page = {"X-Forwarded-Proto": "https", "Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    api = {"X-Forwarded-Proto": "https", "Authorization": f"Token {key}", "Content-Type": "application/json"}
    list_page = base + reverse("directive_list")
    events = f"{base}/api/v1/directives/{directive('2(c)(ii)').pk}/events/"
    note = json.dumps({"note": "Still on it."}).encode()

    assert fetch(list_page, page)[0] == 200
    assert fetch(f"{base}/api/v1/directives/", api)[0] == 200

    proxy.cut()  # PostgreSQL is down
    status, headers, body = fetch(list_page, page)
    assert (status, headers["Content-Type"]) == (503, "text/html; charset=utf-8")
    assert b"temporarily unavailable" in body
    assert "Set-Cookie" not in headers
    assert headers["Retry-After"] == "30"
    for data in (None, note):  # a read and a write
        status, headers, body = fetch(events if data else f"{base}/api/v1/directives/", api, data)
        assert (status, headers["Content-Type"]) == (503, "application/json")
        assert json.loads(body) == {
            "detail": ["The database is unreachable; nothing was written. Try again shortly."]
        }
        assert "Set-Cookie" not in headers

    proxy.restore()  # back: the very next requests succeed, nothing restarted
    assert fetch(list_page, page)[0] == 200
    assert fetch(events, api, note)[0] == 201
    assert fetch(f"{base}/api/v1/directives/", api)[0] == 200
