"""Backups: export_history writes the whole record as JSON lines; import_history restores it into an
empty database, refusing a bad, tampered or truncated file, or a database that is not empty, with
nothing written; after a restore every chain still verifies."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
import time_machine
from cryptography.exceptions import InvalidSignature
from django.core.management import CommandError, call_command

from agencies.models import Agency
from directives import actions, history
from directives.models import Directive, DirectiveEvent, OrderChange
from ledger import keys
from tests.directives.test_history import NOON_NOV_26

from .backups import User, command, everything, lines_of
from .test_backup_files import _as_version_3, small_backup, write

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
    # cisa-editor's creation and membership: two access log entries.
    file = tmp_path / "backup.jsonl"
    command("export_history", "--output", str(file))
    before = everything()
    with pytest.raises(CommandError) as raised:
        command("import_history", str(file))
    assert str(raised.value) == (
        "The database is not empty (it holds 15 agencies, 1 order, 13 directives, 13 events, "
        "2 access log entries, 45 involvements); import_history restores only into an empty database. "
        "Nothing was written."
    )
    assert everything() == before


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
    assert (restored.review, restored.completion_flag[:24]) == ("verified", "Completed Wed 2026-06-10")


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
