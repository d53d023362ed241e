"""Reading the environment: small typed helpers that refuse what they cannot parse.

Every setting is read through these (a boolean is true or false, a number a whole number, a secret from
the variable or the file ``<NAME>_FILE`` names), so a misspelt value stops the start, not a request."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    """Return the environment variable ``name``, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean environment variable; anything but true/false (any case) is an error."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}")
    return value == "true"


def env_int(name: str, default: int) -> int:
    """Return an integer environment variable, refusing anything that is not a whole number."""
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment variable as a list of non-empty, stripped items."""
    raw = os.environ.get(name, "")
    if raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_seconds(name: str, default: int) -> int:
    """Return a positive number of seconds from the environment."""
    value = env_int(name, default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds, not {value}")
    return value


def _secret_from_env_or_file(name: str) -> str:
    """Return ``name`` from the environment, or the contents of the file ``<name>_FILE`` names."""
    value, path = env_str(name), env_str(f"{name}_FILE")
    if value and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    return value
