"""The benchmark's pieces stay honest: a small data set seeds once, and the hand-written baseline
returns the same answer as the API (``make bench`` times them; this only checks them)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from bench.api import _same_answer
from bench.dataset import DIRECTIVES_PER_ORDER, EVENTS_PER_DIRECTIVE, ensure_dataset
from directives.history import proof

pytestmark = pytest.mark.django_db


def test_the_data_set_is_seeded_once_then_reused(db):
    first = ensure_dataset(orders=3, log=lambda message: None)
    assert (first.orders, first.directives, first.agencies) == (3, 3 * DIRECTIVES_PER_ORDER, 100)
    assert first.events == 3 * DIRECTIVES_PER_ORDER * EVENTS_PER_DIRECTIVE
    assert first.seeded
    again = ensure_dataset(orders=3, log=lambda message: None)
    assert not again.seeded
    assert again.directives == first.directives


def test_the_data_set_replays_to_its_directives_state_and_verifies(db):
    """bench/verify.py times verify_history on it: it must be a record that passes, not one that fails."""
    ensure_dataset(orders=3, log=lambda message: None)
    report = proof.verify()
    assert report.problems == []
    assert report.events == 3 * DIRECTIVES_PER_ORDER * EVENTS_PER_DIRECTIVE


@override_settings(ROOT_URLCONF="bench.baseline")
@pytest.mark.parametrize(
    ("api", "baseline"),
    [
        ("/api/v1/directives/?page_size=100", "/baseline/directives/"),
        ("/api/v1/directives/?page=2&page_size=100", "/baseline/directives/?page=2&page_size=100"),
        ("/api/v1/directives/?page=3&page_size=7", "/baseline/directives/?page=3&page_size=7"),
        ("/api/v1/summary/", "/baseline/summary/"),
    ],
)
def test_the_baseline_answers_as_the_api_does(as_reviewer, api, baseline):
    ensure_dataset(orders=3, log=lambda message: None)
    api_body, baseline_body = as_reviewer.get(api).json(), as_reviewer.get(baseline).json()
    _same_answer(api_body, baseline_body, api)
    assert Client().get(baseline, HTTP_AUTHORIZATION="Token nope").status_code == 401
