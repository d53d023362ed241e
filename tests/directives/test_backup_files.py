"""A hand-written backup restored, and every way a backup file can be wrong refused, named at its line."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError

from directives import history
from directives.models import Directive, DirectiveEvent, Notification, OrderChange
from directives.operations import backup
from ledger import checkpoints, keys
from ledger.chain import sign_head

from .backups import User, command, everything

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
