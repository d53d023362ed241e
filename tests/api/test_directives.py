"""GET /api/v1/directives/ and /directives/{id}/: the representation, every filter, ordering, pages,
and a query count that does not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from directives import actions
from directives.models import Directive, Involvement, Status

pytestmark = pytest.mark.django_db

JUNE_28_NOON = dt.datetime(2026, 6, 28, 16, 0, tzinfo=dt.UTC)  # four days before the 30-day deadline
JULY_10_NOON = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)  # 30-day deadlines passed, 60-day ahead


def refs(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [d["ref"] for d in response.json()["results"]]


def test_it_shows_a_directive_as_the_issue_lists_it(as_reviewer, directive):
    with time_machine.travel(JULY_10_NOON, tick=False):
        body = as_reviewer.get(f"/api/v1/directives/{directive('3(a)').pk}/").json()
    assert list(body) == [
        "id", "url", "order", "ref", "title", "summary", "parent", "children", "series", "occurrence",
        "lead_agencies", "consulted_agencies", "deadline", "original_due_on", "due_on", "due_weekday",
        "status", "status_changed_at", "is_overdue", "days_overdue", "days_remaining", "overdue_flagged_at",
        "forecast_on", "completed_on", "outcome", "days_late", "status_reason", "review", "reviewed_at",
        "verified_outcome", "completion_recorded_on", "completion_flag", "evidence",
        "updated_at",
    ]  # fmt: skip
    assert body["url"] == f"http://testserver/api/v1/directives/{body['id']}/"
    assert (body["order"], body["ref"], body["parent"], body["children"]) == (14409, "3(a)", "3", [])
    assert [a["abbreviation"] for a in body["lead_agencies"]] == ["TREASURY", "NSA", "CISA"]
    assert body["lead_agencies"][0] == {"abbreviation": "TREASURY", "name": "Department of the Treasury"}
    assert [a["abbreviation"] for a in body["consulted_agencies"]] == ["ONCD", "OSTP", "NIST"]
    assert body["deadline"] == {"kind": "days_after_order", "days": 60, "ongoing": True}
    assert (body["original_due_on"], body["due_on"], body["due_weekday"]) == (
        "2026-08-01",
        "2026-08-01",
        "Saturday",
    )
    assert (body["status"], body["is_overdue"], body["days_overdue"], body["days_remaining"]) == (
        "not_started", False, 0, 22,
    )  # fmt: skip
    assert body["outcome"] is None


def test_a_parent_lists_its_parts_and_is_overdue_when_one_is(as_reviewer, directive):
    with time_machine.travel(JULY_10_NOON, tick=False):
        body = as_reviewer.get(f"/api/v1/directives/{directive('2(c)').pk}/").json()
    assert body["children"] == ["2(c)(i)", "2(c)(ii)", "2(c)(iii)"]
    assert (body["is_overdue"], body["days_overdue"], body["days_remaining"]) == (True, 8, None)


def test_a_directive_without_a_deadline(as_reviewer, directive):
    body = as_reviewer.get(f"/api/v1/directives/{directive('4').pk}/").json()
    assert body["deadline"] == {"kind": "none"}
    assert (body["due_on"], body["due_weekday"], body["days_overdue"], body["days_remaining"]) == (
        None, None, None, None,
    )  # fmt: skip


def test_a_completed_directive_shows_its_outcome(as_reviewer, directive, cisa_editor):
    with time_machine.travel(JULY_10_NOON, tick=False):
        actions.change_status(
            directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 3)
        )
        body = as_reviewer.get(f"/api/v1/directives/{directive('2(c)(i)').pk}/").json()
    assert (body["status"], body["completed_on"], body["outcome"]) == ("completed", "2026-07-03", "late")
    assert (body["is_overdue"], body["days_overdue"]) == (False, 0)


def test_the_detail_carries_an_etag_that_changes_with_the_directive(as_cisa, directive, cisa_editor):
    path = f"/api/v1/directives/{directive('2(c)(i)').pk}/"
    first = as_cisa.get(path)
    assert first.headers["ETag"] == f'"{actions.version_of(directive("2(c)(i)"))}"'
    assert as_cisa.get(path).headers["ETag"] == first.headers["ETag"]
    actions.change_status(directive("2(c)(i)"), Status.IN_PROGRESS, actor=cisa_editor)
    assert as_cisa.get(path).headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("path", ["/api/v1/directives/999999/", "/api/v1/directives/abc/"])
def test_an_unknown_directive_is_404(as_reviewer, order, path):
    response = as_reviewer.get(path)
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


def test_the_list_is_in_the_orders_sequence(as_reviewer, order):
    assert refs(as_reviewer.get("/api/v1/directives/")) == [
        "2(a)", "2(b)", "2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)", "2(f)",
        "3", "3(a)", "3(b)", "4",
    ]  # fmt: skip


# --- Filters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("agency=TREASURY", ["2(d)", "3", "3(a)", "3(b)"]),
        ("agency=treasury", ["2(d)", "3", "3(a)", "3(b)"]),
        # A department includes its components: DHS leads through CISA, the Department of War through NSA.
        ("agency=DHS", ["2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "3", "3(a)", "3(b)"]),
        ("agency=DOW", ["2(b)", "3", "3(a)", "3(b)"]),
        ("agency=ONCD", []),  # consulted on many, leads none
        ("involving=ONCD", ["2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)", "3", "3(a)", "3(b)"]),
        ("involving=NSA", ["2(d)", "3", "3(a)", "3(b)"]),
        ("order=14409&search=clearinghouse", ["2(d)"]),
        ("search=2(c)(i", ["2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)"]),  # 2(c)'s summary names its parts
        ("search=frontier model", ["2(c)(iii)", "3", "3(a)", "3(b)"]),
        (
            "due_before=2026-07-02&due_after=2026-07-02",
            ["2(a)", "2(b)", "2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)"],
        ),
        ("due_after=2026-07-03", ["2(f)", "3", "3(a)", "3(b)"]),
        ("due_before=2026-07-01", []),
    ],
)
def test_it_filters(as_reviewer, order, query, expected):
    assert refs(as_reviewer.get(f"/api/v1/directives/?{query}")) == expected


def test_it_filters_by_one_or_several_statuses(as_reviewer, directive, cisa_editor, treasury_editor):
    actions.change_status(directive("2(c)(i)"), Status.IN_PROGRESS, actor=cisa_editor)
    actions.change_status(directive("2(d)"), Status.BLOCKED, actor=treasury_editor)
    assert refs(as_reviewer.get("/api/v1/directives/?status=blocked")) == ["2(d)"]
    # 2(c) rolled up to in progress with its first part.
    assert refs(as_reviewer.get("/api/v1/directives/?status=in_progress&status=blocked")) == [
        "2(c)",
        "2(c)(i)",
        "2(d)",
    ]


def test_it_filters_overdue_or_not(as_reviewer, order):
    with time_machine.travel(JULY_10_NOON, tick=False):
        overdue = refs(as_reviewer.get("/api/v1/directives/?overdue=true"))
        not_overdue = refs(as_reviewer.get("/api/v1/directives/?overdue=false"))
    assert overdue == ["2(a)", "2(b)", "2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)"]
    assert not_overdue == ["2(f)", "3", "3(a)", "3(b)", "4"]


def test_a_parent_is_overdue_through_a_part(as_reviewer, directive, admin_user):
    # 3(b)'s own deadline moves out; 3(a)'s passes, so the parent 3 is overdue through it.
    actions.extend_deadline(
        directive("3"), dt.date(2026, 12, 31), actor=admin_user, justification="Extended."
    )
    with time_machine.travel(dt.datetime(2026, 8, 3, 16, tzinfo=dt.UTC), tick=False):
        assert "3" in refs(as_reviewer.get("/api/v1/directives/?overdue=true&agency=TREASURY"))


def test_a_parent_whose_last_open_part_is_extended_is_not_listed_as_overdue(
    as_reviewer, directive, cisa_editor, admin_user
):
    for ref in ("2(c)(i)", "2(c)(ii)"):
        actions.change_status(
            directive(ref), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1)
        )
    actions.extend_deadline(
        directive("2(c)(iii)"), dt.date(2026, 12, 15), actor=admin_user, justification="Funding late."
    )
    with time_machine.travel(dt.datetime(2026, 11, 26, 17, tzinfo=dt.UTC), tick=False):
        overdue = refs(as_reviewer.get("/api/v1/directives/?overdue=true&involving=CISA"))
        parent = as_reviewer.get(f"/api/v1/directives/{directive('2(c)').pk}/").json()
    assert "2(c)" not in overdue
    assert (parent["is_overdue"], parent["days_overdue"], parent["days_remaining"]) == (False, 0, 19)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("agency=XYZ", "agency", "Unknown agency 'XYZ'."),
        ("involving=nobody", "involving", "Unknown agency 'nobody'."),
        ("order=99999", "order", "Unknown order 99999."),
        ("order=EO14409", "order", "Enter a whole number."),
        ("status=done", "status", "Select a valid choice. done is not one of the available choices."),
        ("overdue=yes", "overdue", "Select a valid choice. yes is not one of the available choices."),
        ("due_before=02/07/2026", "due_before", "Enter a valid date."),
        ("due_after=2026-13-01", "due_after", "Enter a valid date."),
        ("ordering=title", "ordering", "Select a valid choice. title is not one of the available choices."),
        ("page_size=501", "page_size", "Enter a whole number from 1 to 500."),
        ("page_size=0", "page_size", "Enter a whole number from 1 to 500."),
        ("page_size=many", "page_size", "Enter a whole number from 1 to 500."),
        ("agnecy=CISA", "agnecy", "Unknown parameter."),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(as_reviewer, order, query, field, message):
    response = as_reviewer.get(f"/api/v1/directives/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert body[field][0].startswith(message)


def test_every_bad_parameter_is_reported_at_once(as_reviewer, order):
    response = as_reviewer.get("/api/v1/directives/?agency=XYZ&status=done&bogus=1")
    assert response.status_code == 400
    assert sorted(response.json()) == ["agency", "bogus", "status"]


def test_a_page_past_the_last_is_404(as_reviewer, order):
    response = as_reviewer.get("/api/v1/directives/?page=9")
    assert response.status_code == 404
    assert response.json() == {"detail": ["Invalid page."]}


def test_it_pages(as_reviewer, order):
    first = as_reviewer.get("/api/v1/directives/?page_size=5").json()
    assert first["count"] == 13
    assert [d["ref"] for d in first["results"]] == ["2(a)", "2(b)", "2(c)", "2(c)(i)", "2(c)(ii)"]
    assert first["next"] == "http://testserver/api/v1/directives/?page=2&page_size=5"
    assert first["previous"] is None
    last = as_reviewer.get("/api/v1/directives/?page_size=5&page=3").json()
    assert [d["ref"] for d in last["results"]] == ["3(a)", "3(b)", "4"]


# --- Ordering -----------------------------------------------------------------------------------------


def test_it_orders_by_due_date_with_no_deadline_last_either_way(as_reviewer, order):
    ascending = refs(as_reviewer.get("/api/v1/directives/?ordering=due_on"))
    descending = refs(as_reviewer.get("/api/v1/directives/?ordering=-due_on"))
    assert ascending[:8] == ["2(a)", "2(b)", "2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)"]
    assert ascending[-1] == descending[-1] == "4"
    assert descending[:4] == ["2(f)", "3", "3(a)", "3(b)"]


def test_it_orders_by_days_overdue(as_reviewer, directive, cisa_editor, admin_user):
    actions.extend_deadline(
        directive("2(a)"), dt.date(2026, 7, 8), actor=admin_user, justification="More time."
    )
    actions.change_status(
        directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 30)
    )
    with time_machine.travel(JULY_10_NOON, tick=False):
        most = as_reviewer.get("/api/v1/directives/?ordering=-days_overdue").json()["results"]
        least = as_reviewer.get("/api/v1/directives/?ordering=days_overdue").json()["results"]
    days = [d["days_overdue"] for d in most]
    assert days == [*sorted(days[:-1], reverse=True), None]
    assert most[0]["ref"] != "2(a)" and most[0]["days_overdue"] == 8
    assert [d["ref"] for d in most if d["days_overdue"] == 2] == ["2(a)"]
    assert [d["days_overdue"] for d in least][-1] is None
    assert [d["days_overdue"] for d in least][:-1] == sorted(days[:-1])
    completed = next(d for d in least if d["ref"] == "2(c)(i)")
    assert completed["days_overdue"] == 0


def test_days_overdue_orders_a_parent_by_its_open_parts_effective_deadlines(
    as_reviewer, directive, cisa_editor, admin_user
):
    # 2(c)'s own deadline passed on Jul 2; its open parts were extended to Aug 1: it is not late.
    for ref in ("2(c)(ii)", "2(c)(iii)"):
        actions.extend_deadline(directive(ref), dt.date(2026, 8, 1), actor=admin_user, justification="OMB.")
    actions.change_status(directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor)
    with time_machine.travel(JULY_10_NOON, tick=False):
        most = as_reviewer.get("/api/v1/directives/?ordering=-days_overdue").json()["results"]
    days = [d["days_overdue"] for d in most]
    assert next(d["days_overdue"] for d in most if d["ref"] == "2(c)") == 0
    assert days == [*sorted(days[:-1], reverse=True), None]
    late = [d["ref"] for d in most if d["days_overdue"] == 8]
    assert "2(c)" not in late and late == refs_in_sequence(late)


def refs_in_sequence(found: list[str]) -> list[str]:
    """Return ``found`` in the order's own sequence (the tie-break after the ordering asked for)."""
    sequence = ["2(a)", "2(b)", "2(c)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "2(d)", "2(e)", "2(f)", "3"]
    return sorted(found, key=sequence.index)


def test_it_orders_by_ref_and_by_status_change(as_reviewer, directive, cisa_editor, treasury_editor):
    assert refs(as_reviewer.get("/api/v1/directives/?ordering=-ref"))[:3] == ["4", "3(b)", "3(a)"]
    with time_machine.travel(JUNE_28_NOON, tick=False):
        actions.change_status(directive("2(d)"), Status.IN_PROGRESS, actor=treasury_editor)
    with time_machine.travel(JULY_10_NOON, tick=False):
        actions.change_status(directive("2(c)(ii)"), Status.IN_PROGRESS, actor=cisa_editor)
    ordered = refs(as_reviewer.get("/api/v1/directives/?ordering=-status_changed_at"))
    # 2(c) rolled up in the same instant as 2(c)(ii); the Order's sequence breaks the tie.
    assert ordered[:3] == ["2(c)", "2(c)(ii)", "2(d)"]


@pytest.mark.parametrize("ordering", [",", "ref,,"])
def test_empty_ordering_keys_are_ignored(as_reviewer, order, ordering):
    """Found by make fuzz: an empty key once reached the query and gave a 500."""
    response = as_reviewer.get(f"/api/v1/directives/?ordering={ordering}")
    assert response.status_code == 200
    assert len(refs(response)) == 13


def test_a_bare_minus_in_ordering_is_a_400_naming_it(as_reviewer, order):
    response = as_reviewer.get("/api/v1/directives/?ordering=-,")
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_it_combines_filters_and_ordering(as_reviewer, order):
    with time_machine.travel(JULY_10_NOON, tick=False):
        got = refs(as_reviewer.get("/api/v1/directives/?agency=CISA&overdue=false&ordering=-ref"))
    assert got == ["3(b)", "3(a)", "3"]


# --- Cost ---------------------------------------------------------------------------------------------


def add_directives(order, count: int, prefix: str) -> None:
    """Add ``count`` directives to ``order``, in families of a parent and two parts, each with a lead
    and a consulted agency, so that every prefetch has rows to fetch."""
    cisa, oncd = Agency.objects.get(abbreviation="CISA"), Agency.objects.get(abbreviation="ONCD")
    due = {"due_on": dt.date(2026, 7, 2), "due_at": dt.datetime(2026, 7, 3, 4, tzinfo=dt.UTC)}
    families = count // 3
    parents = Directive.objects.bulk_create(
        Directive(order=order, ref=f"{prefix}{i}", position=100 + i, title=f"Extra {i}", **due)
        for i in range(families)
    )
    parts = Directive.objects.bulk_create(
        Directive(
            order=order,
            ref=f"{prefix}{i}-{p}",
            position=100 + i,
            title=f"Extra {i}.{p}",
            parent=parent,
            **due,
        )
        for i, parent in enumerate(parents)
        for p in (1, 2)
    )
    Involvement.objects.bulk_create(
        Involvement(directive=d, agency=agency, role=role)
        for d in [*parents, *parts]
        for agency, role in ((cisa, Involvement.Role.LEAD), (oncd, Involvement.Role.CONSULTED))
    )


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(captured)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/directives/?page_size=500",
        "/api/v1/directives/?page_size=500&agency=DHS&involving=ONCD&overdue=true&ordering=-days_overdue&search=Extra",
        "/api/v1/summary/",
        "/api/v1/summary/?agency=DHS&order=14409",
    ],
)
def test_the_number_of_queries_is_the_same_for_10_and_1000_directives(as_reviewer, order, path):
    add_directives(order, 10, prefix="A")
    with time_machine.travel(JULY_10_NOON, tick=False):
        few = queries_for(as_reviewer, path)
        add_directives(order, 1000, prefix="B")
        many = queries_for(as_reviewer, path)
    assert Directive.objects.count() > 1000
    assert many == few


@pytest.mark.parametrize(("query", "expected"), [("?agency=DHS", 5), ("?order=14409", 11), ("", 11)])
def test_trackable_true_counts_what_the_summary_counts(as_reviewer, order, query, expected):
    sep = "&" if query else "?"
    listed = as_reviewer.get(f"/api/v1/directives/{query}{sep}trackable=true").json()
    assert listed["count"] == expected == as_reviewer.get(f"/api/v1/summary/{query}").json()["total"]
    assert "2(c)" not in [d["ref"] for d in listed["results"]]  # a parent with parts is not tracked


def test_trackable_false_lists_the_parents(as_reviewer, order):
    listed = as_reviewer.get("/api/v1/directives/?order=14409&trackable=false").json()
    assert sorted(d["ref"] for d in listed["results"]) == ["2(c)", "3"]


def test_a_bad_trackable_value_is_a_400_that_names_it(as_reviewer, order):
    response = as_reviewer.get("/api/v1/directives/?trackable=maybe")
    assert response.status_code == 400
    assert list(response.json()) == ["trackable"]
