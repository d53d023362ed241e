"""Fresh Django processes for the settings tests, forked from one that has already imported Django.

A test of the settings starts a new process with exactly the environment a deployment sets, so that
what it sees is the settings module's own reading of that environment (``run_django`` in
``tests/test_settings.py``). Starting Python and importing Django, Celery, cryptography and requests
again for each costs about 0.6 s of CPU of the 0.8 s a start takes; the suite starts some sixty.

So each xdist worker keeps one server process that imports those libraries once, and nothing of this
project: the settings are never configured there (checked at its start), and no project module is
imported. For each run it forks a child, which clears and sets the environment, moves to the folder,
points its standard output and error at files of its own, runs the code as ``python -c`` would (as
``__main__``, a traceback and exit status 1 on an uncaught exception, ``SystemExit``'s code), and
exits. The child's settings, apps and every project module are loaded in the child alone, from the
environment it was given: what ``python -c`` in a new interpreter would do, less the imports of
libraries that read neither settings nor environment when imported.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Libraries a Django start of this project imports, none of which reads the settings or the
# environment when imported (the server refuses to start if the settings were configured).
PRELOADED = (
    "django.db.models",
    "django.http",
    "django.urls",
    "django.core.serializers.json",
    "django.contrib.auth.hashers",
    "celery",
    "celery.app.base",
    "cryptography.hazmat.primitives.serialization",
    "cryptography.hazmat.primitives.asymmetric.ed25519",
    "requests",
    "psycopg2",
)

SERVER = r"""
import importlib, json, os, sys, time, traceback
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
from django.conf import settings
if settings.configured:
    sys.exit("fresh_django: a preloaded module configured the settings")
requests_in, answers = sys.stdin, sys.stdout
answers.write("ready\n"); answers.flush()
for line in requests_in:
    job = json.loads(line)
    out = os.open(job["stdout"], os.O_WRONLY | os.O_TRUNC)
    err = os.open(job["stderr"], os.O_WRONLY | os.O_TRUNC)
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            os.dup2(out, 1); os.dup2(err, 2); os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.environ.clear(); os.environ.update(job["env"]); os.chdir(job["cwd"])
            sys.argv = ["-c"]
            try:
                main = {"__name__": "__main__", "__builtins__": __builtins__}
                exec(compile(job["code"], "<string>", "exec"), main)
            except SystemExit as exit:
                code = exit.code
                if code is None:
                    status = 0
                elif isinstance(code, int):
                    status = code
                else:
                    print(code, file=sys.stderr); status = 1
            except BaseException:
                traceback.print_exc(); status = 1
        finally:
            try:
                sys.stdout.flush(); sys.stderr.flush()
            finally:
                os._exit(status)
    os.close(out); os.close(err)
    deadline = time.monotonic() + job["timeout"]
    while True:
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        if done:
            answers.write(json.dumps({"status": os.waitstatus_to_exitcode(wait_status)}) + "\n")
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9); os.waitpid(pid, 0)
            answers.write(json.dumps({"timeout": True}) + "\n")
            break
        time.sleep(0.005)
    answers.flush()
"""


class _Server:
    """One fork server for this process, started on first use, stopped when the process exits."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _start(self, env: dict[str, str]) -> subprocess.Popen[str]:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", SERVER, json.dumps(PRELOADED)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        if process.stdout.readline() != "ready\n":
            process.kill()
            raise RuntimeError("the fresh Django server did not start")
        return process

    def run(
        self, code: str, *, env: dict[str, str], server_env: dict[str, str], cwd: Path, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        with self._lock, tempfile.TemporaryDirectory() as folder:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start(server_env)
            stdout, stderr = Path(folder, "stdout"), Path(folder, "stderr")
            stdout.touch()
            stderr.touch()
            job = {"code": code, "env": env, "cwd": str(cwd), "timeout": timeout}
            job |= {"stdout": str(stdout), "stderr": str(stderr)}
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.write(json.dumps(job) + "\n")
            self._process.stdin.flush()
            answer = json.loads(self._process.stdout.readline())
            out, err = stdout.read_text(errors="replace"), stderr.read_text(errors="replace")
            if answer.get("timeout"):
                raise subprocess.TimeoutExpired(["python", "-c", code], timeout, out, err)
            return subprocess.CompletedProcess(["python", "-c", code], answer["status"], out, err)

    def stop(self) -> None:
        """End the server (its input closed, it exits) and collect it."""
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None


_server = _Server()
atexit.register(_server.stop)


def run(
    code: str, *, env: dict[str, str], server_env: dict[str, str], cwd: Path = ROOT, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as ``python -c`` would in a new process with exactly ``env`` (see the module doc).

    ``server_env`` is the environment the fork server starts with, if it is not running yet: this
    process's, less what the settings read.
    """
    return _server.run(code, env=env, server_env=server_env, cwd=cwd, timeout=timeout)
