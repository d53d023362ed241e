"""On PostgreSQL the events table is append-only: triggers refuse UPDATE, DELETE and TRUNCATE, whoever asks.

With the trigger dropped (as a database owner could), an edit goes through, and verify_history
names the edited event.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from directives import actions, history
from directives.models import Delivery, DirectiveEvent, EvidenceFile, FeedEntry, Notification
from directives.models.outreach import WebhookDelivery

pytestmark = pytest.mark.postgres

EVENTS = DirectiveEvent._meta.db_table
TRIGGER = "directives_directiveevent_append_only"


def run(sql: str, params: list | tuple = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(sql: str, params: list | tuple = ()) -> str:
    """Run ``sql`` in a savepoint, expecting the database to refuse it; return its message."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        run(sql, params)
    return str(raised.value)


@pytest.fixture
def trigger_dropped(db):
    """Drop the append-only trigger for this test; put the very same definition back afterwards."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
            [TRIGGER, EVENTS],
        )
        [(definition,)] = cursor.fetchall()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # DROP TRIGGER waits for no deferred check
        cursor.execute(f"DROP TRIGGER {TRIGGER} ON {EVENTS}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s", [TRIGGER])
        if cursor.fetchone() is None:
            cursor.execute(definition)


def test_the_trigger_is_installed_by_the_migrations(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass", [TRIGGER, EVENTS]
        )
        assert cursor.fetchall() == [("O",)]  # O: enabled, fires in the usual (origin) mode


def test_the_database_refuses_to_update_an_event(order):
    event = DirectiveEvent.objects.order_by("seq").first()
    assert "directives_directiveevent is append-only: UPDATE refused" in refused(
        "UPDATE directives_directiveevent SET note = %s WHERE id = %s", ["rewritten", event.id]
    )
    assert DirectiveEvent.objects.get(pk=event.pk).note == event.note


def test_the_orm_cannot_update_or_delete_an_event_either(order):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DirectiveEvent.objects.filter(directive__ref="2(a)").update(note="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DirectiveEvent.objects.filter(directive__ref="2(a)").delete()
    assert DirectiveEvent.objects.filter(directive__ref="2(a)").count() == 1


def test_the_database_refuses_to_delete_an_event(order):
    count = DirectiveEvent.objects.count()
    assert "directives_directiveevent is append-only: DELETE refused" in refused(
        "DELETE FROM directives_directiveevent WHERE seq = 13"
    )
    assert DirectiveEvent.objects.count() == count


def test_the_database_refuses_to_truncate_the_events_even_by_cascade(order, directive, cisa_editor):
    actions.add_note(directive("2(c)(ii)"), "Kept.", actor=cisa_editor)
    run("SET LOCAL orderctl.allow_truncate = 'off'")  # as in production; the test runner's flush sets it
    run("SET CONSTRAINTS ALL IMMEDIATE")
    assert "directives_directiveevent is append-only: TRUNCATE refused" in refused(
        f"TRUNCATE {EVENTS} CASCADE"
    )
    assert "TRUNCATE refused" in refused("TRUNCATE directives_directive CASCADE")
    assert DirectiveEvent.objects.count() == 14


def test_truncate_works_for_the_test_runners_flush_only_when_the_session_asks(order):
    with transaction.atomic():
        run("SET LOCAL orderctl.allow_truncate = 'on'")
        run("SET CONSTRAINTS ALL IMMEDIATE")
        carried = Delivery.notifications.through._meta.db_table
        webhooks = WebhookDelivery._meta.db_table  # refers to the notices too
        evidence = EvidenceFile._meta.db_table  # refers to the events
        feeds = FeedEntry._meta.db_table  # refers to the notices
        run(f"TRUNCATE {carried}, {webhooks}, {feeds}, {Notification._meta.db_table}, {evidence}, {EVENTS}")
        assert DirectiveEvent.objects.count() == 0
        transaction.set_rollback(True)
    assert DirectiveEvent.objects.count() == 13


def test_with_the_trigger_dropped_an_edit_goes_through_and_verify_history_names_it(
    order, directive, cisa_editor, trigger_dropped
):
    event = actions.change_status(directive("2(c)(ii)"), "in_progress", actor=cisa_editor, note="Started.")
    assert run("UPDATE directives_directiveevent SET new_status = 'completed' WHERE id = %s", [event.id]) == 1
    with pytest.raises(CommandError) as raised:
        call_command("verify_history")
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert f"event {event.id} (EO 14409, seq 14, directive 2(c)(ii), kind status_changed, created " in message
    assert "content changed" in message


@pytest.mark.django_db(transaction=True)
def test_verify_history_reads_one_snapshot_in_a_transaction_of_its_own(directive, cisa_editor):
    """Run as the command runs, outside any transaction: the proof opens one, at REPEATABLE READ, so
    the events and the directives they replay to are read as of one instant."""
    actions.add_note(directive("2(c)(ii)"), "Read as of one instant.", actor=cisa_editor)
    assert not in_a_transaction()
    with history.one_snapshot(), connection.cursor() as cursor:
        assert in_a_transaction()
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone() == ("repeatable read",)
    assert not in_a_transaction()
    out = io.StringIO()
    call_command("verify_history", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("Verified ")


def in_a_transaction() -> bool:
    return connection.in_atomic_block
