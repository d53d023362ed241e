"""Access control proven for every URL: each route the resolver knows, each persona, each method.

The test walks Django's URL resolver (``get_resolver().url_patterns``, recursively: the staff pages,
the admin, the API router's routes) and requires an entry in the access table (``tests/access_table.py``,
which the production smoke test shares) for every route it finds, so a new route cannot ship without
someone deciding who may use it. An entry maps each HTTP method to the status every persona gets, in
the column order of ``PERSONAS``:

    anonymous, CISA editor, Treasury editor, ONCD editor (consulted only), oversight reviewer,
    a CISA editor's read-only API token (sent as ``Authorization: Token``), admin (superuser).

Requests use sample arguments: CISA's directive 2(c)(ii) (CISA leads it, ONCD is consulted, Treasury is
neither), Executive Order 14409, agency CISA, and one object of each model in the admin. Unsafe methods
send an empty body: a 400 then means "allowed, but nothing valid to record", a 403 "not allowed", and
the last test checks that none of these requests wrote anything.

Methods: every route is tried with GET, POST, PUT, PATCH and DELETE, the admin's too (its model views
serve any method but POST as GET, which the table shows). HEAD and OPTIONS are left out: Django answers
HEAD as GET without a body, and OPTIONS in DRF passes the same authentication and permissions as GET.
There are no format-suffix variants (``.json``) to exclude: the API's ``SimpleRouter`` adds none.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.test import Client

from agencies.models import Agency, APIToken, Membership, OversightReviewer
from directives.models import Directive, DirectiveEvent, Order
from tests.access_samples import Samples, area_of, create_samples, sample_path
from tests.access_table import HOW_TO_ADD, METHODS, PERSONAS, TABLE, Route, all_routes


# ------------------------------------------------------------------------------------------------
# The personas' clients.
@dataclass
class World:
    users: dict[str, User]
    samples: Samples

    def client(self, persona: str) -> Client:
        if persona == "read_only":
            return Client(HTTP_AUTHORIZATION=f"Token {self.samples.token_key}")
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client


@pytest.fixture
def world(
    settings, tmp_path, order, cisa_editor, treasury_editor, oncd_editor, reviewer, admin_user
) -> World:
    # The sample evidence file goes to a folder of the test's own, not the project's data/.
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**settings.STORAGES["evidence"], "OPTIONS": {"location": str(tmp_path / "evidence")}},
    }
    users = {
        "cisa": cisa_editor,
        "treasury": treasury_editor,
        "oncd": oncd_editor,
        "reviewer": reviewer,
        "admin": admin_user,
    }
    return World(users=users, samples=create_samples(users))


def request(client: Client, method: str, path: str, route: Route):
    """Send ``method`` to ``path`` with an empty body (JSON for the API, a form elsewhere)."""
    if route.pattern.startswith("api/"):
        return client.generic(method, path, b"{}" if method != "GET" else b"", "application/json")
    if method == "GET":
        return client.get(path)
    if method == "POST":
        return client.post(path, {})
    return client.generic(method, path, b"", "application/x-www-form-urlencoded")


@dataclass
class Seen:
    """What the personas got: route key -> method -> their statuses (in the order asked), and the
    refusals under /api/ that were not in the API's JSON."""

    statuses: dict[str, dict[str, tuple[int, ...]]]
    not_json: list[str]


def observe(world: World, routes: list[Route], personas: tuple[str, ...] = PERSONAS) -> Seen:
    """Return what each of ``personas`` got of each method of each route, one persona after another."""
    clients = {persona: world.client(persona) for persona in personas}
    seen: dict[str, dict[str, tuple[int, ...]]] = {}
    not_json: list[str] = []
    for route in routes:
        path = sample_path(route, world.samples)
        for method in METHODS:
            statuses = []
            for persona in personas:
                response = request(clients[persona], method, path, route)
                statuses.append(response.status_code)
                content_type = response.get("Content-Type", "")
                if (
                    path.startswith("/api/")
                    and response.status_code >= 400
                    and content_type != "application/json"
                ):
                    not_json.append(f"{method} {path} as {persona}: {response.status_code} {content_type}")
                signed_out = "sessionid" in response.cookies and not response.cookies["sessionid"].value
                if signed_out and persona in world.users:
                    clients[persona] = world.client(persona)  # sign in again for the next request
            seen.setdefault(route.key, {})[method] = tuple(statuses)
    return Seen(seen, not_json)


# ------------------------------------------------------------------------------------------------
# The tests.
def test_every_route_has_an_entry_in_the_table():
    missing = [route for route in all_routes() if route.key not in TABLE]
    assert not missing, (
        "No access entry for:\n"
        + "\n".join(f"  {route.key!r}  (/{route.pattern})" for route in missing)
        + "\n"
        + HOW_TO_ADD.format(personas=", ".join(PERSONAS))
    )


def test_every_entry_gives_each_method_a_status_for_each_persona():
    for key, rows in TABLE.items():
        assert set(rows) == set(METHODS), key


def test_the_table_has_no_entry_for_a_route_that_is_gone():
    stale = set(TABLE) - {route.key for route in all_routes()}
    assert not stale, (
        f"Remove these entries from tests/test_url_access.py, no route has them: {sorted(stale)}"
    )


def _counts() -> dict[str, int]:
    models = [Directive, DirectiveEvent, Order, Agency, Membership, OversightReviewer, APIToken, Group]
    counts = {model.__name__: model._default_manager.count() for model in models}
    counts["User"] = get_user_model().objects.count()
    return counts


# The pages and the API are walked with every persona in turn, route by route, as the table's rows read
# (CISA's editor deletes the sample webhook before the administrator asks). The admin's area changes
# nothing and is some 600 requests a persona: one test per persona there, so pytest-xdist spreads them
# over its workers instead of one test for all seven being the suite's longest.
AREAS = [("pages", PERSONAS), ("api", PERSONAS), *(("admin", (persona,)) for persona in PERSONAS)]


@pytest.mark.parametrize(
    ("area", "personas"), AREAS, ids=[area if len(p) > 1 else f"{area}-{p[0]}" for area, p in AREAS]
)
def test_each_persona_gets_the_status_the_table_gives(world, area, personas):
    routes = [route for route in all_routes() if area_of(route) == area and route.key in TABLE]
    assert routes, area
    columns = [PERSONAS.index(persona) for persona in personas]
    before = _counts()
    seen = observe(world, routes, personas)
    wrong = [
        f"  {key} {method}: {persona} expected {TABLE[key][method][column]}, got {got}"
        for key, rows in seen.statuses.items()
        for method, statuses in rows.items()
        for persona, column, got in zip(personas, columns, statuses, strict=True)
        if TABLE[key][method][column] != got
    ]
    assert not wrong, "Responses that differ from the table:\n" + "\n".join(wrong)
    # Every refusal under /api/ (400, 401, 403, 404, 405, 409, 415 ...) is in the API's JSON (issue 24).
    assert seen.not_json == [], "\n".join(seen.not_json)
    # Refused and empty requests alike wrote nothing.
    assert _counts() == before
