"""Backups: export_history writes the whole record as JSON lines; import_history restores it into an
empty database, refusing a bad, tampered or truncated file, or a database that is not empty, with
nothing written; after a restore every chain still verifies."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.models import Agency
from directives import actions, history
from directives.models import Directive, DirectiveEvent, Involvement, Notification, Order, OrderChange
from directives.operations import backup
from ledger import checkpoints, keys
from ledger.chain import sign_head
from tests.directives.test_history import NOON_NOV_26

User = get_user_model()


def command(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def everything() -> dict[str, int]:
    """Count every record a restore writes, to prove that a refused one wrote nothing."""
    return {
        "agencies": Agency.objects.count(),
        "orders": Order.objects.count(),
        "directives": Directive.objects.count(),
        "involvements": Involvement.objects.count(),
        "events": DirectiveEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "users": User.objects.count(),
    }


def lines_of(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- The round trip -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_round_trips_through_an_empty_database_and_still_verifies(
    tmp_path,
    busy_history,
    directive,
    cisa_editor,
):
    with time_machine.travel(dt.datetime(2026, 7, 9, 4, 0, tzinfo=dt.UTC), tick=False):
        actions.escalate_overdue(actor=None)  # notices with and without a sent state
    file = tmp_path / "backup.jsonl"
    with time_machine.travel(NOON_NOV_26, tick=False):
        status_before = command("export_status", "--format", "csv")
        command("export_history", "--output", str(file))
    ids_before = dict(Directive.objects.values_list("ref", "id"))
    last_event = DirectiveEvent.objects.order_by("-id").values_list("id", "seq")[0]

    call_command("flush", interactive=False, verbosity=0)
    assert set(everything().values()) == {0}

    output = command("import_history", str(file))
    assert output.startswith("Restored 2 users, 15 agencies, 1 order, 13 directives, ")
    assert output.endswith(
        f"Verified {last_event[1]} events in 1 order: every chain is intact and signed, "
        "every state matches.\n"
    )
    assert command("verify_history").startswith(f"Verified {last_event[1]} events")
    with time_machine.travel(NOON_NOV_26, tick=False):
        assert command("export_status", "--format", "csv") == status_before
        again = tmp_path / "again.jsonl"
        command("export_history", "--output", str(again))
    assert lines_of(again)[1:] == lines_of(file)[1:]  # all but the header's export time
    assert dict(Directive.objects.values_list("ref", "id")) == ids_before  # links keep working

    # People come back by username, inactive and with no usable password.
    editor = User.objects.get(username="cisa-editor")
    assert (editor.is_active, editor.has_usable_password()) == (False, False)
    # The restored database takes new work: ids continue after the restored ones, the chain goes on.
    editor.is_active = True
    editor.save()
    from agencies.models import Membership

    Membership.objects.create(user=editor, agency=Agency.objects.get(abbreviation="CISA"), role="editor")
    event = actions.add_note(directive("2(c)(iii)"), "After the restore.", actor=editor)
    assert (event.id, event.seq) == (last_event[0] + 1, last_event[1] + 1)
    assert history.verify().ok


@pytest.mark.django_db(transaction=True)
def test_every_rule_series_revocation_and_amendment_round_trip(tmp_path, admin_user):
    from tests.directives.rule_orders import AT_B, ORDER_A, ORDER_B, load

    load(ORDER_A)
    with time_machine.travel(dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC), tick=False):
        actions.change_status(
            Directive.objects.get(ref="1", order__number=90001), "completed", actor=admin_user,
            completed_on=dt.date(2026, 3, 2),
        )  # fmt: skip
        actions.advance_series()
    load(ORDER_B, AT_B)
    file = tmp_path / "backup.jsonl"
    with time_machine.travel(dt.datetime(2026, 3, 4, tzinfo=dt.UTC), tick=False):
        command("export_history", "--output", str(file))
    lines = lines_of(file)
    assert [line["ref"] for line in lines if line["type"] == "change"] == ["5(a)", "6", "3"]
    second = next(line for line in lines if line["type"] == "directive" and line["ref"] == "4#2")
    assert (second["series"], second["occurrence"], second["deadline"]["kind"]) == ("4", 2, "recurring")
    before = {
        d.ref: (d.deadline, d.status, d.due_on, d.event_on, d.series_id, d.occurrence)
        for d in Directive.objects.filter(order__number=90001)
    }

    call_command("flush", interactive=False, verbosity=0)
    output = command("import_history", str(file))
    assert "3 changes" in output and output.endswith("every state matches.\n")
    after = {
        d.ref: (d.deadline, d.status, d.due_on, d.event_on, d.series_id, d.occurrence)
        for d in Directive.objects.filter(order__number=90001)
    }
    assert after == before
    assert OrderChange.objects.filter(by_order__number=90002).count() == 3
    again = tmp_path / "again.jsonl"
    with time_machine.travel(dt.datetime(2026, 3, 4, tzinfo=dt.UTC), tick=False):
        command("export_history", "--output", str(again))
    assert lines_of(again)[1:] == lines[1:]  # all but the header's export time


def test_an_auditor_checks_every_hash_of_a_backup_with_the_standard_library_alone(
    tmp_path,
    busy_history,
):
    file = tmp_path / "backup.jsonl"
    command("export_history", "--output", str(file))
    # The recipe of directives/history/__init__.py's docstring, verbatim in substance.
    keys = ("order", "directive", "kind", "old_status", "new_status", "note", "evidence_url",
            "completed_on", "old_forecast_on", "new_forecast_on", "old_due_on", "new_due_on",
            "actor", "agency", "created", "seq", "prev_hash")  # fmt: skip

    def event_hash(line: dict) -> str:
        text = json.dumps(
            {k: line[k] for k in keys}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(text.encode()).hexdigest()

    events = sorted(
        (line for line in lines_of(file) if line["type"] == "event"), key=lambda e: (e["order"], e["seq"])
    )
    assert (
        len(events) == DirectiveEvent.objects.count() == 24
    )  # the sweep flags the parts of 2(c), not the parent
    previous = "0" * 64
    for seq, event in enumerate(events, start=1):
        assert (event["seq"], event["prev_hash"], event_hash(event)) == (seq, previous, event["hash"])
        previous = event["hash"]


def test_an_auditor_checks_every_hash_and_signature_of_a_backup_with_the_recipe(tmp_path, busy_history):
    """The recipe of docs/history-proof.md, run as written, on a real export; and on a forged one."""
    file = tmp_path / "backup.jsonl"
    command("export_history", "--output", str(file))
    doc = (Path(__file__).resolve().parents[2] / "docs" / "history-proof.md").read_text()
    recipe = doc.split("## For an auditor", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    ring = keys.keyring()
    recipe = (
        recipe.replace('"<key id>"', repr(ring.signing_key_id))
        .replace('"<public key>"', repr(keys.public_text(ring.private.public_key())))
        .replace('"backup.jsonl"', repr(str(file)))
    )
    exec(compile(recipe, "docs/history-proof.md", "exec"), {})  # noqa: S102 - our own documentation

    lines = lines_of(file)
    note = next(line for line in lines if line["type"] == "event" and line["kind"] == "note")
    note["note"] = "Charter never signed."
    previous = None
    for line in sorted((x for x in lines if x["type"] == "event"), key=lambda e: e["seq"]):
        if line["seq"] >= note["seq"]:
            line["prev_hash"] = previous
            line["hash"] = history.digest(line)
        previous = line["hash"]
    file.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    with pytest.raises(InvalidSignature):
        exec(compile(recipe, "docs/history-proof.md", "exec"), {})  # noqa: S102


def test_export_history_writes_to_stdout_without_output(order):
    lines = [json.loads(line) for line in command("export_history").splitlines()]
    assert (lines[0]["type"], lines[0]["format"], lines[0]["version"]) == ("header", "orderctl-history", 4)
    seal = lines[-1].pop("seal")
    assert lines[-1] == {
        "type": "end",
        "counts": {
            "user": 0, "agency": 15, "order": 1, "directive": 13, "event": 13, "notification": 0,
            "change": 0, "extension": 0, "evidence": 0, "access": 0, "checkpoint": 1,
        },
    }  # fmt: skip
    assert set(seal) == {"digest", "key_id", "signature"}
    assert seal["key_id"] == keys.keyring().signing_key_id


def test_it_refuses_a_database_that_is_not_empty(tmp_path, order, cisa_editor):
    file = tmp_path / "backup.jsonl"
    command("export_history", "--output", str(file))
    before = everything()
    with pytest.raises(CommandError) as raised:
        command("import_history", str(file))
    assert str(raised.value) == (
        "The database is not empty (it holds 15 agencies, 1 order, 13 directives, 13 events, "
        "1 access log entry, 45 involvements); import_history restores only into an empty database. "
        "Nothing was written."
    )
    assert everything() == before


# --- A hand-written backup, and what is wrong with it ------------------------------------------------


def _event(seq: int, prev_hash: str, **content) -> dict:
    record = {
        "type": "event", "id": seq, "order": 14409, "directive": "2(a)", "kind": "created",
        "old_status": "", "new_status": "not_started", "note": "Loaded.", "evidence_url": "",
        "completed_on": None, "old_forecast_on": None, "new_forecast_on": None, "old_due_on": None,
        "new_due_on": "2026-07-02", "actor": None, "agency": None,
        "created": "2026-06-02T14:00:00.000000Z", "seq": seq, "prev_hash": prev_hash,
    } | content  # fmt: skip
    return _signed(record | {"hash": history.digest(record)})


def _signed(event: dict) -> dict:
    """Sign ``event`` as an append of itself alone, with the development key the tests run with."""
    key_id, signature = sign_head(
        keys.keyring(), f"order:{event['order']}", event["seq"], event["seq"], event["hash"]
    )
    return event | {"signed_from": event["seq"], "key_id": key_id, "signature": signature}


def _checkpoint(*events: dict) -> dict:
    heads = {
        f"order:{e['order']}": {
            "seq": e["seq"],
            "count": e["seq"],
            "hash": e["hash"],
            "label": e["directive"],
        }
        for e in events
    }
    line = checkpoints.sign(heads, dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC))
    return line


def small_backup() -> list[Any]:  # JSON objects; a test may put in a line that is not one
    """A whole backup of one agency, one order, one directive, two events and one notice."""
    created = _event(1, history.GENESIS)
    note = _event(
        2, created["hash"], kind="note", old_status="not_started", note="Work started.",
        new_due_on=None, actor=5, agency=10, created="2026-06-03T15:30:00.250000Z",
    )  # fmt: skip
    return [
        {"type": "header", "format": "orderctl-history", "version": 2, "exported_at": "2026-11-26T17:00:00Z"},
        {"type": "agency", "id": 10, "abbreviation": "CNSS", "name": "Committee on National Security Systems",
         "kind": "committee", "parent": None},
        {"type": "order", "id": 3, "number": 14409, "title": "Promoting AI Innovation and Security",
         "signed_on": "2026-06-02", "federal_register_citation": "91 FR 34565",
         "federal_register_document": "2026-11415", "published_on": "2026-06-05", "source_url": "",
         "notes": "", "deadline_policy": "literal", "created": "2026-06-02T14:00:00.000000Z",
         "updated": "2026-06-02T14:00:00.000000Z"},
        {"type": "directive", "id": 7, "order": 14409, "ref": "2(a)", "position": 0, "parent": None,
         "title": "Prioritize the cyber defense of National Security Systems", "summary": "",
         "deadline_kind": "days_after_order", "deadline_days": 30, "deadline_event": "",
         "deadline_ongoing": False, "event_on": None, "original_due_on": "2026-07-02",
         "due_on": "2026-07-02", "due_at": "2026-07-03T04:00:00.000000Z", "status": "not_started",
         "status_changed_at": None, "completed_on": None, "forecast_on": None,
         "overdue_flagged_at": None, "created": "2026-06-02T14:00:00.000000Z",
         "updated_at": "2026-06-03T15:30:00.250000Z",
         "involvements": [{"agency": "CNSS", "role": "lead", "position": 0}]},
        created,
        note,
        {"type": "notification", "id": 4, "order": 14409, "directive": "2(a)", "kind": "reminder",
         "due_on": "2026-07-02", "offset_days": -7, "event_seq": 2, "state": "sent",
         "created": "2026-06-26T04:00:00.000000Z", "next_attempt_at": "2026-06-26T04:00:00.000000Z",
         "attempts": 1, "sending_started_at": "2026-06-26T04:00:01.000000Z",
         "sent_at": "2026-06-26T04:00:02.000000Z", "recipients": ["cnss@example.gov"], "last_error": ""},
        {"type": "user", "id": 5, "username": "cnss-editor"},
        _checkpoint(note),
        {"type": "end", "counts": {"user": 1, "agency": 1, "order": 1, "directive": 1, "event": 2,
                                   "notification": 1, "access": 0, "checkpoint": 1}},
    ]  # fmt: skip


def write(tmp_path, records: list[dict]):
    file = tmp_path / "backup.jsonl"
    file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return file


def test_it_restores_a_hand_written_backup_keeping_ids_times_and_hashes(tmp_path, db):
    records = small_backup()
    output = command("import_history", "--accept-unsealed", str(write(tmp_path, records)))
    assert output == (
        "Restored 1 user, 1 agency, 1 order, 1 directive, 2 events, 1 notification, 1 checkpoint. "
        "Verified 2 events in 1 order: every chain is intact and signed, every state matches.\n"
    )
    d = Directive.objects.get(pk=7)
    assert (d.order_id, d.order.number, d.ref, d.owner.abbreviation) == (3, 14409, "2(a)", "CNSS")
    assert d.updated_at == dt.datetime(2026, 6, 3, 15, 30, 0, 250000, tzinfo=dt.UTC)  # not the time of import
    note = DirectiveEvent.objects.get(seq=2)
    assert (note.id, note.actor.username, note.agency.abbreviation, note.hash) == (
        2,
        "cnss-editor",
        "CNSS",
        records[5]["hash"],
    )
    notice = Notification.objects.get()
    assert (notice.id, notice.event, notice.state, notice.recipients) == (
        4,
        note,
        "sent",
        ["cnss@example.gov"],
    )
    assert not User.objects.get(username="cnss-editor").is_active


def _as_version_3(records: list[dict]) -> None:
    """Write the small backup as version 3 does: the directive's rule as JSON, and a count of changes."""
    records[0]["version"] = 3
    for key in ("deadline_days", "deadline_event", "deadline_ongoing"):
        del records[3][key]
    records[3].update(deadline={"kind": "days_after_order", "days": 30}, occurrence=None, series=None)
    records[-1]["counts"]["change"] = 0


