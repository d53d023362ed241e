"""The backup file's shape: its record types, the fields each carries, and the validated records."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from agencies.models import Agency
from directives import history
from directives.models import (
    Directive,
    DirectiveEvent,
    EvidenceFile,
    ExtensionRequest,
    Notification,
    Order,
    OrderChange,
)
from ledger import keys
from ledger.models import AccessEvent, Checkpoint

FORMAT = "orderctl-history"
VERSION = 4
# Version 2 stored a directive's rule in four columns (three kinds only); it is read and converted.
# Versions 2 and 3 carry no seal over their records (only the events are signed): they are read only
# when the operator accepts that the rest is as the file says (`import_history --accept-unsealed`).
READABLE_VERSIONS = (2, 3, VERSION)
SEALED_FROM = 4
TYPES = (
    "user", "agency", "order", "directive", "event", "notification", "change", "extension", "evidence",
    "access", "checkpoint",
)  # fmt: skip
# Added by the oversight loop (docs/oversight.md, docs/evidence-and-reports.md): a file written before
# has no extension or evidence lines (its end line does not count them) and directive lines without
# these keys, which are read as a directive nobody reviewed yet.
ADDED_TYPES = ("extension", "evidence")
OVERSIGHT_DIRECTIVE_DEFAULTS: dict[str, object] = {
    "status_reason": "", "review": "unreviewed", "reviewed_at": None, "completion_recorded_on": None,
    "completion_flag": "",
}  # fmt: skip
MAX_ERRORS = 20

# Fields copied as they are (dates and instants as text); references are handled by name below.
AGENCY_FIELDS = ("id", "abbreviation", "name", "kind")
ORDER_FIELDS = (
    "id", "number", "title", "signed_on", "federal_register_citation", "federal_register_document",
    "published_on", "source_url", "notes", "deadline_policy", "created", "updated",
)  # fmt: skip
DIRECTIVE_FIELDS = (
    "id", "ref", "position", "title", "summary", "deadline_kind", "deadline", "event_on", "occurrence",
    "original_due_on", "due_on", "due_at", "status", "status_changed_at", "completed_on", "forecast_on",
    "overdue_flagged_at", "created", "updated_at", *OVERSIGHT_DIRECTIVE_DEFAULTS,
)  # fmt: skip
CHANGE_FIELDS = (
    "id", "kind", "order_number", "ref", "deadline", "leads", "consulted", "note", "source", "review",
    "position",
)  # fmt: skip
EXTENSION_FIELDS = (
    "id", "state", "current_due_on", "requested_due_on", "justification", "created", "decided_at",
    "decision_reason",
)  # fmt: skip
EVENT_FIELDS = ("id", "kind", "old_status", "new_status", "note", "evidence_url", *history.DATE_KEYS)
NOTIFICATION_FIELDS = (
    "id", "kind", "due_on", "offset_days", "state", "created", "next_attempt_at", "attempts",
    "sending_started_at", "sent_at", "recipients", "last_error",
)  # fmt: skip
# An evidence file's record: the bytes stay in the evidence storage (the key says where), the SHA-256
# proves them. A file of version 3 written before evidence files existed has no such line: read as none.
EVIDENCE_FIELDS = ("id", "name", "content_type", "size", "sha256", "storage_key", "created")
INVOLVEMENT_KEYS = {"agency", "role", "position"}

KEYS = {
    "agency": {*AGENCY_FIELDS, "parent"},
    "order": set(ORDER_FIELDS),
    "directive": {*DIRECTIVE_FIELDS, "order", "parent", "series", "involvements"},
    "event": {"id", *history.CONTENT_KEYS, "hash", *history.SIGNATURE_KEYS},
    "notification": {*NOTIFICATION_FIELDS, "order", "directive", "event_seq"},
    "change": {*CHANGE_FIELDS, "by_order"},
    "extension": {*EXTENSION_FIELDS, "order", "directive", "requested_by", "agency", "decided_by"},
    "evidence": {*EVIDENCE_FIELDS, "order", "directive", "event_seq", "uploaded_by"},
    "user": {"id", "username"},
    "access": {"id", "actor", "agency", "created", "detail", "kind", "prev_hash", "seq", "subject", "hash",
               "signed_from", "key_id", "signature"},
    "checkpoint": {"created", "key_id", "chains", "signature"},
}  # fmt: skip
MODELS: dict[str, type[models.Model]] = {
    "agency": Agency,
    "order": Order,
    "directive": Directive,
    "event": DirectiveEvent,
    "notification": Notification,
    "change": OrderChange,
    "extension": ExtensionRequest,
    "evidence": EvidenceFile,
    "access": AccessEvent,
    "checkpoint": Checkpoint,
}
HEX64 = re.compile(r"[0-9a-f]{64}")


def new_digest() -> hashlib._Hash:
    """Return the hash that a seal's ``digest`` is: SHA-256 of every line before the end line, as bytes."""
    return hashlib.sha256()


