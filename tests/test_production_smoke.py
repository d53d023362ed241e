"""The production smoke test: the image's own steps outside Docker, then every route over real HTTP.

What the image runs is what CI tests (house style 15). With no Docker daemon here, the Dockerfile is
carried out in folders (``tests/image_steps.py``): its COPY lines lay out /app, its RUN lines install the
Python packages from requirements/runtime.txt into a fresh virtualenv and build the static files with
scripts/build-static (``npm ci --omit=dev``, collectstatic with the manifest storage). Then, on a scratch
PostgreSQL database of its own and the real Redis (REDIS_URL), the web service's steps from
docker-compose.yml run (migrate, load_order), the access table's personas are created, and gunicorn
starts exactly as the Dockerfile's CMD says, on a free loopback port instead of 0.0.0.0:8000.

The settings are production's: DEBUG unset, a random SECRET_KEY, ALLOWED_HOSTS from the environment.
Requests come as from a TLS-terminating proxy (``X-Forwarded-Proto: https`` with
``SECURE_PROXY_SSL_HEADER``), so the HTTPS redirect, secure cookies and HSTS stay on.

Every route of the access table (``tests/access_table.py``) is requested with every method as every
persona, each signed in through the sign-in page: each answer must be the table's (which
``tests/test_url_access.py`` proves with Django's test client), and none a server error; every file a
page loads, and every ``url(...)`` of the stylesheets, must be served. One exception: the Django
admin's model pages answer PUT, PATCH and DELETE by the very code that answers GET (its views ask only
whether the method is POST), and where the table gives those methods GET's answer for every persona,
they are left to ``tests/test_url_access.py``, which sends them all. Here each such page is rendered
once a persona, not four times: about 2,300 of the walk's 6,900 requests. The admin routes that answer
them differently (its sign-in, password change, autocomplete ...) get every method here too.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse

from tests import image_steps
from tests.access_samples import Samples, area_of, sample_path
from tests.access_table import METHODS, PERSONAS, TABLE, Route, all_routes
from tests.web_client import Response, WebClient, css_references, page_references

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

HOST = "orderctl-smoke.test"
ROOT = image_steps.ROOT
HASHED_STATIC = re.compile(r"^/static/.+\.[0-9a-f]{12}\.\w+$")


def bound_to(command: list[str], address: str) -> list[str]:
    """Return ``command`` with the address after ``--bind`` replaced by ``address``."""
    at = command.index("--bind") + 1
    return [*command[:at], address, *command[at + 1 :]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run one of the image's commands; fail the test with its output if it fails."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert done.returncode == 0, f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


# ------------------------------------------------------------------------------------------------
# The image, its database, its server.
@pytest.fixture(scope="module")
def image(tmp_path_factory) -> image_steps.Build:
    return image_steps.cached_build(tmp_path_factory.mktemp("image"))


@pytest.fixture(scope="module")
def scratch_database() -> Iterator[tuple[str, str, str]]:
    """Create an empty PostgreSQL database beside DATABASE_URL's and a plain role for the application.

    Yield the owner's URL, the application role's URL and its name, as docker-compose sets them
    (``MIGRATION_DATABASE_URL``, ``DATABASE_URL``, ``POSTGRES_APP_USER``); drop both afterwards. The
    machine's PostgreSQL trusts local connections, so the role needs no password here.
    """
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    token = secrets.token_hex(4)
    name, role = f"orderctl_smoke_{token}", f"orderctl_smoke_app_{token}"
    admin = psycopg2.connect(os.environ["DATABASE_URL"])
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
            # Thrown away afterwards, as the suite's own test database (tests/conftest.py's django_db_setup).
            cursor.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
            cursor.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        owner = urllib.parse.urlunsplit(url._replace(path=f"/{name}"))
        host = url.netloc.rsplit("@", 1)[-1]
        app = urllib.parse.urlunsplit(url._replace(netloc=f"{role}@{host}", path=f"/{name}"))
        yield owner, app, role
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
    finally:
        admin.close()


@dataclass
class Server:
    port: int
    folder: Path
    env: dict[str, str]
    log: Path
    usernames: dict[str, str]
    password: str
    samples: Samples

    def client(self, persona: str = "anonymous") -> WebClient:
        """Return a client for ``persona``, signed in (or holding its token), with a CSRF cookie."""
        token = self.samples.token_key if persona == "read_only" else None
        client = WebClient(self.port, HOST, login_path=reverse("login"), token=token)
        if persona in self.usernames:
            client.sign_in(self.usernames[persona], self.password)
        else:
            client.get(client.login_path)  # the CSRF cookie a browser would hold
        return client


@pytest.fixture(scope="module")
def server(image, scratch_database, tmp_path_factory) -> Iterator[Server]:
    folder = image.image.folder
    # Production settings: DEBUG unset (off), secrets from the environment. A TLS proxy's header marks
    # requests as HTTPS, so the secure defaults stay on.
    owner_url, app_url, app_role = scratch_database
    signing_key = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    env = image.env(
        DATABASE_URL=app_url,
        REDIS_URL=os.environ["REDIS_URL"],
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        HISTORY_SIGNING_KEY=signing_key,
        HISTORY_CHECKPOINT_FILE=str(tmp_path_factory.mktemp("anchor") / "checkpoints.jsonl"),
    )
    assert "DEBUG" not in env
    # compose's migrate service: as the owner, with the application's role named.
    steps, _ = image_steps.compose_web_steps()
    for step in steps:
        run(["sh", "-c", step], folder, {**env, "DATABASE_URL": owner_url, "POSTGRES_APP_USER": app_role})
    password = secrets.token_urlsafe(16)
    # The personas are made by the app's own code in its own process; only this step sees tests/.
    setup_env = {**env, "PYTHONPATH": f"{env['PYTHONPATH']}:{ROOT}", "SMOKE_PASSWORD": password}
    out = run(
        ["python", "manage.py", "shell", "-c", "from tests.smoke_setup import main; main()"],
        folder,
        setup_env,
    )
    made = json.loads(next(line for line in out.splitlines() if line.startswith("SMOKE "))[6:])
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - the Dockerfile's CMD
            bound_to(image_steps.image_cmd(), f"127.0.0.1:{port}"),
            cwd=folder,
            env=env,
            stdout=output,
            stderr=output,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"gunicorn exited with {process.returncode}:\n{log.read_text()}"
            try:
                if WebClient(port, HOST, login_path="").get("/healthz/").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"gunicorn did not answer within 60 s:\n{log.read_text()}"
            time.sleep(0.2)
        yield Server(port, folder, env, log, made["usernames"], password, Samples(**made["samples"]))
    finally:
        process.terminate()
        process.wait(timeout=30)


# ------------------------------------------------------------------------------------------------
# The walk: every route, every method, every persona.
def send(client: WebClient, method: str, path: str, route: Route) -> Response:
    """Send ``method`` with an empty body, as tests/test_url_access.py does (JSON for the API)."""
    if route.pattern.startswith("api/"):
        return client.request(method, path, b"{}" if method != "GET" else b"", "application/json")
    if method == "GET":
        return client.get(path)
    return client.request(method, path, b"", "application/x-www-form-urlencoded")


@dataclass
class Walk:
    statuses: dict[str, dict[str, tuple[int, ...]]]
    server_errors: list[str]
    pages: dict[str, tuple[str, str]]  # path -> (a persona that got it, its HTML)


ANSWERED_AS_GET = ("PUT", "PATCH", "DELETE")


def methods_for(route: Route) -> tuple[str, ...]:
    """Return the methods the walk sends to ``route``: all, but for an admin page that answers PUT,
    PATCH and DELETE as GET (the module's doc says why)."""
    row = TABLE[route.key]
    if area_of(route) == "admin" and all(row[method] == row["GET"] for method in ANSWERED_AS_GET):
        return tuple(method for method in METHODS if method not in ANSWERED_AS_GET)
    return METHODS


@pytest.fixture(scope="module")
def walk(server) -> Walk:
    clients = {persona: server.client(persona) for persona in PERSONAS}
    statuses: dict[str, dict[str, tuple[int, ...]]] = {}
    errors: list[str] = []
    pages: dict[str, tuple[str, str]] = {}
    for route in all_routes():
        if route.key not in TABLE:
            continue  # test_url_access.py requires an entry for every route
        path = sample_path(route, server.samples)
        for method in methods_for(route):
            seen = []
            for persona in PERSONAS:
                response = send(clients[persona], method, path, route)
                seen.append(response.status)
                if response.status >= 500:
                    errors.append(f"{method} {path} as {persona}: {response.status}")
                if method == "GET" and response.status == 200 and response.content_type == "text/html":
                    pages.setdefault(path, (persona, response.body.decode()))
                if persona in server.usernames and "sessionid" not in clients[persona].cookies:
                    clients[persona] = server.client(persona)  # signed out: sign in again
            statuses.setdefault(route.key, {})[method] = tuple(seen)
    return Walk(statuses, errors, pages)


LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (?P<level>[A-Z]+) ")


def logged_errors(log: Path) -> list[str]:
    """Return the ERROR records of gunicorn's log, each as its first line and its exception's line."""
    records: list[list[str]] = []
    keeping = False
    for line in log.read_text().splitlines():
        record = LOG_RECORD.match(line)
        if record or line.startswith(("127.0.0.1 - ", "[")):  # a record, an access line, gunicorn's own
            keeping = bool(record) and record["level"] in ("ERROR", "CRITICAL")
            if keeping:
                records.append([])
        if keeping:
            records[-1].append(line)
    # Without its time, the same error met by each persona's request is listed once.
    return list(dict.fromkeys(f"{lines[0][24:]}\n    {lines[-1]}" for lines in records))


def test_no_request_of_any_persona_gets_a_server_error(walk, server):
    assert walk.statuses, "no route was requested"
    assert not walk.server_errors, (
        "Server errors:\n"
        + "\n".join(walk.server_errors)
        + "\n\nErrors in gunicorn's log:\n"
        + "\n".join(logged_errors(server.log))
    )


def test_the_walk_leaves_out_only_the_admins_methods_answered_as_get():
    routes = {route.key: route for route in all_routes() if route.key in TABLE}
    assert methods_for(routes["admin:directives_directive_changelist"]) == ("GET", "POST")
    assert methods_for(routes["admin:login"]) == METHODS  # answers PUT with 405, not as GET
    assert methods_for(routes["directive_detail"]) == METHODS
    left_out = sum(len(METHODS) - len(methods_for(route)) for route in routes.values())
    assert 300 < left_out < 400, left_out  # each a request as every persona: about 2,300


def test_each_persona_gets_the_status_the_access_table_gives(walk):
    sent = {key: set(rows) for key, rows in walk.statuses.items()}
    assert sent == {route.key: set(methods_for(route)) for route in all_routes() if route.key in TABLE}, (
        "the walk missed a route or a method"
    )
    wrong = [
        f"  {key} {method}: {persona} expected {expected}, got {got}"
        for key, rows in walk.statuses.items()
        for method, statuses in rows.items()
        for persona, expected, got in zip(PERSONAS, TABLE[key][method], statuses, strict=True)
        if expected != got
    ]
    assert not wrong, "Responses from gunicorn that differ from the table:\n" + "\n".join(wrong)


def test_every_file_a_page_loads_is_served_under_its_hashed_name(walk, server):
    wanted: dict[str, str] = {}  # URL -> the persona whose page loads it
    for path, (persona, html) in walk.pages.items():
        for reference in page_references(html):
            url = urllib.parse.urljoin(path, reference)
            wanted.setdefault(url, persona)
    assert any(url.startswith("/static/") for url in wanted), "no page loads a static file"
    foreign = [url for url in wanted if urllib.parse.urlsplit(url).netloc]
    unhashed = [url for url in wanted if url.startswith("/static/") and not HASHED_STATIC.match(url)]
    clients = {persona: server.client(persona) for persona in set(wanted.values())}
    missing, stylesheets = [], {}
    for url, persona in sorted(wanted.items()):
        if url in foreign:
            continue
        response = clients[persona].get(url)
        if response.status != 200:
            missing.append(f"{url}: {response.status}")
        elif response.content_type == "text/css":
            stylesheets[url] = response.body.decode()
    anonymous = server.client()
    in_css = {
        urllib.parse.urljoin(css_url, reference)
        for css_url, css in stylesheets.items()
        for reference in css_references(css)
    }
    missing += [f"{url} (in a stylesheet): {anonymous.get(url).status}" for url in sorted(in_css)]
    missing = [line for line in missing if not line.endswith(": 200")]
    assert in_css, "no stylesheet refers to a file (USWDS's fonts and icons should)"
    assert not foreign, f"pages load files from other sites: {foreign}"
    assert not unhashed, f"static files referenced without the manifest's hashed name: {unhashed}"
    assert not missing, "Files pages load that are not served:\n" + "\n".join(missing)


def test_the_image_leaves_out_the_uswds_files_no_page_loads(server):
    """USWDS's Material icons and Sass sources are not collected (scripts/build-static); the rest of its
    dist/ is, the usa-icons its stylesheet uses among them (the test above fetches each one)."""
    uswds = server.folder / "staticfiles" / "uswds"
    assert (uswds / "css").is_dir() and any((uswds / "img" / "usa-icons").iterdir())
    left_out = ("img/material-icons", "img/material-icons-deprecated", "scss", "theme")
    assert [name for name in left_out if (uswds / name).exists()] == []


def test_the_reviewer_lands_on_the_dashboard_and_its_chart_script_is_served(server):
    reviewer = server.client("reviewer")
    page = reviewer.get(reverse("dashboard"))
    assert page.status == 200
    charts = [
        url
        for url in page_references(page.body.decode())
        if re.fullmatch(r"/static/chartjs/chart\.umd(\.min)?\.[0-9a-f]{12}\.js", url)
    ]
    assert charts, "the dashboard loads no hashed chart.umd script"
    script = reviewer.get(charts[0])
    assert script.status == 200
    assert script.content_type in ("text/javascript", "application/javascript")
    assert b"Chart" in script.body


def test_plain_http_is_redirected_to_https_and_cookies_are_secure(server):
    direct = WebClient(server.port, HOST, login_path=reverse("login"), proxy_https=False)
    redirect = direct.get(reverse("login"))
    assert redirect.status == 301
    assert redirect.headers["Location"] == f"https://{HOST}{reverse('login')}"
    secure = server.client().get(reverse("login"))
    assert secure.status == 200
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
    assert secure.set_cookies()["csrftoken"]["secure"]


def test_the_images_healthcheck_passes(server):
    dockerfile = image_steps.parse_dockerfile((ROOT / "Dockerfile").read_text())
    command = image_steps.healthcheck_command(dockerfile[-1])
    assert any("127.0.0.1:8000" in part for part in command), command  # the port to move to the server's
    command = [part.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}") for part in command]
    run(command, server.folder, server.env)


def test_the_production_settings_pass_djangos_deployment_checks(server):
    run(["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"], server.folder, server.env)


# Run by the image's Python in its folder: records every module compiled from source (what the loader does
# when no valid bytecode is beside it), then starts Django and the web application as gunicorn's workers do.
COMPILED_FROM_SOURCE = """
import importlib._bootstrap_external as loading, json, sys
compiled = []
to_code = loading.SourceLoader.source_to_code
def recorded(self, data, path, *args, **kwargs):
    compiled.append(path)
    return to_code(self, data, path, *args, **kwargs)
loading.SourceLoader.source_to_code = recorded
from orderctl.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns
print(json.dumps({"modules": len(sys.modules), "compiled": compiled}))
"""


def test_the_images_processes_start_from_bytecode_made_at_build(server):
    """The image writes no bytecode (PYTHONDONTWRITEBYTECODE): the build compiles every module once, or each
    worker, Celery process and command compiles its ~1,400 at each start (3.4 s of CPU instead of 1.0)."""
    assert server.env["PYTHONDONTWRITEBYTECODE"] == "1"
    started = json.loads(run(["python", "-c", COMPILED_FROM_SOURCE], server.folder, server.env))
    assert started["modules"] > 1000, started  # Django, the packages and the application were imported
    assert started["compiled"] == [], (
        f"{len(started['compiled'])} modules compiled at start, e.g. " + ", ".join(started["compiled"][:5])
    )
