"""A backup proves every record it restores: the seal (a signature by the history key over every byte
before the end line) makes import_history refuse a file with any changed byte, writing nothing; a file
sealed by someone who holds the key still cannot restore a directive its events disagree with."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from directives import actions
from directives.models import Notification
from directives.operations import backup
from directives.operations.backup.fileformat import end_line, new_digest, seal
from ledger import keys
from tests.directives.test_backup import command, everything
from tests.directives.test_history import JULY_2_ENDS, NOON_NOV_26


@pytest.fixture
def exported(busy_history, tmp_path) -> list[str]:
    """Return the lines of a whole backup (every kind of record), the database then emptied."""
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(hours=1), tick=False):
        actions.dispatch_notifications()  # the overdue notices go out: they have a sent_at
    assert Notification.objects.exclude(sent_at=None).exists()
    out = io.StringIO()
    with time_machine.travel(NOON_NOV_26, tick=False):
        backup.export(out)
    call_command("flush", interactive=False, verbosity=0)
    assert set(everything().values()) == {0}
    return out.getvalue().splitlines(keepends=True)


def restore(tmp_path, lines: list[str]) -> str:
    file = tmp_path / "backup.jsonl"
    file.write_bytes("".join(lines).encode("utf-8"))
    return command("import_history", str(file))


def reseal(lines: list[str], key: keys.Keyring | None = None) -> list[str]:
    """Seal ``lines`` again after a change, as someone holding ``key`` (the history key) could."""
    digest = new_digest()
    for line in lines[:-1]:
        digest.update(line.encode("utf-8"))
    counts = json.loads(lines[-1])["counts"]
    if key is None:
        sealed = seal(digest.hexdigest(), counts)
    else:
        message = backup.fileformat.seal_message(digest.hexdigest(), counts)
        sealed = {"digest": digest.hexdigest(), "key_id": key.signing_key_id, "signature": key.sign(message)}
    return [*lines[:-1], end_line(counts, sealed)]


def change_field(kind: str, field: str, change: Callable[[str], str]) -> Callable[[list[str]], int]:
    """Return a tamper that changes the first ``kind`` line's ``field`` in place, byte for byte."""

    def tamper(lines: list[str]) -> int:
        for number, line in enumerate(lines):
            if json.loads(line)["type"] != kind:
                continue
            match = re.search(rf'"{field}":\[?("[^"]*"|-?\d+)', line)  # a value, or a list's first
            if match is None:
                continue
            old = match.group(1)
            new = change(old)
            assert len(new.encode()) == len(old.encode()) and new != old, (old, new)
            lines[number] = line[: match.start(1)] + new + line[match.end(1) :]
            return number + 1
        raise AssertionError(f"no {kind} line with {field}")

    return tamper


def next_digit(at: int) -> Callable[[str], str]:
    """Return a change of the digit at index ``at`` (from the end when negative) to the next one."""

    def change(text: str) -> str:
        i = at % len(text)
        assert text[i].isdigit(), text
        return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]

    return change


def swap_letter(text: str) -> str:
    """Change one letter (the first) to the next letter of the alphabet, keeping its case."""
    i = next(i for i, c in enumerate(text) if c.isascii() and c.isalpha())
    c = text[i]
    following = "a" if c == "z" else "A" if c == "Z" else chr(ord(c) + 1)
    return text[:i] + following + text[i + 1 :]


