"""The Ed25519 keys that sign the record: one private key that signs, public keys that verify.

The private key comes from the environment (``HISTORY_SIGNING_KEY``) or a file
(``HISTORY_SIGNING_KEY_FILE``), never from the database: whoever can write to the database but does
not hold the key cannot sign. A key is 32 random bytes (an Ed25519 seed), written as base64 or as a
PEM "PRIVATE KEY" file; ``python manage.py history_keys generate`` makes one.

A key is named by its *key id*: the first 16 hex digits of the SHA-256 of its raw 32-byte public key.
Signatures made with an old key stay verifiable after a rotation as long as its public key is listed
in ``HISTORY_TRUSTED_KEYS`` (base64 raw public keys, comma-separated) or ``HISTORY_TRUSTED_KEYS_FILE``
(one a line, ``#`` comments): trust lives outside the database, or an attacker with database access
could add a key of their own. ``history_keys public`` prints every trusted public key for auditors.

Pure: the settings parse and validate the keys with these functions at start-up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# The public development key's seed: 32 bytes anyone can read here. Settings accept it only while
# DEBUG is true, so that `make run` and the tests sign without configuration; production refuses it.
DEVELOPMENT_SEED = base64.b64encode(b"orderctl-development-only-32byte").decode()


class BadKey(ValueError):
    """A key that cannot be used; the message says why."""


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """Return the key id of ``public``: 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(_raw_public(public)).hexdigest()[:16]


def public_text(public: Ed25519PublicKey) -> str:
    """Return ``public`` as base64 of its 32 raw bytes, the form ``HISTORY_TRUSTED_KEYS`` takes."""
    return base64.b64encode(_raw_public(public)).decode()


def parse_private(text: str) -> Ed25519PrivateKey:
    """Return the private key written in ``text``: base64 of a 32-byte seed, or a PEM private key."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise BadKey(f"not a readable PEM private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise BadKey("the PEM key is not an Ed25519 key")
        return key
    try:
        seed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadKey("not base64 (nor a PEM key)") from None
    if len(seed) != 32:
        raise BadKey(f"an Ed25519 key is 32 bytes; this one is {len(seed)}")
    return Ed25519PrivateKey.from_private_bytes(seed)


def parse_public(text: str) -> Ed25519PublicKey:
    """Return the public key written in ``text``: base64 of 32 raw bytes."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BadKey(f"{text.strip()[:20]!r} is not base64") from None
    if len(raw) != 32:
        raise BadKey(f"an Ed25519 public key is 32 bytes; {text.strip()[:20]!r} is {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def generate() -> tuple[str, str]:
    """Return a new key as (private key in base64, public key in base64)."""
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(seed).decode(), public_text(private.public_key())


@dataclass(frozen=True)
class Keyring:
    """The key that signs and the public keys that verify (the signing key's own among them)."""

    private: Ed25519PrivateKey
    signing_key_id: str
    trusted: Mapping[str, Ed25519PublicKey]

    @classmethod
    def of(cls, private: Ed25519PrivateKey, others: Iterable[Ed25519PublicKey] = ()) -> Keyring:
        public = private.public_key()
        trusted = {key_id(k): k for k in others} | {key_id(public): public}
        return cls(private=private, signing_key_id=key_id(public), trusted=trusted)

    def sign(self, message: bytes) -> str:
        """Return the base64 signature of ``message`` by the signing key."""
        return base64.b64encode(self.private.sign(message)).decode()

    def check(self, key: str, signature: str, message: bytes) -> str | None:
        """Return None when ``signature`` of ``message`` verifies with trusted key ``key``, else why not."""
        public = self.trusted.get(key)
        if public is None:
            return f"it is signed by key {key or '(none)'}, which is not a trusted key"
        try:
            public.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, binascii.Error, ValueError):
            return f"its signature does not verify with key {key}"
        return None


_keyring: Keyring | None = None
_configured: tuple[object, ...] | None = None


def keyring() -> Keyring:
    """Return the keyring the settings describe (parsed once per settings value)."""
    global _keyring, _configured
    from django.conf import settings

    configured = (settings.HISTORY_SIGNING_KEY, tuple(settings.HISTORY_TRUSTED_KEYS))
    if _keyring is None or configured != _configured:
        _keyring = Keyring.of(
            parse_private(settings.HISTORY_SIGNING_KEY),
            [parse_public(k) for k in settings.HISTORY_TRUSTED_KEYS],
        )
        _configured = configured
    return _keyring
