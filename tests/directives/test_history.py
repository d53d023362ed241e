"""The tamper-evident history: every writer chains its events per order, and verify_history finds any
edit, re-hash or removal, naming the event.

These run on SQLite and PostgreSQL alike. To tamper on PostgreSQL, ``tamper`` switches the
append-only trigger off for one statement inside the test's transaction (rolled back with it);
tests/directives/test_history_postgres.py proves the trigger itself.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import io
import itertools
import json
import re
import threading
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command, load_command_class
from django.db import connection, connections

from agencies.models import Agency
from directives import actions, history
from directives.models import Directive, DirectiveEvent, Order
from directives.orderfile import parse_order_file
from ledger import keys
from ledger.chain import sign_head
from ledger.pg import append_only_tables
from tests.conftest import ORDER_FILE

NOON_NOV_26 = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)  # 12:00 Eastern
JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)
EVENTS = DirectiveEvent._meta.db_table


def tamper(sql: str, params: list | tuple = ()) -> None:
    """Run one raw statement against the append-only tables, as their owner could (triggers off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check: run the pending ones now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in append_only_tables():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in append_only_tables():
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def verify_history(*args: str) -> str:
    """Run the command and return its output; a mismatch raises CommandError."""
    out = []

    class Out:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("verify_history", *args, stdout=Out())
    return "".join(out)


def second_order() -> Order:
    text = ORDER_FILE.read_text().replace("number = 14409", "number = 99999", 1)
    order, _ = actions.load_order(parse_order_file(text))
    return order


def chain(order: Order) -> list[DirectiveEvent]:
    return list(order.events.order_by("seq").select_related("directive", "actor", "agency"))


@pytest.fixture
def busy_history(directive, cisa_editor, treasury_editor):
    """The Order after a few weeks of work: updates, a roll-up, an extension, a sweep's flags."""
    with time_machine.travel(NOON_NOV_26 - dt.timedelta(days=160), tick=False):
        actions.change_status(directive("2(c)(i)"), "in_progress", actor=cisa_editor, note="Drafting.")
        actions.add_note(directive("2(d)"), "Charter «signed» — ünïcode too.", actor=treasury_editor)
        actions.extend_deadline(
            directive("2(e)"), dt.date(2026, 7, 20), actor=None, justification="OMB asked for time."
        )
    with time_machine.travel(JULY_2_ENDS, tick=False):
        actions.flag_overdue(actor=None)
    with time_machine.travel(NOON_NOV_26, tick=False):
        actions.change_status(
            directive("2(c)(ii)"), "completed", actor=cisa_editor, completed_on=dt.date(2026, 11, 20)
        )


# --- Every writer chains ------------------------------------------------------------------------------


def test_the_load_chains_one_created_event_per_directive_from_seq_1(order):
    events = chain(order)
    assert [e.seq for e in events] == list(range(1, 14))
    assert events[0].prev_hash == history.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert {e.kind for e in events} == {DirectiveEvent.Kind.CREATED}


def test_each_writer_appends_to_the_end_of_its_orders_chain(order, busy_history):
    events = chain(order)
    kinds = [e.kind for e in events[13:]]
    assert kinds == [
        "status_changed",  # 2(c)(i)
        "status_changed",  # 2(c), rolled up from it, right after
        "note",
        "deadline_extended",
        *["flagged_overdue"] * 6,  # the 30-day directives but 2(e), extended, and the parent 2(c)
        "status_changed",  # 2(c)(ii) completed
    ]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[14].directive.ref == "2(c)" and "after 2(c)(i) changed" in events[14].note
    assert verify_history().startswith(f"Verified {len(events)} events in 1 order, 13 directives, ")


def test_reminders_and_escalations_are_chained_once_sent(order, reviewer, cisa_editor):
    week_before = JULY_2_ENDS - dt.timedelta(days=7)
    with time_machine.travel(week_before, tick=False):
        actions.send_reminders(actor=None)
    # Owed, not yet sent: nothing in the history until the mail server takes them.
    assert [e.kind for e in chain(order)[13:]] == []
    with time_machine.travel(week_before + dt.timedelta(minutes=1), tick=False):
        first = actions.dispatch_notifications()
    # CISA's three parts of 2(c) had an editor to tell; the other four wait for someone.
    assert (len(first.sent), len(first.waiting)) == (3, 4)
    seven_days_overdue = dt.datetime(2026, 7, 9, 4, 0, tzinfo=dt.UTC)
    with time_machine.travel(seven_days_overdue, tick=False):
        actions.escalate_overdue(actor=None)
        second = actions.dispatch_notifications()
    # The seven trackable items due July 2 escalated to the reviewer; the reminders still waiting are
    # no longer true now that the deadline has passed: cancelled, and no claim of sending is written.
    assert (len(second.sent), len(second.cancelled)) == (7, 4)
    kinds = [e.kind for e in chain(order)[13:]]
    assert kinds == ["reminder_sent"] * 3 + ["escalated"] * 7
    assert history.verify().ok


def test_each_order_has_its_own_chain(order, busy_history):
    other = second_order()
    actions.add_note(Directive.objects.get(order=other, ref="4"), "DOJ guidance issued.", actor=None)
    assert [e.seq for e in chain(other)] == list(range(1, 15))
    assert chain(other)[0].prev_hash == history.GENESIS
    report = history.verify()
    assert (report.ok, report.orders, report.events) == (True, 2, DirectiveEvent.objects.count())


def test_the_hash_is_sha256_of_the_documented_canonical_json(order, busy_history, treasury_editor):
    event = order.events.get(kind="note")
    content = {
        "order": 14409,
        "directive": "2(d)",
        "kind": "note",
        "old_status": "not_started",
        "new_status": "not_started",
        "note": "Charter «signed» — ünïcode too.",
        "evidence_url": "",
        "completed_on": None,
        "old_forecast_on": None,
        "new_forecast_on": None,
        "old_due_on": None,
        "new_due_on": None,
        "actor": treasury_editor.id,  # ids, which a rename does not change
        "agency": Agency.objects.get(abbreviation="TREASURY").id,
        "created": "2026-06-19T17:00:00.000000Z",
        "seq": event.seq,
        "prev_hash": order.events.get(seq=event.seq - 1).hash,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert event.hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert "«signed» — ünïcode" in text  # non-ASCII stays as it is, in UTF-8


def test_the_completion_date_and_the_system_actor_are_in_the_content(order, busy_history, cisa_editor):
    event = order.events.get(kind="status_changed", directive__ref="2(c)(ii)")
    record = next(s.record for s in history.stored_events() if s.record["id"] == event.id)
    assert (record["completed_on"], record["actor"], record["agency"]) == (
        "2026-11-20",
        cisa_editor.id,
        Agency.objects.get(abbreviation="CISA").id,
    )
    flagged = next(s.record for s in history.stored_events() if s.record["kind"] == "flagged_overdue")
    assert (flagged["actor"], flagged["agency"], flagged["old_due_on"]) == (None, None, "2026-07-02")
    assert history.digest(flagged) == flagged["hash"]


def test_an_action_that_refuses_leaves_the_chain_as_it_was(directive, cisa_editor):
    before = list(DirectiveEvent.objects.order_by("id").values_list("seq", "hash"))
    with pytest.raises(ValidationError) as refused:
        actions.change_status(directive("2(c)(ii)"), "not_started", actor=cisa_editor)
    assert refused.value.message_dict == {"status": ["2(c)(ii) is already not started."]}
    assert list(DirectiveEvent.objects.order_by("id").values_list("seq", "hash")) == before


# --- verify_history finds what changed ----------------------------------------------------------------


def test_verify_history_names_an_event_whose_content_was_edited(order, busy_history):
    event = order.events.get(kind="note")
    tamper(
        "UPDATE directives_directiveevent SET note = %s WHERE id = %s", ["Charter never signed.", event.id]
    )
    with pytest.raises(CommandError) as raised:
        verify_history()
    message = str(raised.value)
    assert raised.value.returncode == 1
    assert f"event {event.id} (EO 14409, seq {event.seq}, directive 2(d), kind note, created " in message
    assert "2026-06-19T17:00:00.000000Z): content changed: its stored hash" in message


def test_verify_history_says_how_far_it_got_before_the_mismatch(order, busy_history):
    event = order.events.get(kind="deadline_extended")
    tamper("UPDATE directives_directiveevent SET new_due_on = %s WHERE id = %s", ["2027-01-01", event.id])
    out: list[str] = []
    with pytest.raises(CommandError, match="content changed"):
        call_command("verify_history", stdout=type("O", (), {"write": out.append, "flush": lambda s: 0})())
    assert "".join(out).startswith(f"Checked {event.seq} events in 1 order, ")


def test_a_changed_actor_or_agency_is_a_changed_content(order, busy_history, outsider):
    event = order.events.get(kind="note")
    tamper("UPDATE directives_directiveevent SET actor_id = %s WHERE id = %s", [outsider.id, event.id])
    report = history.verify()
    assert (report.error.event_id, report.error.mismatch) == (event.id, history.Mismatch.CONTENT_CHANGED)


def test_an_edit_rehashed_by_hand_breaks_the_link_of_the_next_event(order, busy_history):
    event = order.events.get(kind="status_changed", directive__ref="2(c)(i)")  # mid-append: unsigned
    record = next(s.record for s in history.stored_events() if s.record["id"] == event.id)
    forged = {**record, "note": "Charter never signed."}
    tamper(
        "UPDATE directives_directiveevent SET note = %s, hash = %s WHERE id = %s",
        [forged["note"], history.digest(forged), event.id],
    )
    after = order.events.get(seq=event.seq + 1)
    with pytest.raises(CommandError) as raised:
        verify_history()
    message = str(raised.value)
    assert f"event {after.id} (EO 14409, seq {after.seq}," in message
    assert f"link broken: its prev_hash {after.prev_hash} is not the hash of seq {event.seq}" in message


def test_a_removed_event_leaves_a_gap_in_seq(order, busy_history):
    event = order.events.get(kind="note")
    tamper("DELETE FROM directives_directiveevent WHERE id = %s", [event.id])
    before, after = order.events.get(seq=event.seq - 1), order.events.get(seq=event.seq + 1)
    report = history.verify()
    assert report.error.mismatch == history.Mismatch.MISSING_SEQ
    assert report.error.event_id == after.id
    assert report.error.detail == (
        f"seq {after.seq} follows seq {event.seq - 1} (event {before.id}): seq {event.seq} is missing"
    )


def test_a_removed_event_renumbered_away_breaks_a_link(order, busy_history):
    event = order.events.get(kind="note")
    tamper("DELETE FROM directives_directiveevent WHERE id = %s", [event.id])
    # Close the gap from the end down, so that (order, seq) stays unique at every step.
    for later in order.events.filter(seq__gt=event.seq).order_by("seq"):
        tamper("UPDATE directives_directiveevent SET seq = seq - 1 WHERE id = %s", [later.id])
    report = history.verify()
    # The seqs run on without a gap now, so the first thing that gives it away is the link: the event
    # that followed the removed one (now at its seq) still names the removed event's hash as its
    # prev_hash. The checker looks at the link before the hash (its content, the seq, changed too).
    follower = order.events.get(seq=event.seq)
    assert report.error.mismatch == history.Mismatch.LINK_BROKEN
    assert (report.error.event_id, report.error.seq) == (follower.id, event.seq)
    assert f"its prev_hash {event.hash} is not the hash of seq {event.seq - 1}" in report.error.detail


def test_an_event_moved_to_another_orders_directive_is_found(order, busy_history):
    other = second_order()
    event = order.events.get(kind="note")  # on 2(d) of EO 14409
    twin = Directive.objects.get(order=other, ref="2(d)")
    tamper("UPDATE directives_directiveevent SET directive_id = %s WHERE id = %s", [twin.id, event.id])
    report = history.verify()
    assert report.error.event_id == event.id
    assert "its directive belongs to EO 99999, but the event is chained in EO 14409" in report.error.detail


def test_verify_history_says_how_fast_on_stderr_and_skips_the_system_checks(order, busy_history):
    err = io.StringIO()
    out = io.StringIO()
    call_command("verify_history", stdout=out, stderr=err)
    assert out.getvalue().startswith("Verified 24 events in 1 order")
    assert re.fullmatch(r"\d+\.\d s, [\d,]+ events a second\.\n", err.getvalue())
    # It reads the database only: Django's checks of every model, URL and setting are no part of it.
    assert load_command_class("directives", "verify_history").requires_system_checks == []


def test_the_collector_is_paused_while_the_events_are_checked_and_restored_after(order, busy_history):
    enabled = []
    assert history.verify(on_event=lambda row: enabled.append(gc.isenabled())).ok
    assert len(enabled) == 24
    assert not any(enabled)
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), history.collector_paused():
        _ = 1 / len(enabled[:0])
    assert gc.isenabled()
    gc.disable()  # a caller's own choice is kept
    try:
        with history.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_verify_history_checks_one_order_when_asked(order, busy_history):
    other = second_order()
    tamper("UPDATE directives_directiveevent SET note = 'x' WHERE order_id = %s AND seq = 1", [other.id])
    assert verify_history("--order", "14409").startswith("Verified 24 events in 1 order")
    with pytest.raises(CommandError, match="EO 99999, seq 1"):
        verify_history("--order", "99999")


def test_verify_history_refuses_an_unknown_order(order):
    with pytest.raises(CommandError, match="--order: no executive order 1 is loaded"):
        verify_history("--order", "1")


def test_an_empty_database_verifies(db):
    assert verify_history().startswith("Verified 0 events in 0 orders, 0 directives, 0 access log entries")


@pytest.mark.parametrize(
    "content",
    [
        {},
        {"note": 'Quotes " and \\ backslashes, \t tabs,\nnewlines\r and \x00\x1f controls'},
        {"note": "Ünïcödé — «quotes», 中文, emoji 🛡️, and U+2028\u2028 U+2029\u2029"},
        {"actor_id": 12, "agency_id": 3},
        {"completed_on": dt.date(2026, 7, 1), "new_forecast_on": dt.date(2026, 8, 1)},
        {"old_due_on": dt.date(2026, 7, 2), "new_due_on": dt.date(2027, 1, 31), "kind": "deadline_extended"},
    ],
    ids=["plain", "escapes", "unicode", "people", "dates", "extension"],
)
def test_the_fast_canonical_text_is_the_json_encoders_to_the_character(content):
    event = history.NewEvent(
        directive_id=1,
        order_id=1,
        directive_ref="2(c)(ii)",
        created=NOON_NOV_26,
        **({"kind": "note"} | content),
    )
    place: dict[str, Any] = {
        "order": 14409,
        "seq": 7,
        "prev_hash": "ab" * 32,
        "created": history.instant(NOON_NOV_26),
    }
    assert event.canonical_text(**place) == history.canonical(event.content(**place)).decode()


def test_a_note_with_tabs_newlines_and_backslashes_is_stored_and_chained_as_written(directive, cisa_editor):
    note = "Line one\tcolumn\nline two \\N not null\r\nend \\ back"
    event = actions.add_note(directive("2(c)(ii)"), note, actor=cisa_editor)
    assert DirectiveEvent.objects.get(pk=event.pk).note == note
    assert history.verify().ok


# --- The pure checker ---------------------------------------------------------------------------------


def _record(seq: int, prev_hash: str, **content) -> dict:
    """An event of EO 1, signed as an append of itself alone (the pure checker needs the signatures too)."""
    record: dict[str, Any] = {key: None for key in history.CONTENT_KEYS} | {
        "order": 1,
        "directive": "1",
        "kind": "note",
    }
    record |= {"seq": seq, "prev_hash": prev_hash, "created": "2026-06-02T00:00:00.000000Z", "id": seq}
    record |= content
    record["hash"] = history.digest(record)
    key_id, signature = sign_head(keys.keyring(), "order:1", seq, seq, record["hash"])
    return record | {"signed_from": seq, "key_id": key_id, "signature": signature}


def test_the_checker_needs_a_chain_to_start_at_seq_1_from_the_genesis_hash():
    assert history.check_records([_record(1, history.GENESIS)])[1] is None
    assert history.check_records([_record(2, history.GENESIS)])[1].mismatch == history.Mismatch.MISSING_SEQ
    error = history.check_records([_record(1, "f" * 64)])[1]
    assert (error.mismatch, error.seq) == (history.Mismatch.LINK_BROKEN, 1)


def test_the_checker_names_an_event_with_part_of_a_signature():
    """An event its append's newest vouches for carries no signature columns; a key id or a seq of the
    append without the signature itself is named, not taken for such an event."""
    first = _record(1, history.GENESIS)
    vouched = first | {"signed_from": None, "key_id": "", "signature": ""}
    last = _record(2, first["hash"], note="second")
    key_id, signature = sign_head(keys.keyring(), "order:1", 1, 2, last["hash"])
    last |= {"signed_from": 1, "key_id": key_id, "signature": signature}  # an append of seq 1 and 2
    assert history.check_records([vouched, last])[1] is None
    for part in ({"signed_from": 1}, {"key_id": key_id}):
        error = history.check_records([vouched | part, last])[1]
        assert (error.mismatch, error.seq) == (history.Mismatch.SIGNATURE, 1)
        assert error.detail == "it has part of a signature (signed_from or key_id without a signature)"


def test_the_checker_reports_a_repeated_seq():
    first = _record(1, history.GENESIS)
    again = _record(1, first["hash"], note="again")
    error = history.check_records([first, again])[1]
    assert error.mismatch == history.Mismatch.MISSING_SEQ
    assert error.detail == "seq 1 follows seq 1 (event 1): expected 2"


# --- Concurrent appends -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_on_different_directives_of_one_order_never_fork_its_chain(cisa_editor, treasury_editor):
    """Two directives, so no directive lock serialises the writers: only the order's lock does."""
    refs = {cisa_editor: "2(c)(ii)", treasury_editor: "2(d)"}
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def write(user) -> None:
        try:
            d = Directive.objects.get(ref=refs[user])
            start.wait()
            for i in range(15):
                actions.add_note(d, f"note {i} by {user.username}", actor=user)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(user,)) for user in refs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    order = Order.objects.get(number=14409)
    assert [e.seq for e in chain(order)] == list(range(1, 13 + 30 + 1))
    assert history.verify().ok
