"""Signed checkpoints: every chain's head at one instant, kept in the database and outside it.

A checkpoint is one JSON line that verifies on its own::

    {"type": "checkpoint", "created": "2026-11-30T17:00:00.000000Z", "key_id": "3f9a…",
     "chains": {"order:14409": {"seq": 57, "count": 57, "hash": "…", "label": "2(d)"},
                "access": {"seq": 12, "count": 12, "hash": "…", "label": null}},
     "signature": "…base64…"}

``signature`` is the Ed25519 signature of the canonical JSON (``ledger.chain.canonical``) of every
other key. ``label`` names the newest event's directive, so a report can say what went missing.

The hash chains and signed appends prove that what the database holds was written by the key holder;
they cannot prove that nothing was removed from the end, because the removed part leaves no trace
in what stays. A checkpoint kept where the database's owner cannot reach (an append-only file on
another host, a mailbox, a webhook's log) can: any chain it names must still reach its seq with its
hash. Beat writes one every ``HISTORY_CHECKPOINT_EVERY_SECONDS``, and every export writes one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from . import keys
from .chain import canonical
from .models import Checkpoint

logger = logging.getLogger(__name__)

TYPE = "checkpoint"
# A checkpoint line, as the docstring shows it: JSON, checked by ``check`` when read back.
Line = dict[str, Any]
WEBHOOK_TIMEOUT_SECONDS = 30


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def message(line: Mapping[str, object]) -> bytes:
    """Return the bytes a checkpoint's signature covers: every key but the signature, canonical."""
    return canonical({k: v for k, v in line.items() if k != "signature"})


def sign(heads: Mapping[str, Mapping[str, object]], created: dt.datetime) -> Line:
    """Return the signed checkpoint line of ``heads`` (chain name -> seq, count, hash, label)."""
    ring = keys.keyring()
    line: Line = {
        "type": TYPE,
        "created": _instant(created),
        "key_id": ring.signing_key_id,
        "chains": {name: dict(head) for name, head in sorted(heads.items())},
    }
    line["signature"] = ring.sign(message(line))
    return line


def check(line: object) -> str | None:
    """Return None when ``line`` is a well-formed checkpoint signed by a trusted key, else why not."""
    if not isinstance(line, dict) or line.get("type") != TYPE:
        return "not a checkpoint"
    if set(line) != {"type", "created", "key_id", "chains", "signature"}:
        return "its keys are not those of a checkpoint"
    chains = line["chains"]
    if not isinstance(chains, dict) or not all(
        isinstance(h, dict)
        and set(h) == {"seq", "count", "hash", "label"}
        and isinstance(h["seq"], int)
        and isinstance(h["count"], int)
        and isinstance(h["hash"], str)
        for h in chains.values()
    ):
        return "its chains are not a map of chain -> {seq, count, hash, label}"
    if not isinstance(line["key_id"], str) or not isinstance(line["signature"], str):
        return "its key_id and signature must be text"
    return keys.keyring().check(line["key_id"], line["signature"], message(line))


@dataclass(frozen=True)
class Stored:
    """A checkpoint as read back: its line and where it came from (a database row or a file's line)."""

    line: Line
    source: str
    error: str | None  # why it does not verify, or None


def stored() -> Iterable[Stored]:
    """Yield the database's checkpoints, newest first, each checked."""
    for pk, text in Checkpoint.objects.order_by("-id").values_list("id", "line").iterator():
        try:
            line = json.loads(text)
        except json.JSONDecodeError:
            yield Stored({}, f"checkpoint {pk} in the database", "it is not JSON")
            continue
        yield Stored(line, f"checkpoint {pk} in the database", check(line))


def read_file(path: Path) -> list[Stored]:
    """Return every line of a checkpoint file, oldest first, each checked (blank lines skipped)."""
    found = []
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            source = f"{path}, line {number}"
            try:
                line = json.loads(text)
            except json.JSONDecodeError:
                found.append(Stored({}, source, "it is not JSON"))
                continue
            found.append(Stored(line, source, check(line)))
    return found


# --- Writing and sending ------------------------------------------------------------------------------


def record(line: Line, *, emails: list[str], send: bool = True) -> Checkpoint:
    """Store the signed ``line``; once the transaction commits, send it to every configured sink.

    A sink that fails is logged (error) and does not undo the stored checkpoint: the next one carries
    the same information and more. With ``send`` False the caller delivers it itself (``deliver``),
    to report each sink's outcome.
    """
    created = dt.datetime.fromisoformat(str(line["created"]).replace("Z", "+00:00"))
    checkpoint = Checkpoint.objects.create(
        created=created, key_id=str(line["key_id"]), line=json.dumps(line, separators=(",", ":"))
    )
    if send:
        transaction.on_commit(lambda: deliver(line, emails=emails), robust=True)
    return checkpoint


def deliver(line: Line, *, emails: list[str]) -> dict[str, str | None]:
    """Send ``line`` to every configured sink; return sink -> None when it took it, else the error."""
    text = json.dumps(line, separators=(",", ":"))
    results: dict[str, str | None] = {}
    if settings.HISTORY_CHECKPOINT_FILE:
        results["file"] = _attempt(lambda: _append(Path(settings.HISTORY_CHECKPOINT_FILE), text))
    if settings.HISTORY_CHECKPOINT_WEBHOOK:
        results["webhook"] = _attempt(lambda: _post(settings.HISTORY_CHECKPOINT_WEBHOOK, text))
    if emails:
        results["email"] = _attempt(lambda: _email(emails, line, text))
    for sink, error in results.items():
        if error is not None:
            logger.error("checkpoint of %s not delivered to the %s sink: %s", line["created"], sink, error)
    return results


def _attempt(send: Callable[[], object]) -> str | None:
    try:
        send()
    except Exception as exc:  # any failure of a sink is reported, never raised into the caller
        return f"{type(exc).__name__}: {exc}"
    return None


def _append(path: Path, text: str) -> None:
    """Append one line and wait for the disk: O_APPEND never overwrites, even with chattr +a."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (text + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def _post(url: str, text: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in settings (http/https)
        url, data=text.encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise OSError(f"the webhook answered {response.status}")


def _email(addresses: list[str], line: Line, text: str) -> None:
    chains = line["chains"]
    EmailMessage(
        subject=f"orderctl checkpoint {line['created']} ({len(chains)} chains)",
        body=(
            "A signed checkpoint of the orderctl record. Keep this message: `python manage.py "
            "verify_history --checkpoints FILE` checks the database against the line below saved in a "
            "file, and detects events removed since.\n\n" + text + "\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=addresses,
    ).send()