def seal_message(digest: str, counts: dict[str, int]) -> bytes:
    """Return what a seal's signature covers: the digest of every line before the end, and the counts."""
    counted = json.dumps(counts, sort_keys=True, separators=(",", ":"))
    return f"orderctl-backup\n{FORMAT}\n{digest}\n{counted}".encode()


def seal(digest: str, counts: dict[str, int]) -> dict[str, str]:
    """Return the seal of a file whose lines before the end hash to ``digest``, signed with the history key.

    The history's own Ed25519 key, not a shared secret: an auditor checks it with the public key, and a
    file stays restorable after a rotation while its key is in HISTORY_TRUSTED_KEYS.
    """
    keyring = keys.keyring()
    return {
        "digest": digest,
        "key_id": keyring.signing_key_id,
        "signature": keyring.sign(seal_message(digest, counts)),
    }


def end_line(counts: dict[str, int], sealed: dict[str, str] | None) -> str:
    """Return the end line exactly as the file holds it (a sealed file's must be byte for byte this)."""
    record: dict[str, object] = {"type": "end", "counts": counts}
    if sealed is not None:
        record["seal"] = sealed
    return json.dumps(record, separators=(",", ":")) + "\n"


def json_value(value: object) -> object:
    """Return ``value`` as the file writes it: instants and dates as canonical text."""
    if isinstance(value, dt.datetime):
        return history.instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fields_of(obj: models.Model, names: Iterable[str]) -> dict[str, object]:
    """Return the fields ``names`` of ``obj`` as the file writes them."""
    return {name: json_value(getattr(obj, name)) for name in names}


class BackupError(Exception):
    """The file cannot be restored; ``errors`` name the line and the field of each problem."""

    def __init__(self, errors: list[str]):
        more = " (and more, not checked)" if len(errors) >= MAX_ERRORS else ""
        super().__init__("\n".join(errors) + more)
        self.errors = errors


@dataclass
class Line:
    number: int
    # Validated, as Python values: a record type's keys are KEYS[type], each value as its model's field
    # (or validating's checks) takes it. Which key holds which type is known at run time only: Any.
    values: dict[str, Any]


@dataclass
class Backup:
    """A validated backup: its records by type, each with its line number."""

    records: dict[str, list[Line]] = field(default_factory=lambda: {t: [] for t in TYPES})

    def counts(self) -> dict[str, int]:
        return {t: len(lines) for t, lines in self.records.items()}


class Errors:
    """The problems found so far, each naming its line and field; too many stop the reading."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, number: int, what: str, key: str | None, message: str) -> None:
        where = f"line {number} ({what})" + (f": field '{key}'" if key else "")
        self.messages.append(f"{where}: {message}")
        if len(self.messages) >= MAX_ERRORS:
            raise BackupError(self.messages)

    def raise_any(self) -> None:
        if self.messages:
            raise BackupError(self.messages)
