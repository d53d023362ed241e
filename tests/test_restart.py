"""A plain restart of the web server under load drops nothing: every request sent gets its answer.

gunicorn runs as the image runs it (``--config python:orderctl.gunicorn``), on a loopback socket the
test holds, as systemd socket activation holds it (``LISTEN_FDS``): the old server gets SIGTERM and a
new one is started on the same socket while clients keep sending. The old one finishes the requests
in hand (its graceful timeout); connections that arrive meanwhile wait in the socket's queue for the
new one. Bounded: 2,000 requests from 8 clients, each with a 60-second timeout.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from tests.fault_servers import wait_until

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 2000
CLIENTS = 8


class Gunicorn:
    """gunicorn started on the inherited socket ``listener`` (fd 3, as systemd passes it)."""

    def __init__(self, listener: socket.socket, folder: Path, name: str):
        fd = listener.fileno()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
        env.update(DEBUG="true", DATA_DIR=str(folder / "data"), DRAIN_FILE=str(folder / f"{name}.draining"))
        self.drain = folder / f"{name}.draining"
        self.log = folder / f"{name}.log"
        # As systemd passes it: the socket at fd 3, LISTEN_PID gunicorn's own (exec keeps the pid).
        start = (
            f"import os, sys; os.dup2({fd}, 3); os.close({fd}); "
            "os.environ.update(LISTEN_FDS='1', LISTEN_PID=str(os.getpid())); "
            "os.execv(sys.executable, [sys.executable, '-m', 'gunicorn', *sys.argv[1:]])"
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [sys.executable, "-c", start, "orderctl.wsgi:application",
             "--config", "python:orderctl.gunicorn", "--workers", "2", "--no-control-socket"],
            cwd=ROOT, env=env, pass_fds=(fd,), stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def text(self) -> str:
        return self.log.read_text()


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_2000_requests_across_a_plain_restart_of_the_web_server_all_get_their_answer(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    old = Gunicorn(listener, tmp_path, "old")
    new: Gunicorn | None = None
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    sent = iter(range(REQUESTS))
    restart_at = threading.Event()

    def client() -> None:
        while True:
            with lock:
                n = next(sent, None)
            if n is None:
                return
            if n == REQUESTS // 4:
                restart_at.set()
            try:
                outcome = str(get(port, "/healthz/"))
            except OSError as exc:  # refused, reset, closed without an answer, timed out: dropped
                outcome = type(exc).__name__
            with lock:
                outcomes[outcome] += 1

    try:
        wait_until(lambda: "Booting worker" in old.text(), timeout=60, what="the first server")
        assert get(port, "/healthz/") == 200
        clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in clients:
            thread.start()
        assert restart_at.wait(timeout=120)
        # The plain restart: SIGTERM to the server, and the next one started as soon as it is told to go.
        old.process.send_signal(signal.SIGTERM)
        new = Gunicorn(listener, tmp_path, "new")
        old.process.wait(timeout=60)
        for thread in clients:
            thread.join(timeout=300)
        served_by_new = "Booting worker" in new.text()
        time.sleep(0)  # nothing to wait for: every client has its answers
    finally:
        for server in (old, new):
            if server is not None and server.process.poll() is None:
                server.process.terminate()
                server.process.wait(timeout=30)
        listener.close()
    assert old.process.returncode == 0, old.text()[-3000:]
    assert "readiness is false" in old.text()
    assert old.drain.exists()  # made at SIGTERM, for the load balancer's readiness probe
    assert served_by_new
    assert sum(outcomes.values()) == REQUESTS
    assert outcomes == {"200": REQUESTS}, outcomes
