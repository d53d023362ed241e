"""The fork server behind run_django (tests/fresh_django.py) gives each run what a new interpreter would."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests import fresh_django

PROJECT = ("orderctl", "directives", "agencies", "ledger", "uswds")


@pytest.fixture
def server() -> Iterator[fresh_django._Server]:
    server = fresh_django._Server()
    yield server
    server.stop()


def run(server, code: str, env: dict[str, str] | None = None, timeout: float = 60):
    server_env = {"PATH": os.environ["PATH"], "ONLY_IN_THE_SERVER": "1"}
    return server.run(
        code,
        env=env or {"PATH": os.environ["PATH"]},
        server_env=server_env,
        cwd=fresh_django.ROOT,
        timeout=timeout,
    )


def test_a_run_sees_exactly_its_own_environment(server):
    done = run(server, "import os; print(sorted(os.environ))", {"PATH": os.environ["PATH"], "A_SETTING": "x"})
    assert done.stdout.strip() == str(["A_SETTING", "PATH"])
    assert done.returncode == 0


def test_no_project_module_and_no_settings_before_the_run_loads_them(server):
    code = (
        "import sys; from django.conf import settings; "
        f"print([m for m in sys.modules if m.partition('.')[0] in {PROJECT!r}], settings.configured)"
    )
    assert run(server, code).stdout.strip() == "[] False"


def test_each_run_is_a_new_process_and_leaves_nothing_to_the_next(server):
    first = run(server, "import os, sys; sys.modules['os'].left_behind = 1; print(os.getpid())")
    second = run(server, "import os; print(os.getpid(), hasattr(os, 'left_behind'))")
    assert first.stdout.split()[0] != second.stdout.split()[0]
    assert second.stdout.split()[1] == "False"


def test_an_uncaught_exception_is_status_1_with_its_traceback(server):
    done = run(server, "print('before'); raise RuntimeError('the settings refused')")
    assert (done.returncode, done.stdout) == (1, "before\n")
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert done.stderr.rstrip().endswith("RuntimeError: the settings refused")


@pytest.mark.parametrize(
    ("code", "status", "stderr"),
    [("sys.exit(3)", 3, ""), ("sys.exit('no key')", 1, "no key\n"), ("sys.exit()", 0, "")],
)
def test_an_exit_gives_its_status_as_python_does(server, code, status, stderr):
    done = run(server, f"import sys; {code}")
    assert (done.returncode, done.stderr) == (status, stderr)


def test_a_run_past_its_timeout_is_killed_and_the_server_goes_on(server):
    with pytest.raises(subprocess.TimeoutExpired):
        run(server, "import time; time.sleep(30)", timeout=0.5)
    assert run(server, "print('next')").stdout == "next\n"
