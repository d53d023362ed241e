"""Every number in bounds: days, months, years, recurrence periods, order numbers, dates and page sizes
are checked against a range at their field, so a huge one is a clear error naming the field (a 400
through the API), never an overflow and a 500.

Property tests (Hypothesis) over the order file and the API, with the bounds written here as the
documentation states them, not read from the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from agencies import actions as agency_actions
from directives import actions, deadlines
from directives.models import Directive, DirectiveEvent, ExtensionRequest
from directives.orderfile import OrderFileError, parse_order_file

# The documented bounds (docs/security.md, directives/orders/README.md).
MAX_DAYS, MAX_MONTHS, MAX_YEARS, MAX_ORDER = 36_525, 1_200, 100, 999_999
EARLIEST, LATEST = dt.date(1789, 1, 1), dt.date(2199, 12, 31)
SIGNED = dt.date(2026, 6, 2)

ORDER = """
[order]
number = {number}
title = "Bounds"
signed_on = {signed_on}

[[agencies]]
abbreviation = "DOC"
name = "Department of Commerce"
kind = "department"

[[directives]]
ref = "1(a)"
title = "Do it"
leads = ["DOC"]
deadline = {{ kind = "none" }}

[[directives]]
ref = "1(b)"
title = "Then this"
leads = ["DOC"]
deadline = {deadline}
"""

# Each rule with one number in it: (TOML, the key the number sits at, its lowest, its highest).
RULES = [
    ('{{ kind = "days_after_order", days = {n} }}', "days", 1, MAX_DAYS),
    ('{{ kind = "months_after_order", months = {n} }}', "months", 1, MAX_MONTHS),
    ('{{ kind = "years_after_order", years = {n} }}', "years", 1, MAX_YEARS),
    ('{{ kind = "days_from_event", days = {n}, event = "a release" }}', "days", -MAX_DAYS, MAX_DAYS),
    ('{{ kind = "after_directive", directive = "1(a)", days = {n} }}', "days", 0, MAX_DAYS),
    ('{{ kind = "after_directive", directive = "1(a)", months = {n} }}', "months", 1, MAX_MONTHS),
    (
        '{{ kind = "recurring", first = {{ kind = "days_after_order", days = 30 }}, every_days = {n} }}',
        "every_days",
        1,
        MAX_DAYS,
    ),
    (
        '{{ kind = "recurring", first = {{ kind = "days_after_order", days = 30 }}, every_months = {n} }}',
        "every_months",
        1,
        MAX_MONTHS,
    ),
]
TOML_INTEGERS = st.integers(min_value=-(2**63), max_value=2**63 - 1)


def parse(number: int = 14999, signed_on: dt.date = SIGNED, deadline: str = '{ kind = "none" }'):
    return parse_order_file(ORDER.format(number=number, signed_on=signed_on.isoformat(), deadline=deadline))


def far_dates(spec, *, event_on: dt.date = LATEST, trigger_on: dt.date = LATEST) -> None:
    """Compute every date the spec's rules can give from the latest dates allowed: none may overflow."""
    for directive in spec.directives:
        rule = directive.rule
        day = rule.due_on(signed_on=spec.order.signed_on, event_on=event_on, trigger_on=trigger_on)
        if isinstance(rule, deadlines.Recurring) and day is not None:
            # Occurrences are made one at a time as each falls due (directives/actions/series.py).
            deadlines.next_occurrence(rule, after=day)
            deadlines.occurrence_due(rule, 2, first_on=day)


@pytest.mark.parametrize(("template", "key", "low", "high"), RULES)
@given(n=TOML_INTEGERS)
@example(n=10**18)
@example(n=2**63 - 1)
def test_a_number_in_a_deadline_is_in_its_range_or_named(template, key, low, high, n):
    try:
        spec = parse(signed_on=LATEST, deadline=template.format(n=n))
    except OrderFileError as exc:
        assert not low <= n <= high
        assert any(p.startswith(f"directives[1(b)].deadline.{key}:") for p in exc.problems), exc.problems
        return
    assert low <= n <= high
    far_dates(spec)


@given(number=TOML_INTEGERS)
def test_the_order_number_is_in_its_range_or_named(number):
    try:
        parse(number=number)
    except OrderFileError as exc:
        assert not 1 <= number <= MAX_ORDER
        assert any(p.startswith("order.number:") for p in exc.problems), exc.problems
        return
    assert 1 <= number <= MAX_ORDER