TAMPERS: dict[str, Callable[[list[str]], int]] = {
    "the header's export time": change_field("header", "exported_at", next_digit(-3)),
    "a user's name": change_field("user", "username", swap_letter),
    "an agency's name": change_field("agency", "name", swap_letter),
    "an order's signing date": change_field("order", "signed_on", next_digit(4)),
    "an order's title": change_field("order", "title", swap_letter),
    "a directive's due date": change_field("directive", "due_on", next_digit(4)),
    "a directive's title": change_field("directive", "title", swap_letter),
    "a directive's position": change_field("directive", "position", next_digit(0)),
    "an event's note": change_field("event", "note", swap_letter),
    "a notification's sent time": change_field("notification", "sent_at", next_digit(-3)),
    "a notification's recipient": change_field("notification", "recipients", swap_letter),
    "an access log entry's time": change_field("access", "created", next_digit(-3)),
    "the checkpoint's time": change_field("checkpoint", "created", next_digit(-3)),
    "the end line's counts": change_field("end", "agency", next_digit(-1)),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_one_changed_byte_in_any_record_is_refused_and_nothing_is_written(exported, tmp_path, tamper):
    lines = list(exported)
    number = tamper(lines)
    assert sum(a != b for a, b in zip("".join(lines), "".join(exported), strict=True)) == 1
    with pytest.raises(CommandError) as raised:
        restore(tmp_path, lines)
    message = str(raised.value)
    assert "cannot be restored; nothing was written" in message
    # Named by its own line when a check of that record catches it, else by the seal on the end line.
    assert f"line {number} (" in message or f"line {len(lines)} (end): field 'seal'" in message, message
    assert set(everything().values()) == {0}


@pytest.mark.django_db(transaction=True)
def test_the_untouched_file_restores(exported, tmp_path):
    assert restore(tmp_path, exported).startswith("Restored ")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "change",
    [
        lambda lines: lines.__setitem__(3, lines[3].replace("\n", "\r\n")),
        lambda lines: lines.insert(4, "\n"),
        lambda lines: lines.append("\n"),
        lambda lines: lines.__setitem__(-1, lines[-1].replace('{"type":"end",', '{"type": "end",')),
    ],
    ids=["a line ending", "a blank line inside", "a blank line after the end", "a space in the end line"],
)
def test_a_changed_line_ending_or_blank_line_is_refused_too(exported, tmp_path, change):
    lines = list(exported)
    change(lines)
    with pytest.raises(CommandError, match="nothing was written"):
        restore(tmp_path, lines)
    assert set(everything().values()) == {0}


@pytest.mark.django_db(transaction=True)
def test_a_file_sealed_by_an_untrusted_key_is_refused(exported, tmp_path):
    lines = reseal(list(exported), keys.Keyring.of(Ed25519PrivateKey.generate()))
    with pytest.raises(CommandError, match="field 'seal': not sealed by a trusted key: it is signed by key"):
        restore(tmp_path, lines)
    assert set(everything().values()) == {0}


@pytest.mark.django_db(transaction=True)
def test_a_directive_that_disagrees_with_its_events_is_refused_even_when_sealed_again(exported, tmp_path):
    """Someone who holds the key (or a bug in the export) cannot restore a due date its history denies."""
    lines = list(exported)
    number = change_field("directive", "due_on", next_digit(4))(lines)
    lines = reseal(lines)
    with pytest.raises(CommandError) as raised:
        restore(tmp_path, lines)
    message = str(raised.value)
    assert "nothing was written" in message
    assert "after the restore" in message and "due" in message, message
    assert number  # the changed directive's line
    assert set(everything().values()) == {0}


@pytest.mark.django_db(transaction=True)
def test_a_file_sealed_with_an_earlier_key_restores_while_that_key_is_trusted(exported, tmp_path, settings):
    """After a rotation the old key's public half is in HISTORY_TRUSTED_KEYS: its backups still restore."""
    old = keys.keyring()
    new_private, _ = keys.generate()
    settings.HISTORY_SIGNING_KEY = new_private
    settings.HISTORY_TRUSTED_KEYS = [keys.public_text(old.private.public_key())]
    assert keys.keyring().signing_key_id != old.signing_key_id
    assert restore(tmp_path, exported).startswith("Restored ")


@pytest.mark.django_db(transaction=True)
def test_an_unsealed_older_file_is_refused_unless_the_operator_accepts_it(exported, tmp_path):
    lines = list(exported)
    header = json.loads(lines[0])
    lines[0] = json.dumps({**header, "version": 3}, separators=(",", ":")) + "\n"
    end = json.loads(lines[-1])
    lines[-1] = json.dumps({"type": "end", "counts": end["counts"]}, separators=(",", ":")) + "\n"
    with pytest.raises(CommandError) as raised:
        restore(tmp_path, lines)
    assert "field 'version': a version 3 file carries no seal over its records" in str(raised.value)
    assert set(everything().values()) == {0}
    file = tmp_path / "old.jsonl"
    file.write_text("".join(lines))
    assert command("import_history", "--accept-unsealed", str(file)).startswith("Restored ")
