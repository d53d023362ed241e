"""The tamper-evident history: each order's events form a SHA-256 hash chain, signed at every append.

Every event of an order gets the next ``seq`` (1, 2, 3 ...) of that order and stores ``prev_hash``,
the ``hash`` of the order's event with the seq before (64 zeros for seq 1), and its own ``hash``:
the SHA-256, in lowercase hex, of the UTF-8 bytes of this JSON object (the *canonical form*)::

    {"actor": 42,                     # the actor's user id; null for the system
     "agency": 7,                     # id of the agency acted for, or null
     "completed_on": null,            # dates as "YYYY-MM-DD", or null
     "created": "2026-07-01T14:03:09.125000Z",   # UTC, always six fractional digits and a Z
     "directive": "2(c)(ii)",         # the directive's ref
     "evidence_url": "",              # text fields as stored, "" when empty
     "kind": "status_changed",
     "new_due_on": null, "new_forecast_on": null, "new_status": "in_progress",
     "note": "BOD drafted.",
     "old_due_on": null, "old_forecast_on": null, "old_status": "not_started",
     "order": 14409,                  # the executive order's number
     "prev_hash": "…64 hex digits…",
     "seq": 7}

serialised with the keys sorted, no whitespace and non-ASCII characters left as they are: exactly
``json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``. People and
agencies are ids, which never change: an administrator may rename a user or an agency (the access
log records it, ``ledger/audit.py``) and no hash changes. Migration 0009 re-chained the events written
before in this form (docs/history-proof.md says why).

**Signed appends.** Each call of :func:`append` signs, for each order it touches, its newest event
with the Ed25519 key of ``ledger/keys.py``: ``signed_from`` (the seq of the call's first event of that
order), ``key_id`` and ``signature`` over ``"orderctl-head\norder:<number>\n<signed_from>\n<seq>\n
<hash>"`` (``ledger.chain.head_message``). The database does not hold the key, so whoever can write to
it can re-hash an edited chain but not sign it; the signed appends must tile each chain without a gap.

**Time.** An event is never dated before the one it follows: ``created`` is the later of the
action's clock and the chain head's (the clock is read before the lock is held, and a writer that
waited for it appends after one that read the clock later).

The event lines of ``export_history``'s file carry these keys under these names, so an auditor can
check a backup with the standard library and ``cryptography`` for the signatures (docs/history-proof.md)::

    import hashlib, json
    KEYS = ("order", "directive", "kind", "old_status", "new_status", "note", "evidence_url",
            "completed_on", "old_forecast_on", "new_forecast_on", "old_due_on", "new_due_on",
            "actor", "agency", "created", "seq", "prev_hash")
    def event_hash(line: dict) -> str:
        text = json.dumps({k: line[k] for k in KEYS}, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()
    # each event: event_hash(e) == e["hash"], and e["prev_hash"] is the hash of the order's seq - 1.

What the chain proves: an event whose content was edited no longer matches its hash; an event
re-hashed after an edit breaks the next event's link, or, re-hashed to the end, the signatures; a
removed event leaves a gap in ``seq``; events added without the key are not covered by a signature.
Events removed from the end of a chain leave no trace in what stays: signed checkpoints kept outside
the database catch that (``ledger/checkpoints.py``, ``directives/history/proof.py``).

Appends for one order are serialised by a lock on the order's row (on SQLite, by the IMMEDIATE
transaction), taken after the directive rows, as every writer takes them, so that a sweep and an
update never wait for each other in opposite orders.

The package: ``canonical`` (the canonical form, pure), ``appending`` (``NewEvent``, ``append``),
``reading`` (the stored events' rows, streamed) and ``verifying`` (``ChainChecker``, ``stored_events``,
``verify``); callers use the names re-exported here.
"""

from ledger.chain import GENESIS

from .appending import COLUMNS, NewEvent, append
from .canonical import (
    CONTENT_KEYS,
    DATE_KEYS,
    SIGNATURE_KEYS,
    canonical,
    chain_name,
    day,
    digest,
    instant,
    record_text,
)
from .reading import RECORD_KEYS, Row
from .verifying import (
    ChainChecker,
    ChainError,
    Mismatch,
    Stored,
    VerifyReport,
    chain_error,
    check_records,
    collector_paused,
    one_snapshot,
    stored_events,
    verify,
)

__all__ = [
    "COLUMNS",
    "CONTENT_KEYS",
    "DATE_KEYS",
    "GENESIS",
    "RECORD_KEYS",
    "SIGNATURE_KEYS",
    "ChainChecker",
    "ChainError",
    "Mismatch",
    "NewEvent",
    "Row",
    "Stored",
    "VerifyReport",
    "append",
    "canonical",
    "chain_error",
    "chain_name",
    "check_records",
    "collector_paused",
    "day",
    "digest",
    "instant",
    "one_snapshot",
    "record_text",
    "stored_events",
    "verify",
]
