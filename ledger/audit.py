"""The access log: who may act for which agency, and every change of it, in a signed hash chain.

Memberships, reviewer grants, staff, superuser and active flags, user and agency renames, API tokens
and sign-in lockouts are appended here by the code that makes the change (``agencies/roles.py``,
``agencies/actions.py``, ``agencies/audit.py``), in the same transaction. One chain, named
``access``, built like an order's history (``ledger/chain.py``): entry ``seq`` stores ``prev_hash``
and ``hash``, the SHA-256 of the UTF-8 bytes of its canonical JSON::

    {"actor": 1, "agency": 7, "created": "2026-11-30T17:00:00.000000Z",
     "detail": {"role": "editor"}, "kind": "membership_granted", "prev_hash": "…", "seq": 12,
     "subject": 42}

(keys sorted, no whitespace, non-ASCII as it is). People and agencies are ids: renaming one changes no
hash, and is an entry of its own whose detail gives the old and new names. Every append is signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import keys
from .chain import GENESIS, SignedAppends, canonical, sign_head
from .models import AccessEvent

CHAIN = "access"
# An entry as a record (the export's access line): read from the database, or a backup's checked line.
Record = Mapping[str, Any]
# pg_advisory_xact_lock key serialising appends to the access log ("ACCESS" in ASCII).
_LOCK_KEY = 0x414343455353


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content(record: Mapping[str, object]) -> dict[str, object]:
    """Return the canonical content of an entry given as a record (the export's shape)."""
    return {
        k: record[k] for k in ("actor", "agency", "created", "detail", "kind", "prev_hash", "seq", "subject")
    }


def digest(record: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical(content(record))).hexdigest()


def record(
    kind: str,
    *,
    actor_id: int | None,
    subject_id: int | None = None,
    agency_id: int | None = None,
    detail: Mapping[str, object] | None = None,
) -> AccessEvent:
    """Append one entry to the access log, signed, inside the caller's transaction; return it."""
    if kind not in AccessEvent.Kind.values:
        raise ValueError(f"unknown access event kind {kind!r}")
    now = timezone.now()
    detail = dict(detail or {})
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        head = AccessEvent.objects.order_by("-seq").values_list("seq", "hash", "created").first()
        seq, prev_hash, last_created = head if head else (0, GENESIS, now)
        # Never dated before the entry it follows (the clock was read before the lock was held).
        created = max(now, last_created)
        values = {
            "actor": actor_id,
            "agency": agency_id,
            "created": _instant(created),
            "detail": detail,
            "kind": kind,
            "prev_hash": prev_hash,
            "seq": seq + 1,
            "subject": subject_id,
        }
        entry_hash = digest(values)
        key_id, signature = sign_head(keys.keyring(), CHAIN, seq + 1, seq + 1, entry_hash)
        return AccessEvent.objects.create(
            seq=seq + 1,
            kind=kind,
            actor_id=actor_id,
            subject_id=subject_id,
            agency_id=agency_id,
            detail=json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            created=created,
            prev_hash=prev_hash,
            hash=entry_hash,
            signed_from=seq + 1,
            key_id=key_id,
            signature=signature,
        )


def records() -> Iterator[dict[str, Any]]:
    """Yield every entry in seq order as a record: its canonical content, then id, hash and signature."""
    fields = (
        "id", "seq", "kind", "actor_id", "subject_id", "agency_id", "detail", "created", "prev_hash",
        "hash", "signed_from", "key_id", "signature",
    )  # fmt: skip
    for row in AccessEvent.objects.order_by("seq").values_list(*fields).iterator(chunk_size=2000):
        pk, seq, kind, actor, subject, agency, detail, created, prev_hash, entry_hash, *signed = row
        try:
            parsed = json.loads(detail)
        except json.JSONDecodeError:
            parsed = detail
        yield {
            "actor": actor,
            "agency": agency,
            "created": _instant(created),
            "detail": parsed,
            "kind": kind,
            "prev_hash": prev_hash,
            "seq": seq,
            "subject": subject,
            "id": pk,
            "hash": entry_hash,
            "signed_from": signed[0],
            "key_id": signed[1],
            "signature": signed[2],
        }


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str
    detail: str

    def describe(self) -> str:
        return f"access log, seq {self.seq} ({self.kind}): {self.detail}"


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    count: int


def verify(entries: Iterator[Record] | None = None) -> tuple[Head, Problem | None]:
    """Check the access log's chain (or ``entries`` in seq order); return its head and the first problem."""
    signed = SignedAppends(CHAIN, keys.keyring())
    last: Record | None = None
    count = 0
    for entry in records() if entries is None else entries:
        count += 1
        seq = int(entry["seq"])
        expected = 1 if last is None else int(last["seq"]) + 1
        problem = None
        if seq != expected:
            problem = (
                f"expected seq {expected}: seq {expected} to {seq - 1} are missing"
                if seq > expected
                else (f"seq {seq} follows seq {seq if last is None else last['seq']}")
            )
        elif entry["prev_hash"] != (GENESIS if last is None else last["hash"]):
            problem = "its prev_hash is not the hash of the entry before: that one was changed and re-hashed"
        elif digest(entry) != entry["hash"]:
            problem = "its stored hash does not match its content: it was changed"
        elif last is not None and str(entry["created"]) < str(last["created"]):
            problem = f"it is dated {entry['created']}, before the entry it follows ({last['created']})"
        else:
            problem = signed.check(
                seq,
                str(entry["hash"]),
                entry["signed_from"],
                str(entry["key_id"]),
                str(entry["signature"]),
            )
        if problem is not None:
            return Head(seq, str(entry["hash"]), count), Problem(seq, str(entry["kind"]), problem)
        last = entry
    if last is None:
        return Head(0, GENESIS, 0), None
    tail = signed.unsigned_tail(int(last["seq"]))
    head = Head(int(last["seq"]), str(last["hash"]), count)
    return head, (Problem(signed.next_from, "", tail) if tail else None)
