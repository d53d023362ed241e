"""Proof of the record: the signing and trusted keys, checkpoints and their sinks (docs/history-proof.md)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# --- Proof of the record ---------------------------------------------------------------------------
# What each key and sink is for, and what an operator keeps where: docs/history-proof.md.
from ledger import keys as _keys

from .core import DEBUG
from .environment import _secret_from_env_or_file, env_list, env_str

# The Ed25519 key that signs each chain's head and every checkpoint. The database never holds it.
HISTORY_SIGNING_KEY = _secret_from_env_or_file("HISTORY_SIGNING_KEY")
if not HISTORY_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "HISTORY_SIGNING_KEY (or HISTORY_SIGNING_KEY_FILE) must be set when DEBUG is false: the key "
            "that signs the history; `python manage.py history_keys generate` makes one"
        )
    HISTORY_SIGNING_KEY = _keys.DEVELOPMENT_SEED  # public, marked: development and tests only
elif not DEBUG and HISTORY_SIGNING_KEY.strip() == _keys.DEVELOPMENT_SEED:
    raise ImproperlyConfigured(
        "HISTORY_SIGNING_KEY must not be the public development key when DEBUG is false"
    )
try:
    _keys.parse_private(HISTORY_SIGNING_KEY)
except _keys.BadKey as exc:
    raise ImproperlyConfigured(f"HISTORY_SIGNING_KEY: {exc}") from None
# Public keys of earlier signing keys, still trusted to verify what they signed (rotation).
HISTORY_TRUSTED_KEYS = env_list("HISTORY_TRUSTED_KEYS", [])
if env_str("HISTORY_TRUSTED_KEYS_FILE"):
    try:
        _lines = Path(env_str("HISTORY_TRUSTED_KEYS_FILE")).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ImproperlyConfigured(f"HISTORY_TRUSTED_KEYS_FILE: cannot read it: {exc.strerror}") from None
    HISTORY_TRUSTED_KEYS += [line.split("#")[0].strip() for line in _lines if line.split("#")[0].strip()]
for _key in HISTORY_TRUSTED_KEYS:
    try:
        _keys.parse_public(_key)
    except _keys.BadKey as exc:
        raise ImproperlyConfigured(f"HISTORY_TRUSTED_KEYS: {exc}") from None
# Where every signed checkpoint also goes, outside the database (any, all or none of them):
# a JSON-lines file in an append-only location, a webhook that receives each as a JSON POST, and
# email ("reviewers" for the oversight reviewers, and/or addresses, comma-separated).
HISTORY_CHECKPOINT_FILE = env_str("HISTORY_CHECKPOINT_FILE", "")
HISTORY_CHECKPOINT_WEBHOOK = env_str("HISTORY_CHECKPOINT_WEBHOOK", "")
if HISTORY_CHECKPOINT_WEBHOOK and not HISTORY_CHECKPOINT_WEBHOOK.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"HISTORY_CHECKPOINT_WEBHOOK must start with http:// or https://, not {HISTORY_CHECKPOINT_WEBHOOK!r}"
    )
HISTORY_CHECKPOINT_EMAIL = env_list("HISTORY_CHECKPOINT_EMAIL", [])
for _address in HISTORY_CHECKPOINT_EMAIL:
    if _address != "reviewers" and "@" not in _address:
        raise ImproperlyConfigured(
            f"HISTORY_CHECKPOINT_EMAIL: {_address!r} is neither an email address nor 'reviewers'"
        )
# Without any, checkpoints live in the database only: `check --deploy` warns
# (directives/operations/checks.py).
