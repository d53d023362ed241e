"""`make run`'s process runner (scripts/devserver.py): Ctrl-C stops web, worker and beat cleanly.

The runner is started as `make run` starts it, on the embedded defaults (SQLite, the filesystem broker)
in a scratch data folder, and stopped with the SIGINT a terminal's Ctrl-C sends it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _embedded_env(data_dir: Path, port: int) -> dict[str, str]:
    """Return the environment of a newcomer's `make run`: no servers configured, DEBUG on."""
    configured = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in configured}
    env.update(DEBUG="true", DATA_DIR=str(data_dir), PORT=str(port), PYTHONUNBUFFERED="1")
    return env


def test_ctrl_c_stops_web_worker_and_beat_with_exit_0_and_no_error_line(tmp_path):
    port = _free_port()
    env = _embedded_env(tmp_path / "data", port)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    runner = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "scripts/devserver.py", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(runner.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            worker_ready = any("worker" in line and " ready." in line for line in lines)
            beat_started = any(line.startswith("beat") and "beat: Starting" in line for line in lines)
            if worker_ready and beat_started and _answers(port):
                break
            assert runner.poll() is None, "".join(lines)
            time.sleep(0.5)
        else:
            raise AssertionError("web, worker and beat did not all start:\n" + "".join(lines))
        runner.send_signal(signal.SIGINT)
        code = runner.wait(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    reader.join(timeout=5)
    output = "".join(lines)
    assert code == 0, output
    assert "orderctl: stopped web, worker and beat." in output
    errors = [line for line in output.splitlines() if "ERROR" in line or "Traceback" in line]
    assert errors == [], output
    assert "Warm shutdown" in output  # the worker was asked to stop, not killed


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
