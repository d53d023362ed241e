"""The attacks of issue 11, on PostgreSQL, by someone who can write to the database.

As the application's own role (what web, worker and beat connect as, given its privileges by
``grant_app_role``): every attack is refused by the database, or named by ``verify_history``
(order, directive and seq). As the owner, who can do anything to the tables: every attack is named,
as long as the newest checkpoint kept outside the database is given to ``verify_history``.

The roles are created inside each test's transaction, so they vanish with it; their names carry
the test database's, so that sessions sharing the server never collide.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from directives import actions, history
from directives.models import Directive, DirectiveEvent
from ledger import audit
from ledger.models import AccessEvent
from tests.directives.test_history import NOON_NOV_26

pytestmark = pytest.mark.postgres

EVENTS = DirectiveEvent._meta.db_table


def run(sql: str, params: list | tuple = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(sql: str, params: list | tuple = ()) -> str:
    """Run ``sql`` in a savepoint, expecting the database to refuse it; return its message."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        run(sql, params)
    return str(raised.value)


def verify(*checkpoint_files: Path) -> str:
    """Run verify_history (with the checkpoint files); return its output, or raise with the problems."""
    out = io.StringIO()
    args = [arg for path in checkpoint_files for arg in ("--checkpoints", str(path))]
    call_command("verify_history", *args, stdout=out)
    return out.getvalue()


def problems(*checkpoint_files: Path) -> str:
    with pytest.raises(CommandError) as raised:
        verify(*checkpoint_files)
    assert raised.value.returncode == 1
    return str(raised.value)


@pytest.fixture
def app_role(db) -> str:
    """Create the application's role as docs/history-proof.md does, and grant it what it needs."""
    name = f"{connection.settings_dict['NAME']}_app"[:63]
    run(f'CREATE ROLE "{name}" NOLOGIN')
    call_command("grant_app_role", name, stdout=io.StringIO())
    return name


@contextlib.contextmanager
def as_role(role: str):
    """Act as ``role`` (its privileges, not the owner's) until the block ends."""
    run(f'SET ROLE "{role}"')
    try:
        yield
    finally:
        run("RESET ROLE")


