"""No input is a server error: hostile bodies, and a NUL character anywhere.

Each case was a 500 in an attack run. Now each is a 4xx with a message that names the problem, in the
API's error shape under /api/, and nothing is written. PostgreSQL refuses a NUL in any string it is
asked to store or compare (SQLite does not), so the sweep that sends one to every path argument, query
parameter, header and form field of the site runs there; the answers themselves are checked on both.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import resolve

from directives.models import DirectiveEvent
from tests.access_samples import area_of
from tests.api.conftest import token_client
from tests.test_url_access import (  # noqa: F401 - world is a fixture used below
    Route,
    _counts,
    all_routes,
    sample_path,
    world,
)

pytestmark = pytest.mark.django_db

NUL = "\x00"


def events_path(directive) -> str:
    return f"/api/v1/directives/{directive.pk}/events/"


# --- Bodies ---------------------------------------------------------------------------------------


def test_a_json_body_nested_50000_deep_is_a_400_that_writes_nothing(cisa_editor, directive):
    client = token_client(cisa_editor)
    events = DirectiveEvent.objects.count()
    body = '{"note": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = client.generic("POST", events_path(directive("2(c)(i)")), body, "application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["JSON parse error - the body is nested more than 20 levels deep."]}
    assert DirectiveEvent.objects.count() == events


def test_a_body_nested_21_deep_is_refused_and_20_deep_reaches_the_fields(cisa_editor, directive):
    client = token_client(cisa_editor)
    path = events_path(directive("2(c)(i)"))
    too_deep = client.generic(
        "POST", path, json.dumps({"note": [[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]}), "application/json"
    )
    assert too_deep.status_code == 400
    assert "nested more than 20 levels" in too_deep.json()["detail"][0]
    deep = client.generic(
        "POST", path, json.dumps({"note": [[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]}), "application/json"
    )
    assert deep.status_code == 400
    assert deep.json() == {"note": ["Not a valid string."]}


def test_a_body_over_the_upload_limit_is_a_413_in_the_api_error_shape(cisa_editor, directive):
    client = token_client(cisa_editor)
    events = DirectiveEvent.objects.count()
    body = json.dumps({"note": "x" * 20_000_000})
    response = client.generic("POST", events_path(directive("2(c)(i)")), body, "application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": ["The request body is too large: the API accepts at most 2,621,440 bytes."]
    }
    assert DirectiveEvent.objects.count() == events


def test_a_large_form_body_from_a_browser_is_refused_in_json(cisa_editor, directive):
    """The API parses JSON only: a form body, however large, is a 415 in the error shape, unread."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cisa_editor)
    client.cookies["csrftoken"] = "s" * 32
    events = DirectiveEvent.objects.count()
    body = "csrfmiddlewaretoken=" + "s" * 32 + "&note=" + "x" * 20_000_000
    response = client.generic(
        "POST", events_path(directive("2(c)(i)")), body, "application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json() == {
        "detail": ['Unsupported media type "application/x-www-form-urlencoded" in request.']
    }
    assert DirectiveEvent.objects.count() == events


# --- A NUL character: the answers -------------------------------------------------------------------


def test_a_nul_in_an_api_path_is_a_404_in_the_error_shape(cisa_editor):
    client = token_client(cisa_editor)
    response = client.get("/api/v1/agencies/CI%00SA/")
    assert response.status_code == 404
    assert response.json() == {"detail": ["Not found."]}


def test_a_nul_in_a_page_path_is_the_404_page(cisa_editor):
    client = Client()
    client.force_login(cisa_editor)
    response = client.get("/account/tokens/%00/")
    assert response.status_code == 404
    assert b"</html>" in response.content


def test_a_nul_in_an_api_parameter_is_a_400_naming_it(cisa_editor):
    client = token_client(cisa_editor)
    response = client.get("/api/v1/directives/?agency=CISA%00")
    assert response.status_code == 400
    assert response.json() == {"agency": ["Null characters are not allowed."]}


def test_a_nul_in_a_page_parameter_is_a_400_naming_it(cisa_editor):
    client = Client()
    client.force_login(cisa_editor)
    response = client.get("/directives/?status=%00")
    assert response.status_code == 400
    assert response.content.decode() == "status: Null characters are not allowed."


def test_a_nul_in_the_user_agent_of_a_sign_in_is_a_400_and_records_nothing(cisa_editor):
    response = Client().post(
        "/accounts/login/", {"username": "cisa-editor", "password": "wrong"}, HTTP_USER_AGENT="x\x00y"
    )
    assert response.status_code == 400
    assert response.content.decode() == "User-Agent: Null characters are not allowed."
    assert not AccessAttempt.objects.exists()


def test_a_nul_in_the_next_address_of_a_sign_in_is_a_400(cisa_editor):
    response = Client().post("/accounts/login/?next=%00", {"username": "cisa-editor", "password": "pw"})
    assert response.status_code == 400
    assert "_auth_user_id" not in Client().session


# --- A NUL character: the sweep over every input on PostgreSQL ----------------------------------------


