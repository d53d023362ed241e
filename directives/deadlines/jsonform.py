"""A rule as JSON holds it (a database column, the API, a backup): its dates as ISO text.

An order file (TOML) writes dates as dates; JSON has none, so ``date`` and ``until`` travel as
``YYYY-MM-DD`` text and are read back into dates before ``rule_from_dict`` checks the rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .reading import rule_from_dict
from .rules import Rule, RuleError

# Keys whose value is a date: TOML writes them as dates, JSON (a database column, the API) as text.
_DATE_KEYS = ("date", "until")


def rule_to_json(rule: Rule) -> dict[str, Any]:
    """Return ``rule.as_dict()`` with its dates as ISO text, for a JSON column or the API."""

    def plain(data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: plain(value)
            if isinstance(value, dict)
            else value.isoformat()
            if key in _DATE_KEYS
            else value
            for key, value in data.items()
        }

    return plain(rule.as_dict())


def rule_from_json(data: object, *, where: str = "deadline") -> Rule:
    """Return the rule ``rule_to_json`` wrote; raise ``RuleError`` naming the key (as ``rule_from_dict``)."""

    # Parsed JSON of any shape: rule_from_dict checks that what comes back is a table.
    def dated(value: Any, at: str) -> Any:
        if not isinstance(value, dict):
            return value
        result = {}
        for key, item in value.items():
            if key in _DATE_KEYS and isinstance(item, str):
                try:
                    item = dt.date.fromisoformat(item)
                except ValueError:
                    raise RuleError(f"{at}.{key}: {item!r} is not a date written YYYY-MM-DD") from None
            result[key] = dated(item, f"{at}.{key}") if key == "first" else item
        return result

    return rule_from_dict(dated(data, where), where=where)
