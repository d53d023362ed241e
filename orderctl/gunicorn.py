"""gunicorn's settings for the web server: a restart finishes every request it took.

The image's CMD, docker-compose.yml and deploy/web.yaml start gunicorn with
``--config python:orderctl.gunicorn``. On SIGTERM (``docker stop``, Kubernetes after the pod's
``preStop``, a plain restart) gunicorn stops accepting connections and finishes the requests in hand,
for up to ``graceful_timeout`` seconds, before its workers exit. Readiness turns false first: the
moment SIGTERM arrives, ``DRAIN_FILE`` is made, so ``/readyz/`` answers 503 "draining" while the
requests in hand finish (Kubernetes' ``preStop`` makes it earlier still, then waits for the Service to
stop sending here). A new server removes a drain file left by the one before it.

A connection the kernel accepted but no worker had taken yet is lost when the last process holding
the listening socket exits. Where the socket outlives the process (systemd socket activation, which
gunicorn supports through ``LISTEN_FDS``), those connections wait for the next server instead:
``tests/test_restart.py`` restarts gunicorn that way under load and counts what was dropped.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

# The requests in hand get this long to finish after SIGTERM; Kubernetes' terminationGracePeriodSeconds
# (deploy/web.yaml) and compose's stop_grace_period leave room for it and for the preStop wait.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Connections the kernel holds for the workers while they are busy (or while a new server starts).
backlog = 2048


def _drain_file() -> Path | None:
    name = os.environ.get("DRAIN_FILE", "")
    return Path(name) if name else None


def on_starting(server: Any) -> None:
    """Forget a drain file left by the server before: this one is ready to take requests."""
    drain = _drain_file()
    if drain is not None:
        with contextlib.suppress(FileNotFoundError):
            drain.unlink()


def when_ready(server: Any) -> None:
    """Make readiness false as soon as SIGTERM arrives, before gunicorn stops taking connections."""
    stop = server.handle_term

    def handle_term() -> None:
        drain = _drain_file()
        if drain is not None:
            try:
                drain.touch()
            except OSError as exc:  # readiness stays as it was; the shutdown goes on
                server.log.warning("could not make the drain file %s: %s", drain, exc)
        server.log.info(
            "SIGTERM: readiness is false; finishing the requests in hand (up to %s s)", graceful_timeout
        )
        stop()

    server.handle_term = handle_term
