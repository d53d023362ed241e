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


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_TABLE = re.compile(r"^\s*(\[\[?)\s*([\w.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([\w-]+)\s*=\s*(.*?)\s*(#.*)?$")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?![\d:T])")
# The inline-table tokens that place a value: a quoted string (skipped), a key and its "=", a brace.
_INLINE = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|([\w-]+)\s*=|([{}])')
# What names an entry of each array of tables, as the problems found after parsing name it.
_NAMED_BY = {"directives": ("ref",), "agencies": ("abbreviation",), "revokes": ("order",),
             "amends": ("order", "directive")}  # fmt: skip


def _toml_problem(text: str, exc: tomllib.TOMLDecodeError) -> str:
    """Return the TOML library's complaint, led by the field it is in ("order.signed_on") when known.

    An impossible date (``2026-13-01``) is not TOML at all, so the library names only a line and a
    column; the key there (inside an inline table, its path: ``deadline.first.date``), the entry of
    the array of tables above it (by its ref, as every other problem names it) and the sub-table name
    the field: "directives[2(a)].deadline.date: 2026-02-30 is not a real date (YYYY-MM-DD), line 10".
    """
    found = _TOML_AT.search(str(exc))
    lines = text.splitlines()
    if found is None or not 0 < int(found.group(1)) <= len(lines):
        return f"the file is not valid TOML: {exc}"
    number, column = int(found.group(1)), int(found.group(2))
    line = lines[number - 1]
    key = _KEY.match(line)
    if key is None:
        return f"the file is not valid TOML: {exc}"
    where = ".".join(filter(None, (_table_at(lines[: number - 1]), key.group(1))))
    date = _date_at(line, column - 1)
    if date is None:
        return f"{where}: not valid TOML, line {number}: {exc}"
    inner = _inline_path(line[key.end(1) : date.start()])
    return f"{'.'.join([where, *inner])}: {date.group()} is not a real date (YYYY-MM-DD), line {number}"


def _table_at(lines: list[str]) -> str:
    """Return the table the next line is in: "order", "directives[2(a)]", "directives[4].deadline"."""
    array, index, table = "", -1, ""
    names: list[str] = []
    for line in lines:
        header = _TABLE.match(line)
        if header is not None:
            name = header.group(2)
            if header.group(1) == "[[":
                index = index + 1 if name == array else 0
                array, names, table = name, [], ""
            elif array and name.startswith(array + "."):
                table = name[len(array) + 1 :]  # a sub-table of the entry: [directives.deadline]
            else:
                array, table = "", name
            continue
        field_ = _KEY.match(line)
        if array and not table and field_ is not None and field_.group(1) in _NAMED_BY.get(array, ()):
            names.append(field_.group(2).strip("\"'"))
    if not array:
        return table
    entry = f"{array}[{' '.join(names) or index}]"
    return f"{entry}.{table}" if table else entry


def _date_at(line: str, at: int) -> re.Match[str] | None:
    """Return the date-like value the library stopped at (column ``at``), else the first impossible one."""
    dates = list(_DATE_LIKE.finditer(line))
    for date in dates:
        if date.start() <= at <= date.end():
            return date
    return next((d for d in dates if not _real_date(d.group())), None)


def _real_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _inline_path(before: str) -> list[str]:
    """Return the keys leading to a value inside an inline table, from the text before it."""
    path: list[str] = []
    pending = ""
    for token in _INLINE.finditer(before):
        key, brace = token.group(1), token.group(2)
        if key:
            pending = key
        elif brace == "{":
            path.append(pending)
            pending = ""
        elif brace == "}" and path:
            path.pop()
    return [*path[1:], pending] if path else []
