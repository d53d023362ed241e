"""The serving process's garbage collector: tuned by the WSGI entry point (``orderctl/runtime.py``)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from orderctl.runtime import YOUNG_OBJECTS

ROOT = Path(__file__).resolve().parent.parent


def test_the_wsgi_application_freezes_what_it_loaded_and_collects_the_young_less_often():
    probe = (
        "import gc; before = gc.get_threshold()[0]; import orderctl.wsgi; "
        "print(before, gc.get_threshold()[0], gc.get_freeze_count() > 0)"
    )
    env = {**os.environ, "DEBUG": "true"}
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    before, after, frozen = result.stdout.split()
    assert (int(before), int(after), frozen) == (700, YOUNG_OBJECTS, "True")


def test_the_suites_process_collects_as_the_server_does():
    """tests/conftest.py tunes the collector once the tests are collected: their requests run here."""
    assert gc.get_threshold()[0] == YOUNG_OBJECTS
    assert gc.get_freeze_count() > 0