@given(signed_on=st.dates())
@example(signed_on=dt.date(9999, 12, 31))
def test_the_signing_date_is_in_its_range_or_named(signed_on):
    try:
        spec = parse(signed_on=signed_on, deadline=f'{{ kind = "years_after_order", years = {MAX_YEARS} }}')
    except OrderFileError as exc:
        assert not EARLIEST <= signed_on <= LATEST
        assert any(p.startswith("order.signed_on:") for p in exc.problems), exc.problems
        return
    assert EARLIEST <= signed_on <= LATEST
    far_dates(spec)


def test_the_largest_numbers_allowed_still_give_dates():
    spec = parse(
        signed_on=LATEST,
        deadline=f'{{ kind = "recurring", first = {{ kind = "months_after_order", months = {MAX_MONTHS} }}, '
        f"every_months = {MAX_MONTHS} }}",
    )
    far_dates(spec)


# --- The API: a 400 naming the field, nothing written, never a 500 -----------------------------------

API_SETTINGS = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def release(order) -> Directive:
    """A directive of CISA's due 30 days before an event, as EO 14409 Sec. 3(b)(ii) is."""
    text = ORDER.format(
        number=99002,
        signed_on="2026-06-02",
        deadline='{ kind = "days_from_event", days = -30, event = "a release" }',
    ).replace('"DOC"]', '"CISA"]')
    text = text.replace(
        '[[agencies]]\nabbreviation = "DOC"\nname = "Department of Commerce"\nkind = "department"\n', ""
    )
    with time_machine.travel(dt.datetime(2026, 6, 2, 16, 0, tzinfo=dt.UTC), tick=False):
        actions.load_order(parse_order_file(text, known_agencies=frozenset({"CISA"})))
    return Directive.objects.get(order__number=99002, ref="1(b)")


@pytest.fixture
def api(cisa_editor) -> APIClient:
    _, key = agency_actions.create_api_token(cisa_editor, actor=None, name="bounds", expires_days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@API_SETTINGS
@given(event_on=st.dates())
@example(event_on=dt.date(9999, 12, 31))
@example(event_on=dt.date(1, 1, 1))
def test_an_event_date_through_the_api_is_in_range_or_a_400_naming_it(api, release, event_on):
    before = DirectiveEvent.objects.count()
    response = api.post(
        f"/api/v1/directives/{release.pk}/event-date/", {"event_on": event_on.isoformat()}, format="json"
    )
    if EARLIEST <= event_on <= LATEST:
        assert response.status_code in (201, 400), response.content  # 400: that date again, no change
    else:
        assert response.status_code == 400, response.content
        assert "event_on" in response.json()
        assert DirectiveEvent.objects.count() == before


@API_SETTINGS
@given(requested=st.dates())
@example(requested=dt.date(9999, 12, 31))
def test_an_extension_request_date_is_in_range_or_a_400_naming_it(api, directive, requested):
    before = ExtensionRequest.objects.count()
    d = directive("2(c)(ii)")
    response = api.post(
        "/api/v1/extension-requests/",
        {"directive": d.pk, "requested_due_on": requested.isoformat(), "justification": "More time."},
        format="json",
    )
    assert response.status_code != 500
    if not EARLIEST <= requested <= LATEST:
        assert response.status_code == 400, response.content
        assert "requested_due_on" in response.json()
        assert ExtensionRequest.objects.count() == before


@API_SETTINGS
@given(
    order=st.one_of(st.integers(), st.integers(min_value=2**31, max_value=10**30)),
    page_size=st.integers(min_value=-(10**20), max_value=10**20),
    page=st.integers(min_value=-(10**20), max_value=10**20),
)
@example(order=2**63, page_size=10**19, page=10**19)
def test_numbers_in_a_list_query_are_in_range_or_a_400_naming_them(api, order, page_size, page):
    response = api.get("/api/v1/directives/", {"order": order, "page_size": page_size, "page": page})
    assert response.status_code in (200, 400, 404), response.content
    if response.status_code == 400:
        assert set(response.json()) & {"order", "page_size", "page"}, response.json()
    if not 1 <= order <= MAX_ORDER:
        assert response.status_code == 400 and "order" in response.json()
