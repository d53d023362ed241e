"""Reading a backup whole: every line validated, every reference resolved, every chain checked."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from directives import history
from directives.models.attachments import evidence_note
from ledger import audit, keys

from .fileformat import (
    ADDED_TYPES,
    FORMAT,
    READABLE_VERSIONS,
    SEALED_FROM,
    TYPES,
    VERSION,
    Backup,
    Errors,
    Line,
    end_line,
    json_value,
    new_digest,
    seal_message,
)
from .validating import upgrade_v2_directive, validate_line, with_oversight_defaults


def read(lines: Iterable[str], *, accept_unsealed: bool = False) -> Backup:
    """Parse and validate a backup completely; raise ``BackupError`` naming each bad line and field.

    A file of version 4 must carry its seal: a signature by a trusted history key over the SHA-256 of
    every byte before its end line, so that any changed byte of any record is refused. ``lines`` must
    keep their line endings as the file has them (open it with ``newline=""``). Older files carry no
    seal and are read only with ``accept_unsealed``.
    """
    errors = Errors()
    backup = Backup()
    end: tuple[int, dict[str, Any]] | None = None
    end_text = ""
    number = 0
    version: object = VERSION
    digest = new_digest()
    for number, text in enumerate(lines, start=1):
        if end is not None and isinstance(version, int) and version >= SEALED_FROM:
            # Not even a blank line: the sealed file is exactly what was written.
            errors.add(number, "after the end", None, f"nothing may follow the end line (line {end[0]})")
            continue
        if not text.strip():
            if end is None:
                digest.update(text.encode("utf-8"))
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
            digest.update(text.encode("utf-8"))
            version = raw.get("version")
            if (kind, raw.get("format")) != ("header", FORMAT) or version not in READABLE_VERSIONS:
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
            end_text = text
            continue
        digest.update(text.encode("utf-8"))
        if kind not in TYPES:
            errors.add(
                number, "record", "type", f"unknown record type {kind!r}; expected one of {', '.join(TYPES)}"
            )
            continue
        if kind == "directive" and version == 2:
            raw = upgrade_v2_directive(raw)
        if kind == "directive" and version != VERSION:
            raw = with_oversight_defaults(raw)
        values = validate_line(kind, raw, number, errors)
        if values is not None:
            backup.records[kind].append(Line(number, values))
    if number == 0:
        errors.add(1, "header", None, "the file is empty")
    errors.raise_any()
    if end is None:
        errors.add(number, "end", None, "the file has no end line: it is truncated, or not a whole backup")
    else:
        counts = end[1].get("counts")
        if version == 2 and isinstance(counts, dict):
            counts = {**counts, "change": 0}  # version 2 kept no revocations or amendments
        if isinstance(counts, dict) and version != VERSION:  # older files count none of these
            counts = {**dict.fromkeys(ADDED_TYPES, 0), **counts}
        if counts != backup.counts():
            errors.add(
                end[0], "end", "counts", f"the end line counts {counts}, but the file holds {backup.counts()}"
            )
    errors.raise_any()
    _check_references(backup, errors)
    errors.raise_any()
    _check_chains(backup, errors)
    errors.raise_any()
    if end is not None and isinstance(version, int) and version >= SEALED_FROM:
        _check_seal(end[0], end_text, end[1], digest.hexdigest(), backup.counts(), errors)
    elif not accept_unsealed:
        errors.add(
            1,
            "header",
            "version",
            f"a version {version} file carries no seal over its records: only its events are signed, so "
            "a changed title, name, date or notice would go unnoticed. Export it again with this version, "
            "or restore it with --accept-unsealed to take everything but the events as the file says (the "
            "restore still re-derives each directive's state from its events and refuses a disagreement)",
        )
    errors.raise_any()
    return backup


def _check_seal(
    number: int, text: str, raw: dict[str, Any], digest: str, counts: dict[str, int], errors: Errors
) -> None:
    """Check the end line's seal: the digest of every line before it, signed by a trusted key."""
    sealed = raw.get("seal")
    if not (
        isinstance(sealed, dict)
        and set(sealed) == {"digest", "key_id", "signature"}
        and all(isinstance(value, str) for value in sealed.values())
    ):
        errors.add(
            number, "end", "seal", "a version 4 file must end with its seal (digest, key_id, signature)"
        )
        return
    if sealed["digest"] != digest:
        errors.add(
            number,
            "end",
            "seal",
            f"the file was changed after it was exported: its lines before the end hash to {digest}, "
            f"the seal says {sealed['digest']}",
        )
        return
    problem = keys.keyring().check(sealed["key_id"], sealed["signature"], seal_message(digest, counts))
    if problem is not None:
        errors.add(number, "end", "seal", f"not sealed by a trusted key: {problem}")
        return
    if text.rstrip("\n") != end_line(counts, sealed).rstrip("\n"):
        errors.add(
            number, "end", None, "the end line was changed after it was exported (it is not as written)"
        )