def _on_version_3(*mutations: Callable[[list[dict]], object]) -> Callable[[list[dict]], None]:
    """Return a mutation of the small backup that writes it as version 3, then applies ``mutations``."""

    def mutate(records: list[dict]) -> None:
        _as_version_3(records)
        for mutation in mutations:
            mutation(records)

    return mutate


A_CHANGE = {
    "type": "change", "id": 1, "by_order": 14409, "kind": "revoke", "order_number": 14110, "ref": "",
    "deadline": None, "leads": [], "consulted": [], "note": "", "source": "", "review": "", "position": 0,
}  # fmt: skip


def _set(index: int, **values):
    def mutate(records: list[dict]) -> None:
        records[index].update(values)

    return mutate


def _drop(index: int):
    def mutate(records: list[dict]) -> None:
        del records[index]

    return mutate


def _rehash(index: int, **values):
    """Change an event and give it a correct hash of its own, as a careful forger without the key would."""

    def mutate(records: list[dict]) -> None:
        records[index].update(values)
        records[index]["hash"] = history.digest(records[index])

    return mutate


def _unsigned(event: dict) -> dict:
    return event | {"signed_from": None, "key_id": "", "signature": ""}


def _forge_to_the_end(index: int, **values):
    """Edit an event and re-hash it and every later link, as the attack on the database did."""

    def mutate(records: list[dict]) -> None:
        records[index].update(values)
        previous = (
            records[index - 1]["hash"] if records[index - 1].get("type") == "event" else history.GENESIS
        )
        for record in records[index:]:
            if record.get("type") != "event":
                break
            record["prev_hash"] = previous
            record["hash"] = previous = history.digest(record)

    return mutate


