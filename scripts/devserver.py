#!/usr/bin/env python
"""Run the web server, a Celery worker and Celery beat together for development (`make run`).

Each line of output is prefixed with the process it came from. Ctrl-C (or SIGTERM) stops all three;
so does any one of them exiting on its own, since the others would be of little use without it.
Standard library only, so a fresh clone needs nothing beyond the project's own requirements.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 10


def describe_services() -> tuple[list[str], bool]:
    """Return lines saying which broker, database and mail output the processes will use.

    And whether the broker is the embedded filesystem one, which decides the worker's pool.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderctl.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from kombu.utils.url import maybe_sanitize_url

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        database = f"SQLite {db['NAME']} (WAL, busy timeout {db['OPTIONS']['timeout']} s)"
    else:
        host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
        database = f"{db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']} on {host}"
    embedded = settings.CELERY_BROKER_URL.startswith("filesystem:")
    if embedded:
        broker = f"embedded filesystem broker in {settings.CELERY_DATA_DIR}"
    else:
        broker = f"Redis {maybe_sanitize_url(settings.CELERY_BROKER_URL)}"
    mail = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if mail == "filebased":
        mail = f"files in {settings.EMAIL_FILE_PATH}"
    lines = [
        f"database: {database}",
        f"broker:   {broker}",
        f"email:    {mail}, links to {settings.SITE_URL}",
    ]
    return lines, embedded


def commands(port: int, *, embedded_broker: bool) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "orderctl"]
    # The embedded filesystem broker has no event loop: on a warm shutdown a prefork pool then stops its
    # idle children with SIGTERM and logs each as an ERROR ("exited with 'exitcode 70'"), though nothing
    # went wrong. Threads stop cleanly, and the stop request reaches the dispatch loop in-process. With
    # Redis (REDIS_URL, as in production) the worker keeps the prefork pool production runs.
    pool = ["--pool=threads"] if embedded_broker else []
    return {
        "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}"],
        # Gossip and mingle talk to other workers; there are none in development.
        "worker": [
            *celery,
            "worker",
            "--loglevel=INFO",
            *pool,
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }


def _pump(name: str, stream, width: int, lock: threading.Lock) -> None:
    for line in stream:
        with lock:
            sys.stdout.write(f"{name:<{width}} | {line}")
            sys.stdout.flush()


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    """Stop every process: SIGTERM, then SIGKILL each group still alive after the grace period.

    Celery's main processes get SIGTERM alone (a warm shutdown that stops their pool children in
    turn); runserver's whole group gets it, since its reloader parent does not pass it on to the
    server it runs.
    """
    for name, p in processes.items():
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if name == "web":
                    os.killpg(p.pid, signal.SIGTERM)
                else:
                    p.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for p in processes.values():
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    # Whatever a main process left behind in its group (a pool child, the reloaded server).
    for p in processes.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    args = parser.parse_args()

    # Links in emails point at this server: the settings read PORT for SITE_URL's default, in this
    # process and in the worker that sends them.
    os.environ["PORT"] = str(args.port)
    lines, embedded = describe_services()
    for line in lines:
        print(f"orderctl {line}", flush=True)

    stopping = threading.Event()

    def request_stop(signum, frame) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    planned = commands(args.port, embedded_broker=embedded)
    width = max(len(name) for name in planned)
    lock = threading.Lock()
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in planned.items():
            # A session of its own: the terminal's Ctrl-C reaches only this runner, which then stops
            # each child and its own children (runserver's reloader, the worker's pool) in order.
            p = subprocess.Popen(  # noqa: S603 - fixed commands with our own interpreter
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            processes[name] = p
            threading.Thread(target=_pump, args=(name, p.stdout, width, lock), daemon=True).start()
        exited = None
        while not stopping.is_set() and exited is None:
            exited = next((name for name, p in processes.items() if p.poll() is not None), None)
            stopping.wait(0.5)
    finally:
        _stop(processes)
    if exited is not None:
        print(f"orderctl: {exited} exited with status {processes[exited].returncode}; stopped the others.")
        return 1
    print("orderctl: stopped web, worker and beat.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