def _check_references(backup: Backup, errors: Errors) -> None:
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

    def unique(kind: str, key_of: Callable[[dict[str, Any]], object], label: str) -> dict[object, Line]:
        seen: dict[object, Line] = {}
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
        if v["series"] is not None and (v["order"], v["series"]) not in directives:
            errors.add(line.number, what, "series", f"no directive {v['series']!r} in EO {v['order']}")
        seen_roles = set()
        for item in v["involvements"]:
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
    unique("change", lambda v: (v["by_order"], v["kind"], v["order_number"], v["ref"]), "ref")
    for line in backup.records["change"]:
        if line.values["by_order"] not in orders:
            errors.add(
                line.number, f"change {line.values['id']}", "by_order", f"no order {line.values['by_order']}"
            )
    for line in backup.records["extension"]:
        v = line.values
        what = f"extension request {v['id']}"
        if (v["order"], v["directive"]) not in directives:
            errors.add(line.number, what, "directive", f"no directive {v['directive']!r} in EO {v['order']}")
        for key in ("requested_by", "decided_by"):
            if v[key] is not None and v[key] not in users:
                errors.add(line.number, what, key, f"no user with id {v[key]} in the file")
        if v["agency"] is not None and v["agency"] not in agencies:
            errors.add(line.number, what, "agency", f"no agency {v['agency']!r} in the file")
    unique("evidence", lambda v: v["storage_key"], "storage_key")
    event_lines = {
        (line.values["order"], line.values["seq"]): line.values for line in backup.records["event"]
    }
    for line in backup.records["evidence"]:
        v = line.values
        what = f"evidence file {v['id']} of EO {v['order']}"
        if (v["order"], v["directive"]) not in directives:
            errors.add(line.number, what, "directive", f"no directive {v['directive']!r} in EO {v['order']}")
        if v["uploaded_by"] is not None and v["uploaded_by"] not in users:
            errors.add(line.number, what, "uploaded_by", f"no user with id {v['uploaded_by']} in the file")
        event = event_lines.get((v["order"], v["event_seq"]))
        note = evidence_note(
            name=v["name"], content_type=v["content_type"], size=v["size"], sha256=v["sha256"]
        )
        if event is None or event["kind"] != "evidence_added" or event["directive"] != v["directive"]:
            errors.add(
                line.number,
                what,
                "event_seq",
                f"no evidence_added event seq {v['event_seq']} of its directive",
            )
        elif event["note"] != note:
            errors.add(
                line.number, what, "sha256", "the file's name, type, size or SHA-256 differs from its event's"
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


def _check_chains(backup: Backup, errors: Errors) -> None:
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
        error = checker.check({key: json_value(line.values[key]) for key in keys})
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
    access = sorted(backup.records["access"], key=lambda line: line.values["seq"])
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
    for name, head in checkpoint.values["chains"].items():
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
