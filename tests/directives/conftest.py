"""Fixtures shared by the directives' tests: the busy history of test_history.py."""

from tests.directives.test_history import busy_history  # noqa: F401 - a fixture, for every test here
