"""PostgreSQL down under the web server: pages and the API answer 503 in their own format, and recover.

The PostgreSQL here is the test's own cluster (``initdb`` and ``pg_ctl`` from the server's binaries, on a
free port, in a scratch folder), migrated and loaded by orderctl's own commands, so stopping it disturbs
nobody. gunicorn runs with production's settings (DEBUG off, secrets from the environment, connections
reused for ``DB_CONN_MAX_AGE`` as deployed). The cluster is stopped (``pg_ctl stop -m fast``: every
connection told the server is shutting down, new ones refused), then started again: the very next
requests must succeed, with nothing restarted.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.fault_servers import ephemeral_port, wait_until
from tests.test_faults import without_faketime

ROOT = Path(__file__).resolve().parent.parent
_BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))

pytestmark = pytest.mark.skipif(
    not _BINARIES and not shutil.which("pg_ctl"), reason="PostgreSQL's server binaries are not installed"
)

# Made as a Django shell script in the app's own process: a CISA editor, signed in, with a token.
SETUP = """
import json
from django.test import Client
from agencies import actions
from directives.models import Directive
from tests.conftest import _user
user = _user("cisa-editor", editor_of="CISA")
browser = Client()
browser.force_login(user)
_, token = actions.create_api_token(user, actor=user, name="faults", expires_days=30)
print("SETUP " + json.dumps({
    "session": browser.cookies["sessionid"].value,
    "token": token,
    "directive": Directive.objects.get(ref="2(c)(ii)").pk,
}))
"""


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own. As root (a container), it runs as the postgres user."""

    def __init__(self) -> None:
        self.bin = Path(_BINARIES[-1]).parent if _BINARIES else Path(str(shutil.which("pg_ctl"))).parent
        self.folder = Path(tempfile.mkdtemp(prefix="orderctl-pg-"))  # outside pytest's private tmp
        self.data = self.folder / "data"
        self.port = ephemeral_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            self.as_owner = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, "postgres")
        self.env = without_faketime(dict(os.environ))
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own binaries, fixed arguments
            [*self.as_owner, *args], env=self.env, check=True, capture_output=True, timeout=120
        )

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "postgres.log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def fetch(url: str, headers: dict[str, str], data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers, data=data)  # noqa: S310 - our own loopback server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - likewise
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def site(tmp_path) -> Iterator[tuple[str, PrivatePostgres, dict[str, object]]]:
    postgres = PrivatePostgres()
    postgres.init()
    postgres.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ALLOW", "PYTEST", "DEBUG"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.fault_settings",
        DATABASE_URL=postgres.url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        HISTORY_SIGNING_KEY=base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode(),
        DATA_DIR=str(tmp_path / "data"),
    )
    manage = [sys.executable, "manage.py"]
    process = None
    log = (tmp_path / "gunicorn.log").open("w")
    try:
        for command in (["migrate", "--no-input", "-v0"], ["load_order"], ["shell", "-c", SETUP]):
            done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
                [*manage, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
            )
            assert done.returncode == 0, done.stderr[-3000:]
        made = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("SETUP "))[6:])
        port = ephemeral_port()
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [sys.executable, "-m", "gunicorn", "orderctl.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--no-control-socket"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            assert process is not None and process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                return fetch(f"{base}/healthz/", {"X-Forwarded-Proto": "https"})[0] == 200
            except OSError:
                return False

        wait_until(up, timeout=60, what="gunicorn")
        yield base, postgres, made
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        log.close()
        postgres.remove()


def test_pages_and_the_api_answer_503_in_their_own_format_while_postgresql_is_down_and_recover(site):
    base, postgres, made = site
    page = {"X-Forwarded-Proto": "https", "Cookie": f"sessionid={made['session']}"}
    api = {"X-Forwarded-Proto": "https", "Authorization": f"Token {made['token']}"}
    api_write = {**api, "Content-Type": "application/json"}
    list_page, directives = f"{base}/directives/", f"{base}/api/v1/directives/"
    events = f"{directives}{made['directive']}/events/"
    note = json.dumps({"note": "Still on it."}).encode()

    assert fetch(list_page, page)[0] == 200
    assert fetch(directives, api)[0] == 200

    postgres.stop()
    status, headers, body = fetch(list_page, page)
    assert (status, headers["Content-Type"]) == (503, "text/html; charset=utf-8")
    assert b"temporarily unavailable" in body
    assert "Set-Cookie" not in headers
    assert headers["Retry-After"] == "30"
    for url, headers_sent, data in ((directives, api, None), (events, api_write, note)):  # a read, a write
        status, headers, body = fetch(url, headers_sent, data)
        assert (status, headers["Content-Type"]) == (503, "application/json")
        assert json.loads(body) == {
            "detail": ["The database is unreachable; nothing was written. Try again shortly."]
        }
        assert "Set-Cookie" not in headers

    postgres.start()  # back: the very next requests succeed, nothing restarted
    assert fetch(list_page, page)[0] == 200
    assert fetch(events, api_write, note)[0] == 201
    assert fetch(directives, api)[0] == 200