def _resign(index: int, ring: keys.Keyring, **values):
    """Change an event, re-hash it and sign it with ``ring`` (a key holder's forgery, or another key)."""

    def mutate(records: list[dict]) -> None:
        record = records[index]
        record.update(values)
        record["hash"] = history.digest(record)
        key_id, signature = sign_head(ring, "order:14409", record["seq"], record["seq"], record["hash"])
        record.update(key_id=key_id, signature=signature)
        records[8] = checkpoints.sign(
            {"order:14409": {"seq": 2, "count": 2, "hash": record["hash"], "label": "2(a)"}},
            dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC),
        )

    return mutate


BAD_FILES = {
    "a value outside its choices": (
        _set(3, status="done"),
        "line 4 (directive 2(a) of EO 14409): field 'status': Value 'done' is not a valid choice.",
    ),
    "a date in another format": (
        _set(3, due_on="07/02/2026"),
        "line 4 (directive 2(a) of EO 14409): field 'due_on': ",
    ),
    "an instant without its offset": (
        _set(2, created="2026-06-02T14:00:00"),
        "line 3 (order 14409): field 'created': must be an instant with its offset",
    ),
    "a number given as text": (
        _set(3, position="0"),
        "line 4 (directive 2(a) of EO 14409): field 'position': must be a whole number, not \"0\"",
    ),
    "a missing field": (
        lambda records: records[1].pop("kind"),
        "line 2 (agency CNSS): field 'kind': is missing",
    ),
    "an unknown field": (
        _set(1, colour="blue"),
        "line 2 (agency CNSS): field 'colour': is not a field of this record type",
    ),
    "a deadline kind that is no rule": (
        _set(3, deadline_kind="weekly"),
        "line 4 (directive 2(a) of EO 14409): field 'deadline': must be a deadline rule: deadline.kind: "
        "'weekly' is not one of",
    ),
    "a version 3 rule that is not its kind": (
        _on_version_3(
            lambda records: records[3].update(deadline={"kind": "months_after_order", "months": 6})
        ),
        "line 4 (directive 2(a) of EO 14409): field 'deadline_kind': must be the kind of the deadline rule",
    ),
    "an occurrence of a series the file lacks": (
        _on_version_3(lambda records: records[3].update(series="9", occurrence=2)),
        "line 4 (directive 2(a) of EO 14409): field 'series': no directive '9' in EO 14409",
    ),
    "a change by an order the file lacks": (
        _on_version_3(
            lambda records: records.insert(-1, {**A_CHANGE, "by_order": 99999}),
            lambda records: records[-1]["counts"].update(change=1),
        ),
        "line 10 (change 1): field 'by_order': no order 99999",
    ),
    "an unknown record type": (
        lambda records: records.insert(2, {"type": "membership", "user": "x"}),
        "line 3 (record): field 'type': unknown record type 'membership'",
    ),
    "a line that is not JSON": (
        lambda records: records.insert(2, "{not json"),
        "line 3 (not JSON): Expecting property name enclosed in double quotes",
    ),
    "another file's header": (
        _set(0, format="something-else"),
        "line 1 (header): field 'format': the first line must be the header of orderctl-history version 4",
    ),
    "a truncated file": (
        lambda records: records.__delitem__(slice(5, None)),
        "line 5 (end): the file has no end line: it is truncated, or not a whole backup",
    ),
    "a count that does not match": (
        _drop(6),
        "line 9 (end): field 'counts': the end line counts",
    ),
    "an agency the file does not define": (
        _rehash(5, agency=99),
        "line 6 (event seq 2 of EO 14409): field 'agency': no agency with id 99 in the file",
    ),
    "a directive of another order": (
        _set(3, order=14110),
        "line 4 (directive 2(a) of EO 14110): field 'order': no order 14110 in the file",
    ),
    "a completion date on an open directive": (
        _set(3, completed_on="2026-07-01"),
        "line 4 (directive 2(a) of EO 14409): field 'completed_on': only a completed directive has a",
    ),
    "an event whose note was edited": (
        _set(5, note="Work never started."),
        "line 6 (event seq 2 of EO 14409): field 'hash': content changed: its stored hash",
    ),
    "an event edited and re-hashed": (
        _rehash(4, note="Loaded twice."),
        "line 5 (event seq 1 of EO 14409): field 'signature': not signed by the key: its signature does not "
        "verify with key",
    ),
    "an event removed": (
        lambda records: (records.__delitem__(4), records[-1]["counts"].update(event=1)),
        "line 5 (event seq 2 of EO 14409): field 'seq': missing seq: the chain starts at seq 2",
    ),
    "an instant not in the canonical form": (
        _rehash(5, created="2026-06-03T15:30:00.25Z"),
        "line 6 (event seq 2 of EO 14409): field 'created': must be the canonical UTC instant",
    ),
    "a hash that is not one": (
        _set(5, hash="not-a-hash"),
        "line 6 (event seq 2 of EO 14409): field 'hash': must be 64 lowercase hexadecimal digits",
    ),
    "a chain edited and re-hashed to its end": (
        _forge_to_the_end(4, note="Loaded twice."),
        "line 5 (event seq 1 of EO 14409): field 'signature': not signed by the key",
    ),
    "an event added without the key": (
        lambda records: (
            records.insert(
                6,
                _unsigned(
                    _event(
                        3,
                        records[5]["hash"],
                        kind="note",
                        note="Slipped in.",
                        created="2026-06-04T10:00:00.000000Z",
                    )
                ),
            ),
            records[-1]["counts"].update(event=3),
        ),
        "line 7 (event seq 3 of EO 14409): field 'signature': not signed by the key: "
        "no signature covers seq 3",
    ),
    "a signature by a key that is not trusted": (
        _resign(5, keys.Keyring.of(Ed25519PrivateKey.generate())),
        "line 6 (event seq 2 of EO 14409): field 'signature': not signed by the key: it is signed by key",
    ),
    "events whose time goes backwards": (
        _resign(5, keys.keyring(), created="2026-06-01T15:30:00.000000Z"),
        "line 6 (event seq 2 of EO 14409): field 'created': dated before the event it follows: it is dated "
        "2026-06-01T15:30:00.000000Z, before seq 1",
    ),
    "the newest event cut off": (
        lambda records: (
            records[6].update(event_seq=1),
            records.__delitem__(5),
            records[-1]["counts"].update(event=1),
        ),
        "(checkpoint): field 'chains': order:14409 seq 2 (directive 2(a)) is not in the file with the hash "
        "the checkpoint signed: the file was cut short",
    ),
    "a checkpoint changed after it was signed": (
        lambda records: records[8]["chains"]["order:14409"].update(seq=1),
        "line 9 (checkpoint): field 'signature': not a valid checkpoint: its signature does not verify",
    ),
    "a notice about an event that is not there": (
        _set(6, event_seq=9),
        "line 7 (notification 4): field 'event_seq': no event seq 9 in EO 14409",
    ),
    "directives that are each other's parent": (
        lambda records: (
            records[3].update(parent="2(b)"),
            records.insert(4, {**copy.deepcopy(records[3]), "id": 8, "ref": "2(b)", "parent": "2(a)"}),
            records[-1]["counts"].update(directive=2),
        ),
        "line 4 (directive 2(a) of EO 14409): field 'parent': the parents form a cycle",
    ),
}


