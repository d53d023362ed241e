"""Run `make load`: gunicorn on PostgreSQL and Redis under 50 concurrent clients for 60 seconds.

Against ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``, this script migrates, loads the Order,
creates an editor of every lead agency with an API token, starts gunicorn (4 workers, ``DEBUG`` off,
rate limits raised) on a free loopback port, and runs ``load/locustfile.py`` headless: the directive
list, the summary, status changes and notes, and ``/healthz/`` side by side. Then it prints p50, p99
and requests per second per endpoint, counts errors (failed requests, and tracebacks in gunicorn's
log), checks that every accepted write left exactly one event, stops everything, and exits 1 on any
error. Traffic goes to 127.0.0.1 only. Each run adds its events to that database: use a scratch one.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD_USER = "load-editor"
PORTS = range(8204, 8211)
USERS = 50  # concurrent clients: the sum of the user classes' fixed counts in locustfile.py
# (what the table says, locust's request name)
ENDPOINTS = [
    ("directive list", "GET /api/v1/directives/"),
    ("summary", "GET /api/v1/summary/"),
    ("status change", "POST events/ (status change)"),
    ("note", "POST events/ (note)"),
    ("healthz (trivial)", "GET /healthz/"),
]


def fail(message: str) -> None:
    sys.exit(f"make load: {message}")


def free_port() -> int:
    """Return the first loopback port of 8204-8210 that nothing listens on (the fault tests use it too)."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {PORTS.start}-{PORTS.stop - 1}")


def prepare() -> tuple[str, list[int], int]:
    """Migrate, load the Order, and return an editor's token, the directives it leads, and its events."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderctl.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from agencies.actions import create_api_token
    from agencies.models import Membership
    from directives.models import Directive, DirectiveEvent, Involvement

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_order", verbosity=0)
    # Someone who edits for every agency that leads a directive, as one token for all writers.
    user, _ = get_user_model().objects.get_or_create(
        username=LOAD_USER, defaults={"email": "load-editor@example.com"}
    )
    leads = Involvement.objects.filter(role=Involvement.Role.LEAD).values_list("agency_id", flat=True)
    for agency_id in set(leads):
        Membership.objects.get_or_create(
            user=user, agency_id=agency_id, defaults={"role": Membership.Role.EDITOR}
        )
    _, key = create_api_token(
        user, actor=None, name=f"make load {time.strftime('%Y-%m-%d %H:%M')}", expires_days=1
    )
    writable = list(
        Directive.objects.filter(order__number=14409, children__isnull=True, involvements__role="lead")
        .distinct()
        .order_by("position")
        .values_list("pk", flat=True)
    )
    events = DirectiveEvent.objects.filter(actor=user).count()
    connections.close_all()
    return key, writable, events


def events_of_load_user() -> int:
    from django.db import connections

    from directives.models import DirectiveEvent

    count = DirectiveEvent.objects.filter(actor__username=LOAD_USER).count()
    connections.close_all()
    return count


def children_cpu() -> float:
    """Return the CPU seconds used so far by this script's finished child processes and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz/", timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    fail(f"gunicorn did not answer /healthz/ within 60 s:\n{log.read_text()[-3000:]}")


def report(path: Path) -> tuple[int, dict[str, int]]:
    """Print the table of figures; return the number of failed requests and successes by request name."""
    data = json.loads(path.read_text())
    rows = data["endpoints"]
    print(f"\n{'endpoint':<20} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}")
    for label, name in [*ENDPOINTS, ("all", "Aggregated")]:
        row = rows.get(name)
        if row is None:
            fail(f"locust recorded no request named {name!r}")
        print(
            f"{label:<20} {row['requests']:>9} {row['rps']:>8.1f} {row['p50']:>7.0f} {row['p99']:>7.0f} "
            f"{row['failures']:>7}"
        )
    for error in data["errors"]:
        print(f"  failed {error['occurrences']} times: {error['request']}: {error['error']}")
    succeeded = {name: row["requests"] - row["failures"] for name, row in rows.items()}
    return rows["Aggregated"]["failures"], succeeded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the run (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        fail("set DATABASE_URL to a PostgreSQL database (a scratch one: each run adds its events)")
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        fail("set REDIS_URL (the rate limits and the cache are shared through Redis, as in production)")

    key, writable, events_before = prepare()
    try:
        port = free_port()
    except RuntimeError as exc:
        fail(str(exc))
    url = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="orderctl-load-"))
    server_log = workdir / "gunicorn.log"
    server_env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # A fresh key per run: the scratch database's history is signed by a key nobody keeps.
        "HISTORY_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback; production terminates TLS in front
        "API_RATE_TOKEN": "100000000/hour",  # every writer and reader shares one token here
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "orderctl.wsgi", "--workers", str(args.workers)]
    print(f"gunicorn: {args.workers} workers on {url}; locust: {USERS} users for {args.seconds} s")
    # The machine may be shared: its load and each side's CPU time put the figures in context.
    load_before = os.getloadavg()[0]
    cpu_before = children_cpu()
    with server_log.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [*gunicorn, "--bind", f"127.0.0.1:{port}", "--error-logfile", "-"],
            cwd=ROOT,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(url, server, server_log)
        locust = [sys.executable, "-m", "locust", "-f", str(ROOT / "load" / "locustfile.py"), "--headless"]
        locust += ["--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{args.seconds}s"]
        # Users finish the request they are in when time is up, so every write is counted.
        locust += ["--host", url, "--stop-timeout", "30", "--only-summary"]
        with (workdir / "locust.log").open("wb") as log:
            subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
                locust,
                cwd=ROOT,
                env={
                    **os.environ,
                    "LOAD_TOKEN": key,
                    "LOAD_DIRECTIVES": ",".join(map(str, writable)),
                    "LOAD_REPORT": str(workdir / "report.json"),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=args.seconds + 120,
            )
    finally:
        load_after = os.getloadavg()[0]
        cpu_locust = children_cpu() - cpu_before
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        cpu_server = children_cpu() - cpu_before - cpu_locust

    if not (workdir / "report.json").exists():
        fail(f"locust wrote no report:\n{(workdir / 'locust.log').read_text()[-3000:]}")
    failed, succeeded = report(workdir / "report.json")
    server_errors = server_log.read_text(errors="replace").count("Traceback")
    written = events_of_load_user() - events_before
    accepted = succeeded["POST events/ (status change)"] + succeeded["POST events/ (note)"]
    requests = succeeded["Aggregated"] or 1
    print(
        f"\nCPU: gunicorn {cpu_server:.1f} s ({1000 * cpu_server / requests:.1f} ms a request, start-up "
        f"included), locust {cpu_locust:.1f} s; load average {load_before:.2f} before, {load_after:.2f} "
        f"after, on {os.cpu_count()} cores"
    )
    print(f"server errors (tracebacks in gunicorn's log): {server_errors}")
    print(f"accepted writes: {accepted}; events they left: {written}")
    print(f"figures and logs: {workdir}")
    if failed or server_errors or written != accepted:
        fail("errors under load (see above)")
    print("no error")


if __name__ == "__main__":
    main()
