"""Issue 21, item 8: the checkpoint table cannot be emptied, or cut back, behind the file kept outside.

Every checkpoint is stored in the database before it is written to the file, so a file ahead of the
table means the table's newer checkpoints were deleted: ``verify_history`` says so, though every event
is still there and every chain verifies.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from ledger.models import Checkpoint
from tests.directives.test_history import NOON_NOV_26, tamper

AFTER = NOON_NOV_26 + dt.timedelta(hours=1)


def verify() -> str:
    out = io.StringIO()
    call_command("verify_history", stdout=out)  # reads HISTORY_CHECKPOINT_FILE unasked
    return out.getvalue()


def problems() -> str:
    with pytest.raises(CommandError) as raised:
        verify()
    assert raised.value.returncode == 1
    return str(raised.value)


@pytest.fixture
def kept_outside(settings, tmp_path, busy_history):
    path = tmp_path / "checkpoints.jsonl"
    settings.HISTORY_CHECKPOINT_FILE = str(path)
    for hours in (0, 1):
        with time_machine.travel(AFTER + dt.timedelta(hours=hours), tick=False):
            call_command("write_checkpoint", stdout=io.StringIO())
    assert verify().startswith("Verified 24 events")
    return path


def test_an_emptied_checkpoint_table_is_named_though_every_event_is_there(kept_outside):
    tamper("DELETE FROM ledger_checkpoint")
    assert (
        f"the checkpoint table is empty, but {kept_outside}, line 2 holds the checkpoint of "
        "2026-11-26T19:00:00.000000Z: the database's checkpoints were removed"
    ) in problems()


def test_a_checkpoint_table_older_than_the_file_is_named(kept_outside):
    newer = Checkpoint.objects.order_by("-created")[0]
    tamper("DELETE FROM ledger_checkpoint WHERE id = %s", [newer.pk])
    assert (
        "the database's newest checkpoint is of 2026-11-26T18:00:00.000000Z, older than "
        f"{kept_outside}, line 2's of 2026-11-26T19:00:00.000000Z: newer checkpoints were removed from "
        "the database"
    ) in problems()


def test_a_table_as_new_as_the_file_verifies(kept_outside):
    assert "against the checkpoint of 2026-11-26T19:00:00.000000Z" in verify()