@pytest.mark.parametrize("mutate, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_it_refuses_a_bad_file_naming_the_line_and_the_field_and_writes_nothing(
    tmp_path, db, mutate, message
):
    records = small_backup()
    mutate(records)
    file = tmp_path / "backup.jsonl"
    file.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    with pytest.raises(CommandError) as raised:
        command("import_history", "--accept-unsealed", str(file))
    assert str(raised.value).startswith(f"{file} cannot be restored; nothing was written:\n")
    assert message in str(raised.value)
    assert set(everything().values()) == {0}


def test_it_refuses_a_file_that_is_not_there_or_not_text(tmp_path, db):
    with pytest.raises(CommandError, match="No such file or directory"):
        command("import_history", str(tmp_path / "missing.jsonl"))
    (tmp_path / "binary.jsonl").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="not UTF-8 text"):
        command("import_history", str(tmp_path / "binary.jsonl"))
    assert set(everything().values()) == {0}


def test_it_reports_several_problems_at_once(tmp_path, db):
    records = small_backup()
    records[1]["kind"] = "club"
    records[3]["status"] = "done"
    with pytest.raises(backup.BackupError) as raised:
        backup.read(json.dumps(r) + "\n" for r in records)
    assert [e.split(":")[0] for e in raised.value.errors] == [
        "line 2 (agency CNSS)",
        "line 4 (directive 2(a) of EO 14409)",
    ]