class _Forms(HTMLParser):
    """Collect a page's forms (method, action, field names) and the parameter names of its links."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.link_parameters: set[str] = set()
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "fields": [],
            }
            self.forms.append(self._form)
        elif (
            tag in ("input", "select", "textarea", "button") and self._form is not None and attrs.get("name")
        ):
            if attrs["name"] not in self._form["fields"]:
                self._form["fields"].append(attrs["name"])
        elif tag == "a" and "?" in (attrs.get("href") or ""):
            query = urlsplit(unescape(attrs["href"])).query
            self.link_parameters |= {name for name, _ in parse_qsl(query, keep_blank_values=True)}

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _page_inputs(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def _with_nul_argument(route: Route, path: str, name: str) -> str:
    """Return ``path`` with its URL argument ``name`` replaced by a NUL (percent-encoded)."""
    kwargs = resolve(path).kwargs

    def value(match: re.Match) -> str:
        return "%00" if match["name"] == name else quote(str(kwargs[match["name"]]), safe="/")

    nul_path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", value, route.pattern)
    nul_path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, nul_path)
    return "/" + nul_path.replace("^", "").replace("$", "")


def _query_parameter_names(client: Client) -> set[str]:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return {
        parameter["name"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }


# One test per area of the access table, so pytest-xdist spreads them over its workers.
@pytest.mark.postgres
@pytest.mark.parametrize("area", ["pages", "api", "admin"])
def test_no_nul_anywhere_is_a_server_error(world, area):  # noqa: F811 - the fixture imported above
    """Send a NUL to every path argument, query parameter and form field; none may be a 500."""
    admin = world.client("admin")
    token = world.client("read_only")
    anonymous = world.client("anonymous")
    for client in (admin, token, anonymous):
        client.raise_request_exception = False  # a 500 is counted below, with the others
    before = _counts()
    api_parameters = _query_parameter_names(admin) | {"format", "page", "page_size"}
    failures: list[str] = []

    def check(response, what: str, expected: int | None = None) -> None:
        if response.status_code >= 500 or (expected is not None and response.status_code != expected):
            failures.append(f"{what}: {response.status_code}")

    for route in [route for route in all_routes() if area_of(route) == area]:
        path = sample_path(route, world.samples)
        # 1. Each argument of the path.
        for name in resolve(path).kwargs:
            nul_path = _with_nul_argument(route, path, name)
            for client in (admin, token):
                check(client.get(nul_path), f"GET {nul_path}", expected=404)
        # 2. Each parameter the page's forms and links use (the schema's, for the API).
        if route.pattern.startswith("api/"):
            names, forms = api_parameters, []
        else:
            # Signed-in users are sent on from the sign-in page: read (and post) that one signed out.
            page = admin.get(path)
            poster = admin
            if page.status_code == 302:
                poster = anonymous
                page = poster.get(path)
            # A download may be streamed (a directive's history as CSV): read it whole all the same.
            body = b"".join(page.streaming_content) if page.streaming else page.content
            inputs = _page_inputs(body.decode(errors="replace"))
            forms = [form for form in inputs.forms if form["method"] == "post"]
            names = inputs.link_parameters | {
                name for form in inputs.forms if form["method"] == "get" for name in form["fields"]
            }
        for name in sorted(names | {"next", "q"}):
            check(admin.get(path, {name: NUL}), f"GET {path}?{name}=%00", expected=400)
        # 3. Each field of each form the page posts, alone and all at once.
        for form in forms:
            action = form["action"] or path
            # Signing out and the admin's delete confirmation act on any POST, whatever it carries.
            if action.endswith("/logout/") or route.key.endswith("_delete"):
                continue
            fields = [name for name in form["fields"] if name != "csrfmiddlewaretoken"]
            for name in [*fields, None]:
                data = {field: NUL if name in (None, field) else "" for field in fields}
                check(poster.post(action, data), f"POST {action} {name or 'every field'}=%00")
                admin.force_login(world.users["admin"])  # a password change would sign the admin out

    assert not failures, "Inputs with a NUL that were not refused cleanly:\n  " + "\n  ".join(failures)
    assert _counts() == before


@pytest.mark.postgres
def test_no_nul_in_a_header_is_a_server_error(world):  # noqa: F811 - the fixture imported above
    """Send a NUL in each header a request may carry, on a sign-in and on an API write."""
    token = world.client("read_only")
    anonymous = world.client("anonymous")
    for client in (token, anonymous):
        client.raise_request_exception = False  # a 500 is counted below, with the others
    before = _counts()
    failures: list[str] = []

    def check(response, what: str, expected: int) -> None:
        if response.status_code != expected:
            failures.append(f"{what}: {response.status_code}")

    for header in ("HTTP_USER_AGENT", "HTTP_ACCEPT", "HTTP_REFERER", "HTTP_X_FORWARDED_FOR", "HTTP_IF_MATCH"):
        sign_in = anonymous.post(
            "/accounts/login/", {"username": "cisa-editor", "password": "pw"}, **{header: NUL}
        )
        check(sign_in, f"sign-in with {header}=NUL", expected=400)
        write = token.post(
            f"/api/v1/directives/{world.samples.directive_pk}/events/",
            {},
            "application/json",
            **{header: NUL},
        )
        check(write, f"API write with {header}=NUL", expected=400)
    for key in ("\x00", "Token \x00", "Token " + "a" * 63 + "\x00"):
        check(
            anonymous.get("/api/v1/orders/", HTTP_AUTHORIZATION=key), f"Authorization {key!r}", expected=401
        )

    assert not failures, "Inputs with a NUL that were not refused cleanly:\n  " + "\n  ".join(failures)
    assert _counts() == before
