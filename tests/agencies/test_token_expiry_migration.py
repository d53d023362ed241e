"""Migration 0003: read-write tokens made before they had to expire get an expiry, and are logged."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("agencies", "0002_api_token")]
AFTER = [("agencies", "0004_read_write_token_expiry_required")]
MIGRATED_AT = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0002(transactional_db):
    """Roll the agencies app back to before the migration; leave the database migrated afterwards."""
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_old_read_write_tokens_expire_90_days_after_the_migration(at_0002, caplog):
    User = at_0002.get_model("auth", "User")
    APIToken = at_0002.get_model("agencies", "APIToken")
    owner = User.objects.create(username="script-owner")
    created = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    rows = {
        # name: (read_only, expiry before the migration)
        "forever read-write": (False, None),
        "ten-year read-write": (False, created + dt.timedelta(days=3650)),
        "soon read-write": (False, MIGRATED_AT + dt.timedelta(days=5)),
        "forever read-only": (True, None),
        "ten-year read-only": (True, created + dt.timedelta(days=3650)),
    }
    for number, (name, (read_only, expiry)) in enumerate(rows.items()):
        APIToken.objects.create(
            digest=f"{number:0128d}",
            token_key=f"key{number}",
            user=owner,
            name=name,
            read_only=read_only,
            expiry=expiry,
        )
    with time_machine.travel(MIGRATED_AT, tick=False), caplog.at_level("WARNING", "agencies.migrations"):
        apps = migrate(AFTER)
    expiries = dict(apps.get_model("agencies", "APIToken").objects.values_list("name", "expiry"))
    cap = dt.datetime(2027, 3, 1, 15, 0, tzinfo=dt.UTC)  # 90 days after MIGRATED_AT
    assert expiries == {
        "forever read-write": cap,
        "ten-year read-write": cap,
        "soon read-write": MIGRATED_AT + dt.timedelta(days=5),
        "forever read-only": None,
        "ten-year read-only": created + dt.timedelta(days=3650),
    }
    assert caplog.messages == [
        "Read-write API token key0 (forever read-write) of script-owner now expires 2027-03-01 15:00 UTC "
        "(it was never)",
        "Read-write API token key1 (ten-year read-write) of script-owner now expires 2027-03-01 15:00 UTC "
        "(it was 2036-06-28 00:00 UTC)",
    ]