def test_the_unchanged_small_backup_passes_validation():
    """The bad files above differ from this good one by their one mutation only."""
    validated = backup.read(
        (json.dumps(r) + "\n" for r in copy.deepcopy(small_backup())), accept_unsealed=True
    )
    assert validated.counts() == {
        "user": 1, "agency": 1, "order": 1, "directive": 1, "event": 2, "notification": 1, "change": 0,
        "extension": 0, "evidence": 0, "access": 0, "checkpoint": 1,
    }  # fmt: skip
    assert [line.values for line in validated.records["user"]] == [{"id": 5, "username": "cnss-editor"}]


def test_a_version_3_file_restores_its_rule_and_changes(tmp_path, db):
    records = small_backup()
    _as_version_3(records)
    records.insert(-1, A_CHANGE)
    records[-1]["counts"]["change"] = 1
    output = command("import_history", "--accept-unsealed", str(write(tmp_path, records)))
    assert output.startswith(
        "Restored 1 user, 1 agency, 1 order, 1 directive, 2 events, 1 notification, 1 change,"
    )
    assert Directive.objects.get(pk=7).rule.describe() == "30 days after the Order"
    change = OrderChange.objects.get()
    assert (change.by_order.number, change.kind, change.order_number, change.ref) == (
        14409,
        "revoke",
        14110,
        "",
    )


