"""What every chain of the record shares: its links, its canonical JSON, and signed appends.

A chain is a sequence of events numbered 1, 2, 3 ... (``seq``); each stores ``prev_hash``, the hash of
the one before (``GENESIS`` for the first), and its own ``hash``, the SHA-256 of its canonical JSON.
Two chains use this: each executive order's history (``directives/history/``) and the access log
(``ledger/audit.py``).

The hashes make an edit visible, but anyone who can write to the database can recompute them. So
each *append* (one call, one or many events of a chain) is signed with the Ed25519 key of
``ledger/keys.py``: its newest event stores ``signed_from`` (the seq of the append's first event),
``key_id`` and ``signature`` over :func:`head_message`, ``"orderctl-head\\n<chain>\\n<signed_from>\\n
<seq>\\n<hash>"``. Because the hash covers everything before it, one signature vouches for the whole
chain up to it; because each signature also says where its append began, the signed appends must tile
the chain: an event slipped in by someone without the key, even one that a later genuine append then
covers, leaves a gap between two signed appends. :class:`SignedAppends` checks that.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .keys import Keyring

GENESIS = "0" * 64

# json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False), built once.
encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
# The encoder's own escaping of one string (ensure_ascii off), for canonical text written out by hand.
encode_string = json.encoder.encode_basestring


def canonical(value: Mapping[str, object]) -> bytes:
    """Return ``value`` as the canonical JSON bytes: keys sorted, no whitespace, UTF-8 as it is."""
    return encode(value).encode()


def head_message(chain: str, signed_from: int, seq: int, event_hash: str) -> bytes:
    """Return the bytes an append's signature covers: the chain, the seqs it appended, its newest hash."""
    return f"orderctl-head\n{chain}\n{signed_from}\n{seq}\n{event_hash}".encode()


def sign_head(keyring: Keyring, chain: str, signed_from: int, seq: int, event_hash: str) -> tuple[str, str]:
    """Return (key id, signature) for an append of ``signed_from`` to ``seq`` ending in ``event_hash``."""
    return keyring.signing_key_id, keyring.sign(head_message(chain, signed_from, seq, event_hash))


class SignedAppends:
    """Check, event by event in seq order, that one chain's signed appends cover it without a gap.

    ``check`` takes each event's seq, hash and signature columns and returns why its signature is
    wrong, or None; ``unsigned_tail`` says, once the chain is read, whether its newest events were
    appended without the key. Events between two signed ones are unsigned by design (an append of
    many events signs its newest only).
    """

    def __init__(self, chain: str, keyring: Keyring) -> None:
        self.chain = chain
        self.keyring = keyring
        self.next_from = 1  # the seq the next signed append must start at
        self.signatures = 0

    def check(
        self, seq: int, event_hash: str, signed_from: int | None, key_id: str, signature: str
    ) -> str | None:
        if not signature:
            if signed_from is not None or key_id:
                return "it has part of a signature (signed_from or key_id without a signature)"
            return None
        self.signatures += 1
        if signed_from is None or not 1 <= signed_from <= seq:
            return f"its signature claims an append from seq {signed_from}, which cannot end at seq {seq}"
        if signed_from > self.next_from:
            return (
                f"its signature vouches for seq {signed_from} to {seq}, but no signature covers seq "
                f"{self.next_from} to {signed_from - 1}: "
                + ("they were" if signed_from - 1 > self.next_from else "it was")
                + " added without the signing key"
            )
        if signed_from < self.next_from:
            return (
                f"its signature claims an append from seq {signed_from}, but seq {signed_from} to "
                f"{self.next_from - 1} belong to an earlier signed append: the chain was rewritten"
            )
        self.next_from = seq + 1
        return self.keyring.check(key_id, signature, head_message(self.chain, signed_from, seq, event_hash))

    def unsigned_tail(self, last_seq: int) -> str | None:
        """Return why the chain's newest events are not vouched for, or None when they are."""
        if last_seq >= self.next_from:
            span = (
                f"seq {self.next_from}"
                if last_seq == self.next_from
                else f"seq {self.next_from} to {last_seq}"
            )
            return f"no signature covers {span}, the newest of the chain: added without the signing key"
        return None
