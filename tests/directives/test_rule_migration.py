"""Migrations 0014-0016: each directive's rule moves from three columns into one JSON rule, and back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("directives", "0013_integrations_calendars_webhooks_preferences_publication")]
AFTER = [("directives", "0016_drop_the_old_rule_columns")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0013(transactional_db):
    """Roll the directives app back to the three columns; leave the database migrated afterwards."""
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


OLD_ROWS = {
    # ref: (deadline_kind, deadline_days, deadline_event, deadline_ongoing) before the migration
    "2(a)": ("days_after_order", 30, "", False),
    "3(a)": ("days_after_order", 60, "", True),
    "3(b)(ii)": ("days_from_event", -30, "the model's planned release", False),
    "4": ("none", None, "", False),
}


def _old_order(apps):
    Order = apps.get_model("directives", "Order")
    Directive = apps.get_model("directives", "Directive")
    order = Order.objects.create(number=14409, title="Test", signed_on=dt.date(2026, 6, 2))
    for position, (ref, (kind, days, event, ongoing)) in enumerate(OLD_ROWS.items()):
        Directive.objects.create(
            order=order,
            ref=ref,
            position=position,
            title=ref,
            deadline_kind=kind,
            deadline_days=days,
            deadline_event=event,
            deadline_ongoing=ongoing,
        )


def test_each_old_rule_becomes_the_same_rule_as_json(at_0013):
    _old_order(at_0013)
    apps = migrate(AFTER)
    rows = apps.get_model("directives", "Directive").objects.values_list("ref", "deadline_kind", "deadline")
    assert {ref: (kind, rule) for ref, kind, rule in rows} == {
        "2(a)": ("days_after_order", {"kind": "days_after_order", "days": 30}),
        "3(a)": ("days_after_order", {"kind": "days_after_order", "days": 60, "ongoing": True}),
        "3(b)(ii)": (
            "days_from_event",
            {"kind": "days_from_event", "days": -30, "event": "the model's planned release"},
        ),
        "4": ("none", {"kind": "none"}),
    }


def test_migrating_back_restores_the_three_columns(at_0013):
    _old_order(at_0013)
    migrate(AFTER)
    apps = migrate(BEFORE)
    rows = apps.get_model("directives", "Directive").objects.values_list(
        "ref", "deadline_kind", "deadline_days", "deadline_event", "deadline_ongoing"
    )
    assert {ref: tuple(rest) for ref, *rest in rows} == OLD_ROWS


def test_migrating_back_refuses_a_rule_the_old_columns_cannot_hold(at_0013):
    _old_order(at_0013)
    apps = migrate(AFTER)
    apps.get_model("directives", "Directive").objects.filter(ref="4").update(
        deadline={"kind": "months_after_order", "months": 6}, deadline_kind="months_after_order"
    )
    with pytest.raises(RuntimeError, match="months_after_order deadline, which the old columns cannot hold"):
        migrate(BEFORE)
