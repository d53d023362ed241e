"""Collecting an order file's problems, each naming the item and the field, before any is raised."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from typing import Any

from directives import deadlines

from .specs import UNPLACED_FIELDS


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fields(self, where: str, table: object, spec: dict[str, bool]) -> dict[str, Any]:
        if not isinstance(table, dict):
            self.problems.append(f"{where}: must be a table")
            return {}
        for key in sorted(set(table) - set(spec)):
            self.problems.append(f"{where}.{key}: unknown field")
        for key, required in spec.items():
            if required and key not in table:
                self.problems.append(f"{where}.{key}: missing required field")
        return table

    def text(self, where: str, table: dict[str, Any], key: str, *, required: bool = False) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.problems.append(f"{where}.{key}: must be text, not {type(value).__name__}")
            return ""
        if required and key in table and not value.strip():
            self.problems.append(f"{where}.{key}: must not be empty")
        return value.strip()

    def limited(
        self, where: str, table: dict[str, Any], key: str, limit: int, *, required: bool = False
    ) -> str:
        value = self.text(where, table, key, required=required)
        if len(value) > limit:
            self.problems.append(f"{where}.{key}: must be at most {limit} characters, not {len(value)}")
        return value

    def order_number(self, where: str, table: dict[str, Any], key: str, own: object) -> int:
        value = table.get(key)
        if key not in table:
            return 0
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 < value <= deadlines.MAX_ORDER_NUMBER
        ):
            self.problems.append(f"{where}.{key}: must be an executive order's number, not {value!r}")
            return 0
        if value == own:
            self.problems.append(f"{where}.{key}: {value} is this file's own order")
            return 0
        return value

    def rule(self, where: str, table: dict[str, Any]) -> deadlines.Rule:
        try:
            return deadlines.rule_from_dict(table["deadline"])
        except deadlines.RuleError as exc:
            self.problems.append(f"{where}.{exc}")
            return deadlines.NoDeadline()

    def date(self, where: str, table: dict[str, Any], key: str) -> dt.date | None:
        value = table.get(key)
        if value is None:
            return None
        # TOML has a date type: 2026-06-02 unquoted. A quoted string or a date-time is a mistake.
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.problems.append(
                f"{where}.{key}: must be a date written as YYYY-MM-DD without quotes, not {value!r}"
            )
            return None
        problem = deadlines.date_out_of_range(value)
        if problem:
            self.problems.append(f"{where}.{key}: {problem}")
            return None
        return value

    def agency_list(self, where: str, table: dict[str, Any], key: str, known: set[str]) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.append(f"{where}.{key}: must be a list of agency abbreviations")
            return ()
        for abbr in value:
            if abbr not in known:
                self.problems.append(f"{where}.{key}: unknown agency {abbr!r}")
        if len(set(value)) != len(value):
            self.problems.append(f"{where}.{key}: lists an agency twice")
        return tuple(value)


def _unplaced(check: _Checker, raw_unplaced: Any) -> None:
    """Check the drafter's ``[[unplaced]]`` sentences: notes for the reviewer, never loaded."""
    if not isinstance(raw_unplaced, list):
        check.problems.append("unplaced: must be an array of tables ([[unplaced]])")
        return
    for index, raw in enumerate(raw_unplaced):
        where = f"unplaced[{index}]"
        table = check.fields(where, raw, UNPLACED_FIELDS)
        check.text(where, table, "sentence", required=True)
        check.text(where, table, "reason", required=True)


_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")
_TABLE = re.compile(r"^\s*\[\[?\s*([\w.]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([\w-]+)\s*=\s*(.*?)\s*(#.*)?$")
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def _toml_problem(text: str, exc: tomllib.TOMLDecodeError) -> str:
    """Return the TOML library's complaint, led by the field it is in ("order.signed_on") when known.

    An impossible date (``2026-13-01``) is not TOML at all, so the library names only a line; the
    line's key and the table above it name the field, as every other problem of an order file does.
    """
    found = _TOML_AT.search(str(exc))
    lines = text.splitlines()
    if found is None or not 0 < int(found.group(1)) <= len(lines):
        return f"the file is not valid TOML: {exc}"
    number = int(found.group(1))
    key = _KEY.match(lines[number - 1])
    if key is None:
        return f"the file is not valid TOML: {exc}"
    table, ref, index = "", "", -1
    for line in lines[: number - 1]:
        header = _TABLE.match(line)
        if header is not None:
            array = line.lstrip().startswith("[[")
            if array and header.group(1) != table:
                index = -1
            table, ref = header.group(1), ""
            index += 1 if array else 0
            continue
        field_ = _KEY.match(line)
        if field_ is not None and field_.group(1) == "ref":
            ref = field_.group(2).strip("\"'")
    where = key.group(1)
    if table:
        where = f"{table}[{ref or index}].{where}" if index >= 0 else f"{table}.{where}"
    value = key.group(2)
    if _DATE_LIKE.match(value):
        return f"{where}: {value} is not a real date (YYYY-MM-DD), line {number}"
    return f"{where}: not valid TOML, line {number}: {exc}"
