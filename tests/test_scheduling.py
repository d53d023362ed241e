"""How `make test` orders the suite for its workers (tests/conftest.py ``worker_scope``, ``start_order``)."""

from __future__ import annotations

import re

from tests.conftest import LONG, ROOT, start_order, worker_scope


def test_every_long_test_named_to_start_early_still_exists():
    # A renamed or removed test would silently lose its place at the front.
    for prefix in LONG:
        module, _, name = prefix.partition("::")
        path = ROOT / module
        assert path.is_file(), prefix
        function = re.sub(r"\[.*\]$", "", name)
        assert not function or re.search(rf"^def {re.escape(function)}\(", path.read_text(), re.M), prefix


def test_groups_start_first_then_the_long_tests_then_the_rest_as_collected():
    short = "tests/directives/test_actions.py::test_x"
    long = "tests/test_restart.py::test_y"
    browser = "tests/browser/test_z.py::test_z"
    assert worker_scope(browser) == "tests/browser"
    assert sorted([short, long, browser], key=start_order) == [browser, long, short]
