"""Shared fixtures: the Order as shipped, and named personas instead of anonymous factories.

Personas: an editor of CISA, an editor of Treasury, an editor of ONCD (consulted on 2(c), 2(d), 2(e)
and Sec. 3 but leading nothing), an editor of DHS (CISA's parent department), an oversight reviewer,
an outsider (signed in, no agency) and an admin.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.backends.signals import connection_created
from django.db.models import Model

from agencies import roles
from agencies.models import Agency, Membership
from directives import actions, deadlines
from directives.models import Directive, Order
from directives.orderfile import parse_order_file
from orderctl.runtime import tune_gc
from tests import template_database

ROOT = Path(__file__).resolve().parent.parent
ORDER_FILE = ROOT / "directives" / "orders" / "eo-14409.toml"
# The Order is loaded at noon Eastern on its signing day, so its history starts at a known instant
# whatever day the suite runs (house style 14: no test depends on the day it runs).
LOADED_AT = dt.datetime(2026, 6, 2, 12, 0, tzinfo=deadlines.EASTERN)
# "Today" for tests that need one: after every EO 14409 deadline, so overdue is live.
TODAY = dt.date(2026, 11, 30)


def _unavailable() -> dict[str, str]:
    """Return the markers whose real service is not configured here, with the reason."""
    from django.conf import settings

    missing = {}
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing["postgres"] = "DATABASE_URL does not point at PostgreSQL"
    if not os.environ.get("REDIS_URL"):
        missing["redis"] = "REDIS_URL is not set"
    if not Path("/usr/bin/chromium").exists():
        missing["browser"] = "/usr/bin/chromium is not installed"
    return missing


def pytest_collection_modifyitems(config, items) -> None:
    """Deselect (never skip-and-count) tests whose real service is absent; CI configures them all."""
    missing = _unavailable()
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (dropped if any(item.get_closest_marker(m) for m in missing) else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        reasons = "; ".join(f"{m}: {why}" for m, why in missing.items())
        config._orderctl_deselected = f"{len(dropped)} tests deselected ({reasons})"


@functools.cache
def _shares_a_fixture(module: str) -> bool:
    """Tell whether a test module defines a fixture set up once for several of its tests."""
    path = ROOT / module
    return path.is_file() and re.search(r"scope=\"(module|class|package)\"", path.read_text()) is not None


# Servers started on load/run.py's fixed ports (the first free of 8204-8210): two workers would pick the
# same port at once.
FIXED_PORTS = ("tests/test_faults.py",)


def worker_scope(nodeid: str) -> str:
    """Return what must run on one pytest-xdist worker with the test ``nodeid``: usually the test alone.

    A module whose tests share a module-scoped fixture (the production smoke test's image and server,
    the drafter's corpus) stays on one worker, or both would set it up; so do the fault tests, whose
    servers take fixed ports, and the browser tests, which share one Chromium (tests/browser/conftest.py).
    """
    module = nodeid.split("::", 1)[0]
    if module.startswith("tests/browser/"):
        return "tests/browser"
    return module if module in FIXED_PORTS or _shares_a_fixture(module) else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Schedule ``make test``'s ``--dist loadgroup`` by ``worker_scope``.

    pytest-xdist's own loadgroup reads ``xdist_group`` markers through a node id suffix that pytest 9.2
    no longer carries, so it would split every group; its scope scheduler takes a function instead.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkerScope(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            """Send a unit's every test, a repeated node id included.

            schemathesis gives each of the API's 27 operations the same node id; the base class keys
            a unit by node id and would send only the first, silently dropping 26 tests.
            """
            scope, unit = self.workqueue.popitem(last=False)
            self.assigned_work.setdefault(node, {})[scope] = unit
            collection = self.registered_collections[node]
            node.send_runtest_some([i for i, nodeid in enumerate(collection) if unit.get(nodeid) is False])

    return ByWorkerScope(config, log)


@pytest.hookimpl(wrapper=True)
def pytest_collection_finish(session) -> Iterator[None]:
    """Start the groups first, so a long one is never the last work left while the other worker idles.

    Sorted once every plugin has ordered the items (pytest-django puts transactional tests last), and
    before the worker reports its collection to pytest-xdist, which schedules in that order.
    """
    if "PYTEST_XDIST_WORKER" in os.environ:
        session.items.sort(key=lambda item: start_order(item.nodeid))
    try:
        return (yield)
    finally:
        # The tests' requests run in this process as in a gunicorn worker: what the collection loaded
        # (Django, the apps, every test module and its parameters) stays for the run, so it is frozen
        # out of the collections and the young generation is collected as the server collects it
        # (orderctl/runtime.py). Measured on tests/pages and tests/api: 2,700 collections taking
        # 2.6 s of 37 s of CPU, then 500 taking 1.0 s.
        tune_gc()


# Tests that take a minute or more on a 2-core machine (`make test`'s slowest 20), started right after
# the groups for the same reason: a long one begun last keeps one worker busy while the others idle.
LONG = (
    "tests/test_celery_sqlite.py::",
    "tests/test_security_input.py::test_no_nul_anywhere_is_a_server_error",
    "tests/test_concurrency.py::",
    "tests/test_restart.py::",
    "tests/test_devserver.py::",
    "tests/test_two_of_everything.py::",
    "tests/test_faults_outbox_database.py::",
    "tests/test_url_access.py::test_each_persona_gets_the_status_the_table_gives[pages]",
    "tests/test_url_access.py::test_each_persona_gets_the_status_the_table_gives[api]",
    "tests/directives/test_checks.py::",
    "tests/drafting/test_pathological.py::",
)


def start_order(nodeid: str) -> tuple[bool, bool]:
    """Sort key: the groups first (``worker_scope``), then the long tests, then the rest as collected."""
    return worker_scope(nodeid) == nodeid, not nodeid.startswith(LONG)


def pytest_terminal_summary(terminalreporter, config) -> None:
    note = getattr(config, "_orderctl_deselected", None)
    if note:
        terminalreporter.write_line(note)


def _allow_the_flush(sender, connection, **kwargs) -> None:
    """Let the test runner's flush TRUNCATE the append-only tables (ledger/pg.py explains the switch).

    Tests of the TRUNCATE trigger turn it off again inside their transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET orderctl.allow_truncate = 'on'")


connection_created.connect(_allow_the_flush)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """On PostgreSQL, make the test database a copy of a migrated template (tests/template_database.py)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        test = database.setdefault("TEST", {})
        test.setdefault("TEMPLATE", template_database.template_for(os.environ["DATABASE_URL"]))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """pytest-django's test database, on PostgreSQL without waiting for each commit to reach the disk.

    A commit waits for its WAL flush by default (about 9 ms here, 0.3 ms without): the suite commits
    in every transactional test's flush and in every server, worker and beat it starts. The test
    database is thrown away, so the setting is the database's own (``ALTER DATABASE``): every process
    that connects to it gets it, whatever its URL. A crash could lose the last commits, never break
    consistency (PostgreSQL's documentation, "Asynchronous Commit"); no test crashes this server.
    """
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            name = connection.settings_dict["NAME"]
            with connection.cursor() as cursor:
                cursor.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
                cursor.execute("SET synchronous_commit = off")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords cheaply; production keeps Django's default PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings, request):
    """Give each test an empty cache of its own, so rate-limit counters never leak between tests or runs.

    With REDIS_URL set the project caches in Redis, where counters would outlive the test database.
    """
    locmem = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {"default": {"BACKEND": locmem, "LOCATION": request.node.nodeid}}


def load_the_order() -> Order:
    """Load Executive Order 14409 from the file that ships with the project, at ``LOADED_AT``."""
    with time_machine.travel(LOADED_AT, tick=False):
        order, _ = actions.load_order(parse_order_file(ORDER_FILE.read_text()))
    return order


Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class LoadedRows:
    """The rows one load of the Order writes, table by table, as the database holds them.

    ``inserts`` writes them again: one INSERT a table with every value already in the database's own
    form, as ``bulk_create`` would send it, made once a session (``_loaded_order``) and not once a test.
    """

    order_pk: int
    tables: list[tuple[type[Model], list[str], Rows]]
    inserts: list[tuple[str, list[Any]]]
    any_row: str  # a query telling whether any of the tables holds a row
    move_sequences: tuple[str, list[Any]] | None  # PostgreSQL's next keys set past the rows' (None on SQLite)

    @classmethod
    def of(cls, order_pk: int, tables: list[tuple[type[Model], list[str], Rows]]) -> LoadedRows:
        quote = connection.ops.quote_name
        inserts = []
        for model, fields, rows in tables:
            by_attname = {f.attname: f for f in model._meta.concrete_fields}
            columns = ", ".join(quote(by_attname[name].column) for name in fields)
            values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
            # Names are the models' own, quoted; every value is a parameter.
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
            params = [
                by_attname[name].get_db_prep_save(value, connection)
                for row in rows
                for name, value in zip(fields, row, strict=True)
            ]
            inserts.append((sql, params))
        exists = [f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)})" for model, _, _ in tables]  # noqa: S608
        any_row = "SELECT " + " OR ".join(exists)
        return cls(order_pk, tables, inserts, any_row, _sequences_past(tables))

    def restore(self) -> Order:
        """Write the rows again, with their keys, and return the Order; the sequences move past them.

        The values are the load's as read back, so the timestamps it filled in (``auto_now_add``) are
        the instant of the load, as they were.
        """
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in self.inserts:
                cursor.execute(sql, params)
            if self.move_sequences:
                cursor.execute(*self.move_sequences)
        return Order.objects.get(pk=self.order_pk)

    def written_over(self) -> bool:
        """Tell whether the test has already written a row into one of the load's tables."""
        with connection.cursor() as cursor:
            cursor.execute(self.any_row)
            return bool(cursor.fetchone()[0])


def _sequences_past(tables: list[tuple[type[Model], list[str], Rows]]) -> tuple[str, list[Any]] | None:
    """Return a query making PostgreSQL's next keys follow the restored ones (a test may have reset its
    sequences); None on SQLite, whose AUTOINCREMENT follows an explicit key by itself."""
    if connection.vendor != "postgresql":
        return None
    sequence = "pg_get_serial_sequence(%s, %s)"
    moves, params = [], []
    for model, fields, rows in tables:
        pk = model._meta.pk
        if isinstance(pk, models.AutoField):
            at = fields.index(pk.attname)
            moves.append(f"setval({sequence}, GREATEST(nextval({sequence}), %s))")
            names = [model._meta.db_table, pk.column]
            params += [*names, *names, max(row[at] for row in rows)]
    return ("SELECT " + ", ".join(moves), params) if moves else None


@pytest.fixture(scope="session")
def _loaded_order(django_db_setup, django_db_blocker) -> LoadedRows:
    """Load the Order once per session, note every row the load wrote, and roll the load back.

    The load (parsing the file, the actions, the history chain) costs about 150 ms; writing its rows
    again costs a few. Each test that asks for ``order`` gets those rows written in its own
    transaction, so a test that does not ask still starts from an empty database, as before.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        every_model = apps.get_models(include_auto_created=True)
        before = {m: set(m._base_manager.values_list("pk", flat=True)) for m in every_model}
        order = load_the_order()
        tables = []
        for model in every_model:
            fields = [f.attname for f in model._meta.concrete_fields]
            rows = [
                row
                for row in model._base_manager.order_by("pk").values_list(*fields)
                if row[fields.index(model._meta.pk.attname)] not in before[model]
            ]
            if rows:
                tables.append((model, fields, rows))
        loaded = LoadedRows.of(order.pk, tables)
        transaction.set_rollback(True)
    return loaded


@pytest.fixture
def order(_loaded_order, db) -> Order:
    """Executive Order 14409 from the file that ships with the project, loaded at ``LOADED_AT``.

    Its rows are the session's one load, written again (``_loaded_order``); where the test has already
    written some of those tables, the Order is loaded afresh instead.
    """
    if _loaded_order.written_over():
        return load_the_order()
    return _loaded_order.restore()


@pytest.fixture
def today() -> Iterator[dt.date]:
    """Return ``TODAY`` with the clock at noon Eastern of that day, ticking on from there.

    For tests that need "today" (a date in the future, the day a completion defaults to): the day
    the suite happens to run never enters them.
    """
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(12), tzinfo=deadlines.EASTERN), tick=True):
        yield TODAY


@pytest.fixture
def directive(order):
    """Return a function that fetches one of the Order's directives by ref, e.g. ``directive("2(a)")``."""

    def get(ref: str) -> Directive:
        return Directive.objects.with_agencies().get(order=order, ref=ref)

    return get


def _user(username: str, *, editor_of: str | None = None, **extra):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw", **extra)
    if editor_of:  # through the one write path, so the access log holds it (verify_history reconciles)
        roles.set_membership(
            user, Agency.objects.get(abbreviation=editor_of), Membership.Role.EDITOR, actor=None
        )
    return user


@pytest.fixture
def cisa_editor(order):
    return _user("cisa-editor", editor_of="CISA")


@pytest.fixture
def treasury_editor(order):
    return _user("treasury-editor", editor_of="TREASURY")


@pytest.fixture
def oncd_editor(order):
    """An editor of a consulted agency: may add notes, may not change a status."""
    return _user("oncd-editor", editor_of="ONCD")


@pytest.fixture
def dhs_editor(order):
    """An editor of CISA's parent department."""
    return _user("dhs-editor", editor_of="DHS")


@pytest.fixture
def reviewer(order):
    user = _user("reviewer")
    roles.grant_reviewer(user, actor=None)
    return user


@pytest.fixture
def outsider(order):
    return _user("outsider")


@pytest.fixture
def admin_user(order):
    return _user("admin", is_staff=True, is_superuser=True)
