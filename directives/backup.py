"""Backups of the record: ``export_history`` writes it as JSON lines, ``import_history`` restores it.

The file holds every person who acted (id and username), agency, order, directive (with its
involvements), event (with its place in the chain, its hash and its signature), notification and
access log entry, and a signed checkpoint of every chain's head, one JSON object a line, each with a
``type``:

- a ``header`` first (``format``, ``version``, ``exported_at``), an ``end`` last with the count of
  each type, so that a truncated file is refused rather than half restored;
- ``user``, ``agency``, ``order``, ``directive``, ``event``, ``notification``, ``access`` lines and
  one ``checkpoint`` in between, in any order. Records point at each other by natural keys (order
  number, directive ref, an event's seq in its order) and by the ids the hashes cover (people and
  agencies). Event lines carry the canonical content under the names of ``history.CONTENT_KEYS``, so
  an auditor can check their hashes from the file alone, and their signatures with the public keys.

Exporting also writes a checkpoint (in the database and to the sinks, ``directives/proof.py``); on
PostgreSQL it is taken in the file's own snapshot, so it names exactly the file's heads.

A restore goes into an empty database only (users may exist: a user of the file must be there with
the same id and username, or its id and username both be free, and is then created inactive, with
no usable password). Every line is validated, every reference resolved, every chain checked (hashes,
links, time that never goes backwards, signatures by a trusted key that cover every event) and the
checkpoint verified and matched before anything is written; then everything is written in one
transaction, keeping the ids and signatures of the backup, and the whole record is verified again
in the database before it commits. Memberships, reviewers, API tokens and passwords are not part of
the record and are not in the file (their changes are, in the access log).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from agencies.models import Agency
from ledger import audit, checkpoints
from ledger.models import AccessEvent, Checkpoint

from . import history, proof
from .models import Directive, DirectiveEvent, Involvement, Notification, Order

FORMAT = "orderctl-history"
VERSION = 2
TYPES = ("user", "agency", "order", "directive", "event", "notification", "access", "checkpoint")
MAX_ERRORS = 20

# Fields copied as they are (dates and instants as text); references are handled by name below.
AGENCY_FIELDS = ("id", "abbreviation", "name", "kind")
ORDER_FIELDS = (
    "id", "number", "title", "signed_on", "federal_register_citation", "federal_register_document",
    "published_on", "source_url", "notes", "deadline_policy", "created", "updated",
)  # fmt: skip
DIRECTIVE_FIELDS = (
    "id", "ref", "position", "title", "summary", "deadline_kind", "deadline_days", "deadline_event",
    "deadline_ongoing", "event_on", "original_due_on", "due_on", "due_at", "status", "status_changed_at",
    "completed_on", "forecast_on", "overdue_flagged_at", "created", "updated_at",
)  # fmt: skip
EVENT_FIELDS = ("id", "kind", "old_status", "new_status", "note", "evidence_url", *history.DATE_KEYS)
NOTIFICATION_FIELDS = (
    "id", "kind", "due_on", "offset_days", "state", "created", "next_attempt_at", "attempts",
    "sending_started_at", "sent_at", "recipients", "last_error",
)  # fmt: skip
INVOLVEMENT_KEYS = {"agency", "role", "position"}

KEYS = {
    "agency": {*AGENCY_FIELDS, "parent"},
    "order": set(ORDER_FIELDS),
    "directive": {*DIRECTIVE_FIELDS, "order", "parent", "involvements"},
    "event": {"id", *history.CONTENT_KEYS, "hash", *history.SIGNATURE_KEYS},
    "notification": {*NOTIFICATION_FIELDS, "order", "directive", "event_seq"},
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
    "access": AccessEvent,
    "checkpoint": Checkpoint,
}
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return history.instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _fields(obj: models.Model, names: Iterable[str]) -> dict[str, object]:
    return {name: _json_value(getattr(obj, name)) for name in names}


# --- Export -------------------------------------------------------------------------------------------


def export(out: IO[str]) -> Counter:
    """Write the whole record to ``out`` as JSON lines; return the count of each type written."""
    counts: Counter = Counter()

    def write(kind: str, record: dict[str, object]) -> None:
        out.write(json.dumps({"type": kind, **record}, ensure_ascii=False, separators=(",", ":")) + "\n")
        counts[kind] += 1

    header = {"format": FORMAT, "version": VERSION, "exported_at": history.instant(timezone.now())}
    out.write(json.dumps({"type": "header", **header}, separators=(",", ":")) + "\n")
    postgresql = connection.vendor == "postgresql"
    outermost = not connection.in_atomic_block
    # On PostgreSQL, one snapshot for the whole file, so that it never holds a notice whose event was
    # written after the events were read. Only the first statement of a transaction may ask for it:
    # inside a caller's transaction (a test's) the caller's isolation stands. SQLite's transactions
    # here take the write lock up front (IMMEDIATE), which would stop every writer during a backup.
    with transaction.atomic() if postgresql else contextlib.nullcontext():
        if postgresql and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # Signed from this snapshot's heads (on PostgreSQL), stored, and sent to the sinks on commit.
        _, checkpoint = proof.write_checkpoint()
        user_model = get_user_model()
        acted = set(DirectiveEvent.objects.exclude(actor=None).values_list("actor_id", flat=True).distinct())
        for pk, username in (
            user_model.objects.filter(pk__in=acted)
            .order_by("pk")
            .values_list("pk", user_model.USERNAME_FIELD)
        ):
            write("user", {"id": pk, "username": username})
        for agency in Agency.objects.select_related("parent").order_by("abbreviation"):
            write("agency", {**_fields(agency, AGENCY_FIELDS), "parent": _abbreviation(agency.parent)})
        for order in Order.objects.order_by("number"):
            write("order", _fields(order, ORDER_FIELDS))
        directives = (
            Directive.objects.select_related("order", "parent")
            .prefetch_related(
                models.Prefetch(
                    "involvements",
                    queryset=Involvement.objects.select_related("agency").order_by("role", "position"),
                )
            )
            .order_by("order__number", "position", "ref")
        )
        for d in directives.iterator(chunk_size=2000):
            involvements = [
                {"agency": i.agency.abbreviation, "role": i.role, "position": i.position}
                for i in d.involvements.all()
            ]
            write(
                "directive",
                {
                    **_fields(d, DIRECTIVE_FIELDS),
                    "order": d.order.number,
                    "parent": d.parent.ref if d.parent else None,
                    "involvements": involvements,
                },
            )
        for stored in history.stored_events():
            write("event", stored.record)
        notifications = Notification.objects.select_related("directive__order", "event").order_by("id")
        for n in notifications.iterator(chunk_size=2000):
            write(
                "notification",
                {
                    **_fields(n, NOTIFICATION_FIELDS),
                    "order": n.directive.order.number,
                    "directive": n.directive.ref,
                    "event_seq": n.event.seq if n.event else None,
                },
            )
        for entry in audit.records():
            write("access", entry)
        write("checkpoint", {k: v for k, v in checkpoint.items() if k != "type"})
    out.write(
        json.dumps({"type": "end", "counts": {t: counts[t] for t in TYPES}}, separators=(",", ":")) + "\n"
    )
    return counts


def _abbreviation(agency: Agency | None) -> str | None:
    return agency.abbreviation if agency is not None else None


# --- Reading and validating ---------------------------------------------------------------------------


class BackupError(Exception):
    """The file cannot be restored; ``errors`` name the line and the field of each problem."""

    def __init__(self, errors: list[str]):
        more = " (and more, not checked)" if len(errors) >= MAX_ERRORS else ""
        super().__init__("\n".join(errors) + more)
        self.errors = errors


@dataclass
class Line:
    number: int
    values: dict[str, object]  # validated, as Python values


@dataclass
class Backup:
    """A validated backup: its records by type, each with its line number."""

    records: dict[str, list[Line]] = field(default_factory=lambda: {t: [] for t in TYPES})

    def counts(self) -> dict[str, int]:
        return {t: len(lines) for t, lines in self.records.items()}


class _Errors:
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


def _clean(model: type[models.Model], name: str, raw: object) -> object:
    """Return ``raw`` as the value of ``model.name``, or raise ValidationError saying why not."""
    f = model._meta.get_field(name)
    if raw is None:
        if f.null:
            return None
        raise ValidationError("must not be null")
    if isinstance(f, models.BooleanField):
        expected, ok = "true or false", isinstance(raw, bool)
    elif isinstance(f, models.IntegerField):  # also the ids
        expected, ok = "a whole number", isinstance(raw, int) and not isinstance(raw, bool)
    elif isinstance(f, models.JSONField):
        expected, ok = "a list of text", isinstance(raw, list) and all(isinstance(v, str) for v in raw)
    else:
        expected, ok = "text", isinstance(raw, str)
    if not ok:
        raise ValidationError(f"must be {expected}, not {json.dumps(raw)[:60]}")
    if f.primary_key:
        if raw < 1:  # type: ignore[operator]
            raise ValidationError("must be a positive id")
        return raw
    value = f.clean(raw, None)
    if isinstance(f, models.DateTimeField):
        if timezone.is_naive(value):
            raise ValidationError("must be an instant with its offset, e.g. 2026-07-03T04:00:00.000000Z")
    elif isinstance(f, models.DateField) and value.isoformat() != raw:
        raise ValidationError("must be a date as YYYY-MM-DD")
    return value


def _describe(kind: str, raw: dict) -> str:
    """Name a record for an error message, from whatever of its keys are usable."""
    if kind == "agency":
        return f"agency {raw.get('abbreviation')!s}"
    if kind == "order":
        return f"order {raw.get('number')!s}"
    if kind == "directive":
        return f"directive {raw.get('ref')!s} of EO {raw.get('order')!s}"
    if kind == "event":
        return f"event seq {raw.get('seq')!s} of EO {raw.get('order')!s}"
    if kind == "notification":
        return f"notification {raw.get('id')!s}"
    if kind == "user":
        return f"user {raw.get('id')!s}"
    if kind == "access":
        return f"access log seq {raw.get('seq')!s}"
    return kind


def read(lines: Iterable[str]) -> Backup:
    """Parse and validate a backup completely; raise ``BackupError`` naming each bad line and field."""
    errors = _Errors()
    backup = Backup()
    end: tuple[int, dict] | None = None
    number = 0
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.add(number, "not JSON", None, str(exc))
            continue
        if not isinstance(raw, dict):
            errors.add(number, "not a JSON object", None, "each line must be one JSON object")
            continue
        kind = raw.get("type")
        if number == 1:
            if (kind, raw.get("format"), raw.get("version")) != ("header", FORMAT, VERSION):
                errors.add(
                    number,
                    "header",
                    "format",
                    f"the first line must be the header of {FORMAT} version {VERSION}",
                )
                errors.raise_any()
            continue
        if end is not None:
            errors.add(number, str(kind), "type", f"nothing may follow the end line (line {end[0]})")
            continue
        if kind == "end":
            end = (number, raw)
            continue
        if kind not in TYPES:
            errors.add(
                number, "record", "type", f"unknown record type {kind!r}; expected one of {', '.join(TYPES)}"
            )
            continue
        values = _validate_line(kind, raw, number, errors)
        if values is not None:
            backup.records[kind].append(Line(number, values))
    if number == 0:
        errors.add(1, "header", None, "the file is empty")
    errors.raise_any()
    if end is None:
        errors.add(number, "end", None, "the file has no end line: it is truncated, or not a whole backup")
    else:
        counts = end[1].get("counts")
        if counts != backup.counts():
            errors.add(
                end[0], "end", "counts", f"the end line counts {counts}, but the file holds {backup.counts()}"
            )
    errors.raise_any()
    _check_references(backup, errors)
    errors.raise_any()
    _check_chains(backup, errors)
    errors.raise_any()
    return backup


def _validate_line(kind: str, raw: dict, number: int, errors: _Errors) -> dict[str, object] | None:
    what = _describe(kind, raw)
    keys = set(raw) - {"type"}
    if keys != KEYS[kind]:
        for key in sorted(KEYS[kind] - keys):
            errors.add(number, what, key, "is missing")
        for key in sorted(keys - KEYS[kind]):
            errors.add(number, what, key, "is not a field of this record type")
        return None
    if kind in ("user", "access", "checkpoint"):
        return _validate_other(kind, raw, number, what, errors)
    model = MODELS[kind]
    values: dict[str, object] = {}
    ok = True

    def clean(key: str, check) -> None:
        nonlocal ok
        try:
            values[key] = check(raw[key])
        except ValidationError as exc:
            ok = False
            errors.add(number, what, key, " ".join(exc.messages))

    def text_or_null(value: object) -> str | None:
        if value is not None and not (isinstance(value, str) and value):
            raise ValidationError("must be non-empty text or null")
        return value  # type: ignore[return-value]

    def whole(value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValidationError("must be a whole number from 1")
        return value

    plain = {
        "agency": AGENCY_FIELDS,
        "order": ORDER_FIELDS,
        "directive": DIRECTIVE_FIELDS,
        "event": EVENT_FIELDS,
        "notification": NOTIFICATION_FIELDS,
    }[kind]
    for key in plain:
        clean(key, lambda value, key=key: _clean(model, key, value))
    if kind == "agency":
        clean("parent", text_or_null)
    elif kind == "directive":
        clean("order", whole)
        clean("parent", text_or_null)
        clean("involvements", _involvements)
        if ok and values["completed_on"] is not None and values["status"] != "completed":
            errors.add(number, what, "completed_on", "only a completed directive has a completion date")
            ok = False
    elif kind == "event":
        clean("order", whole)
        clean("seq", whole)
        clean("directive", lambda value: _clean(Directive, "ref", value))
        clean("actor", lambda value: None if value is None else whole(value))
        clean("agency", lambda value: None if value is None else whole(value))
        clean("created", _canonical_instant)
        for key in ("prev_hash", "hash"):
            clean(key, _hex64)
        clean("signed_from", lambda value: None if value is None else whole(value))
        clean("key_id", lambda value: _text(value, 16))
        clean("signature", lambda value: _text(value, 88))
    elif kind == "notification":
        clean("order", whole)
        clean("directive", lambda value: _clean(Directive, "ref", value))
        clean("event_seq", lambda value: None if value is None else whole(value))
    return values if ok else None


def _text(value: object, longest: int) -> str:
    if not isinstance(value, str) or len(value) > longest:
        raise ValidationError(f"must be text of at most {longest} characters")
    return value


def _validate_other(
    kind: str, raw: dict, number: int, what: str, errors: _Errors
) -> dict[str, object] | None:
    """Validate a user, access log or checkpoint line; return its values, or None after adding errors."""
    before = len(errors.messages)

    def need(key: str, ok: bool, message: str) -> None:
        if not ok:
            errors.add(number, what, key, message)

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1

    values = {k: raw[k] for k in KEYS[kind]}
    if kind == "user":
        need("id", whole(raw["id"]), "must be a whole number from 1")
        try:
            _username(raw["username"])
        except ValidationError as exc:
            errors.add(number, what, "username", " ".join(exc.messages))
    elif kind == "access":
        for key in ("id", "seq"):
            need(key, whole(raw[key]), "must be a whole number from 1")
        for key in ("actor", "subject", "agency", "signed_from"):
            need(key, raw[key] is None or whole(raw[key]), "must be a whole number from 1, or null")
        need("kind", raw["kind"] in AccessEvent.Kind.values, f"{raw['kind']!r} is not a kind of access event")
        need("detail", isinstance(raw["detail"], dict), "must be an object")
        for key in ("prev_hash", "hash"):
            need(
                key,
                isinstance(raw[key], str) and bool(_HEX64.fullmatch(raw[key])),
                "must be 64 lowercase hexadecimal digits",
            )
        for key, longest in (("key_id", 16), ("signature", 88)):
            need(
                key,
                isinstance(raw[key], str) and len(raw[key]) <= longest,
                f"must be text of at most {longest} characters",
            )
        try:
            values["created_at"] = _canonical_instant(raw["created"])
        except ValidationError as exc:
            errors.add(number, what, "created", " ".join(exc.messages))
    else:
        error = checkpoints.check({"type": checkpoints.TYPE, **values})
        need("signature", error is None, f"not a valid checkpoint: {error}")
    return values if len(errors.messages) == before else None


def _involvements(value: object) -> list[dict]:
    if not isinstance(value, list):
        raise ValidationError("must be a list of {agency, role, position}")
    cleaned = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != INVOLVEMENT_KEYS:
            raise ValidationError(f"item {i} must have exactly the keys agency, role and position")
        try:
            cleaned.append(
                {
                    "agency": _clean(Agency, "abbreviation", item["agency"]),
                    "role": _clean(Involvement, "role", item["role"]),
                    "position": _clean(Involvement, "position", item["position"]),
                }
            )
        except ValidationError as exc:
            raise ValidationError(f"item {i}: {' '.join(exc.messages)}") from exc
    return cleaned


def _username(value: object) -> str | None:
    if value is None:
        return None
    user_model = get_user_model()
    return _clean(user_model, user_model.USERNAME_FIELD, value)  # type: ignore[return-value]


def _canonical_instant(value: object) -> dt.datetime:
    parsed = _clean(DirectiveEvent, "created", value)
    if history.instant(parsed) != value:  # type: ignore[arg-type]
        raise ValidationError("must be the canonical UTC instant, e.g. 2026-07-03T04:00:00.000000Z")
    return parsed  # type: ignore[return-value]


def _hex64(value: object) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise ValidationError("must be 64 lowercase hexadecimal digits")
    return value


def _check_references(backup: Backup, errors: _Errors) -> None:
    """Check uniqueness and that every name a record uses is defined in the file."""
    for kind, lines in backup.records.items():
        if kind == "checkpoint":
            continue
        first: dict[object, int] = {}
        for line in lines:
            pk = line.values["id"]
            if pk in first:
                errors.add(line.number, kind, "id", f"id {pk} is used already on line {first[pk]}")
            first.setdefault(pk, line.number)

    def unique(kind: str, key_of, label: str) -> dict:
        seen: dict = {}
        for line in backup.records[kind]:
            key = key_of(line.values)
            if key in seen:
                errors.add(line.number, kind, label, f"{key} is defined already on line {seen[key].number}")
            seen.setdefault(key, line)
        return seen

    users = {line.values["id"] for line in backup.records["user"]}
    unique("user", lambda v: v["username"], "username")
    agencies = unique("agency", lambda v: v["abbreviation"], "abbreviation")
    agency_ids = {line.values["id"] for line in backup.records["agency"]}
    unique("access", lambda v: v["seq"], "seq")
    orders = unique("order", lambda v: v["number"], "number")
    directives = unique("directive", lambda v: (v["order"], v["ref"]), "ref")
    for line in backup.records["agency"]:
        parent = line.values["parent"]
        if parent is not None and parent not in agencies:
            errors.add(
                line.number, f"agency {line.values['abbreviation']}", "parent", f"no agency {parent!r}"
            )
    for line in backup.records["directive"]:
        v = line.values
        what = f"directive {v['ref']} of EO {v['order']}"
        if v["order"] not in orders:
            errors.add(line.number, what, "order", f"no order {v['order']} in the file")
        if v["parent"] is not None and (v["order"], v["parent"]) not in directives:
            errors.add(line.number, what, "parent", f"no directive {v['parent']!r} in EO {v['order']}")
        seen_roles = set()
        for item in v["involvements"]:  # type: ignore[attr-defined]
            if item["agency"] not in agencies:
                errors.add(line.number, what, "involvements", f"no agency {item['agency']!r} in the file")
            if (item["agency"], item["role"]) in seen_roles:
                errors.add(line.number, what, "involvements", f"{item['agency']} is {item['role']} twice")
            seen_roles.add((item["agency"], item["role"]))
        # A parent chain must end: a cycle would make the directive its own ancestor.
        ancestors, parent = set(), v["parent"]
        while parent is not None and (v["order"], parent) in directives and parent not in ancestors:
            ancestors.add(parent)
            parent = directives[v["order"], parent].values["parent"]
        if parent is not None and parent in ancestors:
            errors.add(line.number, what, "parent", "the parents form a cycle")
    events = unique("event", lambda v: (v["order"], v["seq"]), "seq")
    for line in backup.records["event"]:
        v = line.values
        what = f"event seq {v['seq']} of EO {v['order']}"
        if (v["order"], v["directive"]) not in directives:
            errors.add(line.number, what, "directive", f"no directive {v['directive']!r} in EO {v['order']}")
        if v["agency"] is not None and v["agency"] not in agency_ids:
            errors.add(line.number, what, "agency", f"no agency with id {v['agency']} in the file")
        if v["actor"] is not None and v["actor"] not in users:
            errors.add(line.number, what, "actor", f"no user with id {v['actor']} in the file")
    unique(
        "notification",
        lambda v: (v["order"], v["directive"], v["kind"], v["due_on"], v["offset_days"]),
        "kind",
    )
    for line in backup.records["notification"]:
        v = line.values
        what = f"notification {v['id']}"
        if (v["order"], v["directive"]) not in directives:
            errors.add(line.number, what, "directive", f"no directive {v['directive']!r} in EO {v['order']}")
        if v["event_seq"] is not None and (v["order"], v["event_seq"]) not in events:
            errors.add(line.number, what, "event_seq", f"no event seq {v['event_seq']} in EO {v['order']}")


_FIELD_OF = {
    history.Mismatch.SIGNATURE: "signature",
    history.Mismatch.TIME_BACKWARDS: "created",
    history.Mismatch.MISSING_SEQ: "seq",
}


def _check_chains(backup: Backup, errors: _Errors) -> None:
    """Check every chain in the file as ``verify_history`` checks the database's, and its checkpoint.

    Each order's chain: links, hashes, time, and signatures by a trusted key covering every event; the
    access log likewise; and the file's one checkpoint must verify and every chain it names must reach
    its seq with its hash in the file (a chain cut short, or the checkpoint of another file, is refused).
    """
    events = sorted(backup.records["event"], key=lambda line: (line.values["order"], line.values["seq"]))
    where = {(line.values["order"], line.values["seq"]): line.number for line in events}
    checker = history.ChainChecker()
    keys = (*history.CONTENT_KEYS, "id", "hash", *history.SIGNATURE_KEYS)
    error = None
    for line in events:
        error = checker.check({key: _json_value(line.values[key]) for key in keys})
        if error is not None:
            break
    error = error or checker.finish()
    if error is not None:
        field_name = _FIELD_OF.get(error.mismatch, "hash")
        number = where.get((error.order, error.seq), 0)
        errors.add(
            number,
            f"event seq {error.seq} of EO {error.order}",
            field_name,
            f"{error.mismatch.label}: {error.detail}",
        )
        return
    access = sorted(backup.records["access"], key=lambda line: line.values["seq"])  # type: ignore[arg-type, return-value]
    access_head, problem = audit.verify(iter([line.values for line in access]))
    if problem is not None:
        number = next((line.number for line in access if line.values["seq"] == problem.seq), 0)
        errors.add(number, f"access log seq {problem.seq}", "hash", problem.detail)
        return
    found = backup.records["checkpoint"]
    if len(found) != 1:
        errors.add(
            0, "checkpoint", None, f"a backup holds exactly one checkpoint; this file holds {len(found)}"
        )
        return
    checkpoint = found[0]
    hashes = {(line.values["order"], line.values["seq"]): line.values["hash"] for line in events}
    for name, head in checkpoint.values["chains"].items():  # type: ignore[union-attr]
        if name == audit.CHAIN:
            reached = head["seq"] <= access_head.seq and any(
                line.values["seq"] == head["seq"] and line.values["hash"] == head["hash"] for line in access
            )
        elif name.startswith("order:") and name.removeprefix("order:").isdigit():
            reached = hashes.get((int(name.removeprefix("order:")), head["seq"])) == head["hash"]
        else:
            reached = False
        if not reached:
            errors.add(
                checkpoint.number,
                "checkpoint",
                "chains",
                f"{name} seq {head['seq']} (directive {head['label']}) is not in the file with the hash the "
                "checkpoint signed: the file was cut short or altered after it was exported",
            )


# --- Restoring ----------------------------------------------------------------------------------------


def existing_records() -> dict[str, int]:
    """Return the count of each kind of record the database holds already (all zero when empty)."""
    # Checkpoints are statements about records, not records: beat may have written one of the empty
    # database already.
    return {kind: model.objects.count() for kind, model in MODELS.items() if kind != "checkpoint"} | {
        "involvement": Involvement.objects.count()
    }


def describe_counts(counts: dict[str, int]) -> str:
    """Return e.g. "1 agency, 13 directives" for a count of records by kind."""
    singular = {"access": "access log entry"}
    plural = {"agency": "agencies", "access": "access log entries"}
    return ", ".join(
        f"{n:,} {singular.get(kind, kind) if n == 1 else plural.get(kind, kind + 's')}"
        for kind, n in counts.items()
        if n or kind not in ("user", "access", "checkpoint")
    )


class NotEmpty(Exception):
    """The database holds records already; ``held`` counts them by kind."""

    def __init__(self, held: dict[str, int]):
        super().__init__(
            f"The database is not empty (it holds {describe_counts(held)}); import_history restores only "
            "into an empty database. Nothing was written."
        )
        self.held = held


@transaction.atomic
def restore(backup: Backup) -> proof.Report:
    """Write a validated backup into the empty database in one transaction; return the verification.

    Raise ``NotEmpty`` (nothing written) when the database holds any record already.
    """
    held = {kind: n for kind, n in existing_records().items() if n}
    if held:
        raise NotEmpty(held)
    records = {kind: [line.values for line in lines] for kind, lines in backup.records.items()}

    _restore_users(backup)

    agency_ids = {v["abbreviation"]: v["id"] for v in records["agency"]}
    Agency.objects.bulk_create(
        Agency(**{k: v[k] for k in AGENCY_FIELDS}, parent_id=agency_ids.get(v["parent"]))  # type: ignore[arg-type]
        for v in records["agency"]
    )
    order_ids = {v["number"]: v["id"] for v in records["order"]}
    _create_keeping_timestamps(Order, [Order(**{k: v[k] for k in ORDER_FIELDS}) for v in records["order"]])
    directive_ids = {(v["order"], v["ref"]): v["id"] for v in records["directive"]}
    _create_keeping_timestamps(
        Directive,
        [
            Directive(
                **{k: v[k] for k in DIRECTIVE_FIELDS},
                order_id=order_ids[v["order"]],
                parent_id=directive_ids.get((v["order"], v["parent"])),
            )
            for v in records["directive"]
        ],
    )
    Involvement.objects.bulk_create(
        Involvement(
            directive_id=v["id"], agency_id=agency_ids[i["agency"]], role=i["role"], position=i["position"]
        )
        for v in records["directive"]
        for i in v["involvements"]  # type: ignore[attr-defined]
    )
    events = sorted(records["event"], key=lambda v: (v["order"], v["seq"]))
    history.append(
        [
            history.NewEvent(
                id=v["id"],  # type: ignore[arg-type]
                directive_id=directive_ids[v["order"], v["directive"]],
                order_id=order_ids[v["order"]],
                directive_ref=v["directive"],  # type: ignore[arg-type]
                **{k: v[k] for k in EVENT_FIELDS if k != "id"},  # type: ignore[arg-type]
                created=v["created"],  # type: ignore[arg-type]
                actor_id=v["actor"],  # type: ignore[arg-type]
                agency_id=v["agency"],  # type: ignore[arg-type]
                signed_from=v["signed_from"],  # type: ignore[arg-type]
                key_id=v["key_id"],  # type: ignore[arg-type]
                signature=v["signature"],  # type: ignore[arg-type]
            )
            for v in events
        ]
    )
    event_ids = {(v["order"], v["seq"]): v["id"] for v in events}
    Notification.objects.bulk_create(
        Notification(
            **{k: v[k] for k in NOTIFICATION_FIELDS},
            directive_id=directive_ids[v["order"], v["directive"]],
            event_id=event_ids[v["order"], v["event_seq"]] if v["event_seq"] is not None else None,
        )
        for v in records["notification"]
    )
    AccessEvent.objects.bulk_create(
        AccessEvent(
            id=v["id"],
            seq=v["seq"],
            kind=v["kind"],
            actor_id=v["actor"],
            subject_id=v["subject"],
            agency_id=v["agency"],
            detail=json.dumps(v["detail"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            created=v["created_at"],
            prev_hash=v["prev_hash"],
            hash=v["hash"],
            signed_from=v["signed_from"],
            key_id=v["key_id"],
            signature=v["signature"],
        )
        for v in records["access"]
    )
    for v in records["checkpoint"]:
        line = {"type": checkpoints.TYPE, **{k: v[k] for k in ("created", "key_id", "chains", "signature")}}
        checkpoints.record(line, emails=[], send=False)
    _reset_sequences()
    report = proof.verify()
    if not report.ok:
        # The file was checked before writing; this would mean the database changed what it stored
        # (a collation, a truncated text): refuse the restore rather than keep a record that fails.
        raise BackupError([f"after the restore, {problem}" for problem in report.problems])
    return report


def _restore_users(backup: Backup) -> None:
    """Create the file's users that are missing, inactive and without a password, keeping their ids.

    The hashes cover user ids, so a user of the file must keep its id: one whose id or username is
    taken here by someone else is refused, naming both.
    """
    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    wanted = {line.values["id"]: (line.number, line.values["username"]) for line in backup.records["user"]}
    by_id = dict(user_model.objects.filter(pk__in=wanted).values_list("pk", username_field))
    by_name = dict(
        user_model.objects.filter(**{f"{username_field}__in": [u for _, u in wanted.values()]}).values_list(
            username_field, "pk"
        )
    )
    errors = []
    for pk, (number, username) in sorted(wanted.items()):
        if pk in by_id and by_id[pk] != username:
            errors.append(
                f"line {number} (user {pk}): field 'id': user {pk} is {by_id[pk]!r} in this database, "
                f"{username!r} in the file"
            )
        elif pk not in by_id and username in by_name:
            errors.append(
                f"line {number} (user {pk}): field 'username': {username!r} is user {by_name[username]} in "
                f"this database, user {pk} in the file"
            )
        elif pk not in by_id:
            user = user_model(pk=pk, **{username_field: username}, is_active=False)
            user.set_unusable_password()
            user._orderctl_restored = True  # the file's access log holds its creation already
            user.save()
    if errors:
        raise BackupError(errors)


def _create_keeping_timestamps(model: type[models.Model], objs: list[models.Model]) -> None:
    """Insert ``objs`` keeping their ``auto_now``/``auto_now_add`` times, which a save would replace."""
    stamped = [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    times = {obj.pk: {name: getattr(obj, name) for name in stamped} for obj in objs}
    model.objects.bulk_create(objs, batch_size=2000)
    for obj in objs:
        for name, value in times[obj.pk].items():
            setattr(obj, name, value)
    # bulk_update writes the values given, without the fields' pre_save.
    model.objects.bulk_update(objs, stamped, batch_size=2000)


def _reset_sequences() -> None:
    """Move the id sequences past the restored ids (PostgreSQL; SQLite follows the largest id itself)."""
    statements = connection.ops.sequence_reset_sql(
        no_style(),
        [
            get_user_model(),
            Agency,
            Order,
            Directive,
            Involvement,
            DirectiveEvent,
            Notification,
            AccessEvent,
            Checkpoint,
        ],
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
