"""The benchmark's pieces stay honest: a small data set seeds once, and the hand-written baseline
returns the same answer as the API (``make bench`` times them; this only checks them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings

from bench.api import _same_answer
from bench.dataset import DIRECTIVES_PER_ORDER, EVENTS_PER_DIRECTIVE, ensure_dataset
from directives.deadlines import end_of_day
from directives.history import proof
from directives.models import Directive, Status

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


@override_settings(ROOT_URLCONF="bench.baseline")
def test_the_baseline_works_out_a_parents_deadline_from_its_parts_as_the_api_does(as_reviewer, today):
    """A parent counts from its earliest open part: overdue by that part, not by its own date."""
    ensure_dataset(orders=1, log=lambda message: None)
    parent = Directive.objects.filter(children__isnull=False).distinct().order_by("position", "ref")[0]
    first, second, *rest = parent.children.order_by("position", "ref")
    # The parent's own date is ahead; one part is 12 days late, one (earlier still) is completed.
    own, late, done = (
        today + dt.timedelta(days=30),
        today - dt.timedelta(days=12),
        today - dt.timedelta(days=40),
    )
    Directive.objects.filter(pk=parent.pk).update(
        status=Status.IN_PROGRESS, due_on=own, due_at=end_of_day(own)
    )
    Directive.objects.filter(pk=first.pk).update(
        status=Status.COMPLETED, due_on=done, due_at=end_of_day(done)
    )
    Directive.objects.filter(pk=second.pk).update(
        status=Status.IN_PROGRESS, due_on=late, due_at=end_of_day(late)
    )
    later = today + dt.timedelta(days=60)
    Directive.objects.filter(pk__in=[part.pk for part in rest]).update(
        status=Status.NOT_STARTED, due_on=later, due_at=end_of_day(later)
    )
    api_body = as_reviewer.get("/api/v1/directives/?page_size=200").json()
    row = next(item for item in api_body["results"] if item["id"] == parent.pk)
    assert (row["is_overdue"], row["days_overdue"], row["days_remaining"]) == (True, 12, None)
    _same_answer(api_body, as_reviewer.get("/baseline/directives/?page_size=200").json(), "parent")