@contextlib.contextmanager
def as_owner_without_triggers():
    """Act as the owner who switched the append-only triggers off, as an owner can."""
    run("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
    tables = (EVENTS, "ledger_accessevent", "ledger_checkpoint")
    for table in tables:
        run(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        for table in tables:
            run(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.fixture
def kept_outside(settings, tmp_path, busy_history) -> Path:
    """The busy history, with a checkpoint written to a file outside the database (the sink)."""
    path = tmp_path / "checkpoints.jsonl"
    settings.HISTORY_CHECKPOINT_FILE = str(path)
    with time_machine.travel(NOON_NOV_26 + dt.timedelta(hours=1), tick=False):
        call_command("write_checkpoint", stdout=io.StringIO())
    assert verify(path).startswith("Verified 24 events in 1 order, 13 directives")
    return path


def newest(order_number: int = 14409) -> DirectiveEvent:
    return (
        DirectiveEvent.objects.filter(order__number=order_number)
        .select_related("directive")
        .order_by("-seq")[0]
    )


# --- As the application's role ------------------------------------------------------------------------


def test_the_app_role_is_not_the_owner_and_has_only_select_and_insert_on_the_append_only_tables(app_role):
    for table in (EVENTS, "ledger_accessevent", "ledger_checkpoint"):
        run(
            "SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) "
            "FROM information_schema.table_privileges WHERE grantee = %s AND table_name = %s",
            [app_role, table],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT string_agg(privilege_type, ',' ORDER BY privilege_type), "
                "bool_or(pg_get_userbyid(c.relowner) = %s) FROM information_schema.table_privileges p "
                "JOIN pg_class c ON c.relname = p.table_name WHERE grantee = %s AND table_name = %s",
                [app_role, app_role, table],
            )
            assert cursor.fetchone() == ("INSERT,SELECT", False)


def test_the_app_role_cannot_update_delete_or_truncate_events(app_role, busy_history):
    event = newest()
    with as_role(app_role):
        assert "permission denied" in refused(
            "UPDATE directives_directiveevent SET note = 'rewritten' WHERE id = %s", [event.id]
        )
        assert "permission denied" in refused(
            "DELETE FROM directives_directiveevent WHERE id = %s", [event.id]
        )
        assert "permission denied" in refused(
            "DELETE FROM directives_directiveevent WHERE order_id = %s", [event.order_id]
        )
        assert "permission denied" in refused("TRUNCATE directives_directiveevent CASCADE")
        assert "permission denied" in refused("TRUNCATE directives_directive CASCADE")
        assert "permission denied" in refused("UPDATE ledger_accessevent SET detail = '{}'")
        assert "permission denied" in refused("DELETE FROM ledger_checkpoint")
    assert verify().startswith("Verified 24 events")


def test_the_app_role_cannot_disable_drop_or_replace_the_triggers(app_role, busy_history):
    with as_role(app_role):
        for table in (EVENTS, "ledger_accessevent", "ledger_checkpoint"):
            assert "must be owner" in refused(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            assert "must be owner" in refused(f"DROP TRIGGER {table}_append_only ON {table}")
            assert "must be owner" in refused(f"DROP TRIGGER {table}_no_truncate ON {table}")
        replaced = refused(
            "CREATE OR REPLACE FUNCTION directives_directiveevent_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS "
            "$$ BEGIN RETURN NEW; END $$"
        )
        assert "must be owner" in replaced or "permission denied for schema public" in replaced


def test_the_app_role_runs_the_application(app_role, directive, cisa_editor):
    """The grants are enough for the work itself: updates, roll-ups, the sweeps, checkpoints, the log."""
    with as_role(app_role):
        with time_machine.travel(NOON_NOV_26, tick=False):
            actions.change_status(directive("2(c)(i)"), "in_progress", actor=cisa_editor, note="Drafting.")
            actions.flag_overdue(actor=None)
            actions.send_reminders(actor=None)
            audit.record(AccessEvent.Kind.LOCKED_OUT, actor_id=None, detail={"username": "x"})
        call_command("write_checkpoint", stdout=io.StringIO(), stderr=io.StringIO())
        assert verify().startswith("Verified ")


def test_as_the_app_role_an_event_inserted_without_the_key_is_named(app_role, busy_history):
    """INSERT is allowed: a forger computes the next hash with the documented form, but cannot sign."""
    head = newest()
    d = Directive.objects.get(ref="2(c)(ii)")
    forged = history.NewEvent(
        directive_id=d.id, order_id=d.order_id, directive_ref=d.ref, kind="status_changed",
        created=head.created, old_status="completed", new_status="not_started",
    )  # fmt: skip
    text = forged.canonical_text(
        order=14409, seq=head.seq + 1, prev_hash=head.hash, created=history.instant(head.created)
    )
    with as_role(app_role):
        run(
            "INSERT INTO directives_directiveevent (directive_id, order_id, seq, kind, old_status, "
            "new_status, "
            "note, evidence_url, "
            "created, prev_hash, hash, key_id, signature) VALUES (%s, %s, %s, 'status_changed', 'completed', "
            "'not_started', '', '', %s, %s, %s, '', '')",
            [
                d.id,
                d.order_id,
                head.seq + 1,
                head.created,
                head.hash,
                hashlib.sha256(text.encode()).hexdigest(),
            ],
        )
    message = problems()
    assert f"(EO 14409, seq {head.seq + 1}, directive 2(c)(ii), kind status_changed" in message
    assert (
        f"not signed by the key: no signature covers seq {head.seq + 1}, the newest of the chain" in message
    )


def test_as_the_app_role_a_directive_changed_behind_its_history_is_named(app_role, busy_history):
    with as_role(app_role):
        run(
            "UPDATE directives_directive SET status = 'completed', completed_on = '2026-07-01', "
            "due_on = '2027-01-01' WHERE ref = '2(a)'"
        )
    seq = DirectiveEvent.objects.filter(directive__ref="2(a)").order_by("-seq")[0].seq
    message = problems()
    assert (
        f"EO 14409, directive 2(a), seq {seq} (its newest event): the directive differs from its history: "
        in message
    )
    assert "status is 'completed' but its events say 'not_started'" in message
    assert "completion date is '2026-07-01' but its events say empty" in message
    assert "due date is '2027-01-01' but its events say '2026-07-02'" in message


def test_as_the_app_role_a_forged_checkpoint_is_named(app_role, kept_outside):
    with as_role(app_role):
        run(
            "INSERT INTO ledger_checkpoint (created, key_id, line) VALUES (now(), 'x', "
            """'{"type":"checkpoint","created":"2027-01-01T00:00:00.000000Z","key_id":"x","chains":{},"signature":"AA=="}')"""
        )
    assert (
        "in the database: not a valid checkpoint: it is signed by key x, which is not a trusted key"
        in problems()
    )


# --- As the owner, with the newest checkpoint kept outside the database ------------------------------


def test_as_the_owner_an_edit_re_hashed_to_the_end_of_the_chain_is_named(kept_outside):
    """The first attack of the issue: edit a note, recompute every later prev_hash and hash."""
    event = DirectiveEvent.objects.get(kind="note", directive__ref="2(d)")
    records = [s.record for s in history.stored_events() if s.record["seq"] >= event.seq]
    records[0]["note"] = "Charter never signed."
    previous = records[0]["prev_hash"]
    with as_owner_without_triggers():
        for record in records:
            record["prev_hash"] = previous
            record["hash"] = previous = history.digest(record)
            run(
                "UPDATE directives_directiveevent SET note = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [record["note"], record["prev_hash"], record["hash"], record["id"]],
            )
    message = problems(kept_outside)
    assert f"event {event.id} (EO 14409, seq {event.seq}, directive 2(d), kind note, " in message
    assert "not signed by the key: its signature does not verify with key" in message
    # The checkpoint outside says the same in its own words: the head it signed is gone.
    assert "EO 14409, directive 2(c)(ii), seq 24: the checkpoint of " in message
    assert "the chain was rewritten since" in message


def test_as_the_owner_the_newest_events_removed_are_named_by_the_checkpoint(kept_outside):
    with as_owner_without_triggers():
        run(
            "DELETE FROM directives_notification "
            "WHERE event_id IN (SELECT id FROM directives_directiveevent WHERE seq > 19)"
        )
        assert run("DELETE FROM directives_directiveevent WHERE seq > 19") == 5
        run("DELETE FROM ledger_checkpoint")
    message = problems(kept_outside)
    assert (
        "EO 14409, directive 2(c)(ii), seq 24: in the checkpoint of 2026-11-26T18:00:00.000000Z "
        f"({kept_outside}, line 1), but not in the database (the chain now ends at seq 19): "
        "events were removed"
    ) in message


def test_as_the_owner_a_whole_chain_removed_is_named_by_the_checkpoint(kept_outside):
    with as_owner_without_triggers():
        run("DELETE FROM directives_notification")
        run(
            "DELETE FROM directives_directiveevent "
            "WHERE order_id = (SELECT id FROM directives_order WHERE number = 14409)"
        )
        run("DELETE FROM ledger_checkpoint")
    message = problems(kept_outside)
    assert (
        "EO 14409, directive 2(c)(ii), seq 24: in the checkpoint of 2026-11-26T18:00:00.000000Z "
        f"({kept_outside}, line 1), but not in the database (the database holds no event of this order)"
    ) in message
    assert "EO 14409, directive 2(a): it has no events: its chain from created is missing" in message


def test_as_the_owner_truncate_of_everything_is_named_by_the_checkpoint(kept_outside):
    with as_owner_without_triggers():
        run("TRUNCATE directives_directiveevent, ledger_accessevent, ledger_checkpoint CASCADE")
    assert DirectiveEvent.objects.count() == AccessEvent.objects.count() == 0
    message = problems(kept_outside)
    assert "EO 14409, directive 2(c)(ii), seq 24: in the checkpoint of" in message
    assert "access log, seq " in message and "entries were removed" in message


def test_as_the_owner_even_with_the_directives_and_orders_gone_the_checkpoint_names_them(kept_outside):
    with as_owner_without_triggers():
        run("TRUNCATE directives_order, directives_directiveevent, ledger_checkpoint CASCADE")
    assert "EO 14409, directive 2(c)(ii), seq 24: in the checkpoint of" in problems(kept_outside)


def test_as_the_owner_a_state_change_behind_the_history_is_named(kept_outside):
    run(
        "UPDATE directives_directive SET overdue_flagged_at = NULL, forecast_on = '2026-12-01' "
        "WHERE ref = '2(b)'"
    )
    message = problems(kept_outside)
    assert "EO 14409, directive 2(b), seq " in message
    assert (
        "forecast is '2026-12-01' but its events say empty; overdue flag is clear but its events say set"
        in message
    )