# --- The oversight loop (docs/oversight.md) -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reviews_flags_and_extension_requests_round_trip(
    tmp_path, today, directive, cisa_editor, treasury_editor, reviewer
):
    from directives.models import ExtensionRequest, Review, Status

    completed = directive("2(c)(i)")
    actions.change_status(completed, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10))
    actions.review(completed, Review.VERIFIED, actor=reviewer, note="Seen.", evidence="GAO-26-1")
    actions.change_status(directive("2(c)(ii)"), Status.NOT_APPLICABLE, actor=cisa_editor, note="Not ours.")
    approved = actions.request_extension(
        directive("2(d)"), dt.date(2027, 1, 15), actor=treasury_editor, justification="Procurement."
    )
    actions.approve_extension(approved, actor=reviewer)
    actions.request_extension(
        directive("2(c)(iii)"), dt.date(2027, 2, 1), actor=cisa_editor, justification="Staffing."
    )
    file = tmp_path / "backup.jsonl"
    status_before = command("export_status", "--format", "csv")
    command("export_history", "--output", str(file))
    requests_before = list(ExtensionRequest.objects.order_by("id").values())
    assert [line["type"] for line in lines_of(file)].count("extension") == 2

    call_command("flush", interactive=False, verbosity=0)
    output = command("import_history", str(file))
    assert "every state matches" in output
    assert command("export_status", "--format", "csv") == status_before
    assert list(ExtensionRequest.objects.order_by("id").values()) == requests_before
    restored = Directive.objects.get(ref="2(c)(i)")
    assert (restored.review, restored.completion_flag[:30]) == ("verified", "Completed Jun 10, 2026, record")


def test_a_file_from_before_the_oversight_loop_restores_unreviewed(tmp_path, db):
    records = small_backup()
    _as_version_3(records)
    assert "review" not in records[3] and "extension" not in records[-1]["counts"]
    command("import_history", "--accept-unsealed", str(write(tmp_path, records)))
    d = Directive.objects.get(pk=7)
    assert (d.review, d.status_reason, d.completion_flag) == ("unreviewed", "", "")


def test_a_bad_extension_line_is_refused_at_its_field(tmp_path, db):
    records = small_backup()
    _as_version_3(records)
    records.insert(-2, {
        "type": "extension", "id": 1, "order": 14409, "directive": "2(a)", "state": "pending",
        "current_due_on": "2026-07-02", "requested_due_on": "2026-07-01", "justification": "x",
        "requested_by": 5, "agency": "CNSS", "created": "2026-06-04T00:00:00.000000Z", "decided_by": None,
        "decided_at": None, "decision_reason": "",
    })  # fmt: skip
    records[-1]["counts"]["extension"] = 1
    with pytest.raises(CommandError, match="field 'requested_due_on'"):
        command("import_history", str(write(tmp_path, records)))
    assert Directive.objects.count() == 0
