"""Liveness (/healthz/: this process answers) and readiness (/readyz/: database, broker, migrations).

The unready cases run the real site in a fresh interpreter pointed at what is broken: a PostgreSQL or
Redis port nobody listens on, or a migrated database with one migration marked unapplied. No mock.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests import fresh_django

ROOT = Path(__file__).resolve().parent.parent

# One request through the URL resolver and every middleware, as a load balancer's probe makes it.
PROBE = (
    "import django, json; django.setup(); from django.test import Client; "
    "r = Client(SERVER_NAME='localhost').get({path!r}); "
    "print(json.dumps({{'status': r.status_code, 'body': json.loads(r.content), "
    "'cookies': list(r.cookies)}}))"
)


def closed_port() -> int:
    """Return a loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def probe(path: str, **env: str) -> dict:
    """Ask ``path`` of the site configured by ``env`` (development settings), in a fresh interpreter."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    done = fresh_django.run(  # forked from a preloaded server (tests/fresh_django.py)
        PROBE.format(path=path),
        env={**base, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "orderctl.settings", **env},
        server_env=base,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """Return a SQLite database with every migration applied (made once for this module)."""
    path = tmp_path_factory.mktemp("ready") / "orderctl.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{path}", "REDIS_URL": ""},
        check=True,
        timeout=300,
    )
    return path


def broker_env(tmp_path: Path) -> dict[str, str]:
    """Return a reachable broker: the real Redis when configured, else the embedded one."""
    return {"REDIS_URL": os.environ.get("REDIS_URL", ""), "DATA_DIR": str(tmp_path)}


def test_it_answers_ok_without_signing_in(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_liveness_stays_ok_without_a_database_and_sets_no_cookie(tmp_path):
    answer = probe(
        "/healthz/",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/orderctl",
        **broker_env(tmp_path),
    )
    # An outage of the database must not make an orchestrator restart every web server.
    assert answer == {"status": 200, "body": {"status": "ok"}, "cookies": []}


def test_it_refuses_writes(client, db):
    assert client.post("/healthz/").status_code == 405
    assert client.post("/readyz/").status_code == 405


def test_readiness_is_ready_with_the_database_the_broker_and_every_migration(migrated, tmp_path):
    answer = probe("/readyz/", DATABASE_URL=f"sqlite:///{migrated}", **broker_env(tmp_path))
    assert answer["status"] == 200, answer
    assert answer["body"] == {
        "status": "ready",
        "checks": {"accepting": "ok", "database": "ok", "broker": "ok", "migrations": "ok"},
        "detail": {"outbox_emails_stuck_sending": 0, "outbox_notices_left_sending": 0},
    }


def test_readiness_is_unready_when_the_database_is_unreachable(tmp_path):
    answer = probe(
        "/readyz/",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/orderctl",
        **broker_env(tmp_path),
    )
    assert answer["status"] == 503
    assert answer["body"] == {
        "status": "unready",
        "failed": ["database", "migrations"],
        "checks": {"accepting": "ok", "database": "unreachable", "broker": "ok", "migrations": "unknown"},
        "detail": {},
    }
    assert answer["cookies"] == []


def test_readiness_is_unready_when_the_broker_is_unreachable(migrated, tmp_path):
    answer = probe(
        "/readyz/",
        DATABASE_URL=f"sqlite:///{migrated}",
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/12",
        DATA_DIR=str(tmp_path),
    )
    assert answer["status"] == 503
    assert answer["body"] == {
        "status": "unready",
        "failed": ["broker"],
        "checks": {"accepting": "ok", "database": "ok", "broker": "unreachable", "migrations": "ok"},
        "detail": {"outbox_emails_stuck_sending": 0, "outbox_notices_left_sending": 0},
    }


def test_readiness_is_unready_while_a_migration_is_unapplied(migrated, tmp_path):
    copy = tmp_path / "one-behind.sqlite3"
    copy.write_bytes(migrated.read_bytes())
    with sqlite3.connect(copy) as db:
        (latest,) = db.execute(
            "SELECT name FROM django_migrations WHERE app = 'directives' ORDER BY name DESC LIMIT 1"
        ).fetchone()
        db.execute("DELETE FROM django_migrations WHERE app = 'directives' AND name = ?", (latest,))
    answer = probe("/readyz/", DATABASE_URL=f"sqlite:///{copy}", **broker_env(tmp_path))
    assert answer["status"] == 503
    assert answer["body"] == {
        "status": "unready",
        "failed": ["migrations"],
        "checks": {"accepting": "ok", "database": "ok", "broker": "ok", "migrations": "unapplied"},
        "detail": {"outbox_emails_stuck_sending": 0, "outbox_notices_left_sending": 0},
    }


def test_readiness_turns_false_while_the_drain_file_exists_and_liveness_stays_ok(migrated, tmp_path):
    # Kubernetes' preStop makes the file before SIGTERM: the Service stops sending here first.
    drain = tmp_path / "draining"
    drain.touch()
    env = {"DATABASE_URL": f"sqlite:///{migrated}", "DRAIN_FILE": str(drain), **broker_env(tmp_path)}
    answer = probe("/readyz/", **env)
    assert answer["status"] == 503
    assert answer["body"]["failed"] == ["accepting"]
    assert answer["body"]["checks"]["accepting"] == "draining"
    assert probe("/healthz/", **env)["status"] == 200


def test_a_503_for_a_database_outage_is_logged_once(tmp_path):
    # A page that reads the database, asked while nothing listens on the database's port.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.test import Client; "
            "print(Client(SERVER_NAME='localhost').get('/open-data/orders/14409.json').status_code)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "orderctl.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/orderctl",
            **broker_env(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip().splitlines()[-1] == "503", done.stderr
    logged = [line for line in done.stderr.splitlines() if "/open-data/orders/14409.json" in line]
    assert len(logged) == 1, logged
    assert "answering 503" in logged[0]
