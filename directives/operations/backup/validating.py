"""Validating one line of a backup: its keys, and each value as its model's field would take it."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from agencies.models import Agency
from directives import deadlines, history
from directives.models import Directive, DirectiveEvent, Involvement
from ledger import checkpoints
from ledger.models import AccessEvent

from .fileformat import (
    AGENCY_FIELDS,
    CHANGE_FIELDS,
    DIRECTIVE_FIELDS,
    EVENT_FIELDS,
    EVIDENCE_FIELDS,
    EXTENSION_FIELDS,
    HEX64,
    INVOLVEMENT_KEYS,
    KEYS,
    MODELS,
    NOTIFICATION_FIELDS,
    ORDER_FIELDS,
    OVERSIGHT_DIRECTIVE_DEFAULTS,
    Errors,
)


def _clean(model: type[models.Model], name: str, raw: Any) -> Any:
    """Return ``raw`` (parsed JSON) as the value of ``model.name``, or raise ValidationError saying why."""
    f = model._meta.get_field(name)
    if not isinstance(f, models.Field):  # a reverse relation holds no value of a record
        raise TypeError(f"{model.__name__}.{name} is not a field")
    if raw is None:
        if f.null:
            return None
        raise ValidationError("must not be null")
    if isinstance(f, models.BooleanField):
        expected, ok = "true or false", isinstance(raw, bool)
    elif isinstance(f, models.IntegerField):  # also the ids
        expected, ok = "a whole number", isinstance(raw, int) and not isinstance(raw, bool)
    elif isinstance(f, models.JSONField) and name == "deadline":
        try:
            return deadlines.rule_to_json(deadlines.rule_from_json(raw))
        except deadlines.RuleError as exc:
            raise ValidationError(f"must be a deadline rule: {exc}") from None
    elif isinstance(f, models.JSONField):
        expected, ok = "a list of text", isinstance(raw, list) and all(isinstance(v, str) for v in raw)
    else:
        expected, ok = "text", isinstance(raw, str)
    if not ok:
        raise ValidationError(f"must be {expected}, not {json.dumps(raw)[:60]}")
    if f.primary_key:
        if raw < 1:
            raise ValidationError("must be a positive id")
        return raw
    value = f.clean(raw, None)
    if isinstance(f, models.DateTimeField):
        if timezone.is_naive(value):
            raise ValidationError("must be an instant with its offset, e.g. 2026-07-03T04:00:00.000000Z")
    elif isinstance(f, models.DateField) and value.isoformat() != raw:
        raise ValidationError("must be a date as YYYY-MM-DD")
    return value


def upgrade_v2_directive(raw: dict[str, Any]) -> dict[str, Any]:
    """Return a version 2 directive line with its rule as version 3 keeps it (migration 0015's reading)."""
    old = ("deadline_days", "deadline_event", "deadline_ongoing")
    if not set(old) <= set(raw) or "deadline" in raw:
        return raw  # not a version 2 line: validation names what is wrong with it
    days, event, ongoing = (raw[key] for key in old)
    kind = raw.get("deadline_kind")
    rule: dict[str, object]
    if kind == "days_after_order":
        rule = {"kind": kind, "days": days, **({"ongoing": True} if ongoing is True else {})}
    elif kind == "days_from_event":
        rule = {"kind": kind, "days": days, "event": event}
    else:
        rule = {"kind": kind}
    upgraded = {k: v for k, v in raw.items() if k not in old}
    return {**upgraded, "deadline": rule, "occurrence": None, "series": None}


def with_oversight_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """Return a directive line written before the review axis with its keys: nobody reviewed it yet."""
    return {**OVERSIGHT_DIRECTIVE_DEFAULTS, **raw}


def describe(kind: str, raw: dict[str, Any]) -> str:
    """Name a record for an error message, from whatever of its keys are usable."""
    if kind == "agency":
        return f"agency {raw.get('abbreviation')!s}"
    if kind == "order":
        return f"order {raw.get('number')!s}"
    if kind == "directive":
        return f"directive {raw.get('ref')!s} of EO {raw.get('order')!s}"
    if kind == "event":
        return f"event seq {raw.get('seq')!s} of EO {raw.get('order')!s}"
    if kind == "notification":
        return f"notification {raw.get('id')!s}"
    if kind == "change":
        return f"change {raw.get('id')!s} of EO {raw.get('by_order')!s}"
    if kind == "extension":
        return f"extension request {raw.get('id')!s} of {raw.get('directive')!s} in EO {raw.get('order')!s}"
    if kind == "user":
        return f"user {raw.get('id')!s}"
    if kind == "evidence":
        return f"evidence file {raw.get('id')!s} of EO {raw.get('order')!s}"
    if kind == "access":
        return f"access log seq {raw.get('seq')!s}"
    return kind


def validate_line(kind: str, raw: dict[str, Any], number: int, errors: Errors) -> dict[str, object] | None:
    what = describe(kind, raw)
    keys = set(raw) - {"type"}
    if keys != KEYS[kind]:
        for key in sorted(KEYS[kind] - keys):
            errors.add(number, what, key, "is missing")
        for key in sorted(keys - KEYS[kind]):
            errors.add(number, what, key, "is not a field of this record type")
        return None
    if kind in ("user", "access", "checkpoint"):
        return _validate_other(kind, raw, number, what, errors)
    model = MODELS[kind]
    values: dict[str, object] = {}
    ok = True

    def clean(key: str, check: Callable[[Any], object]) -> None:
        nonlocal ok
        try:
            values[key] = check(raw[key])
        except ValidationError as exc:
            ok = False
            errors.add(number, what, key, " ".join(exc.messages))

    def text_or_null(value: object) -> str | None:
        if value is not None and not (isinstance(value, str) and value):
            raise ValidationError("must be non-empty text or null")
        return value

    def whole(value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValidationError("must be a whole number from 1")
        return value

    plain = {
        "agency": AGENCY_FIELDS,
        "order": ORDER_FIELDS,
        "directive": DIRECTIVE_FIELDS,
        "event": EVENT_FIELDS,
        "notification": NOTIFICATION_FIELDS,
        "change": CHANGE_FIELDS,
        "extension": EXTENSION_FIELDS,
        "evidence": EVIDENCE_FIELDS,
    }[kind]
    for key in plain:
        clean(key, functools.partial(_clean, model, key))
    if kind == "agency":
        clean("parent", text_or_null)
    elif kind == "directive":
        clean("order", whole)
        clean("parent", text_or_null)
        clean("series", text_or_null)
        clean("involvements", _involvements)
        if ok and values["completed_on"] is not None and values["status"] != "completed":
            errors.add(number, what, "completed_on", "only a completed directive has a completion date")
            ok = False
        rule = values.get("deadline")
        if ok and isinstance(rule, dict) and values["deadline_kind"] != rule["kind"]:
            errors.add(number, what, "deadline_kind", "must be the kind of the deadline rule")
            ok = False
    elif kind == "change":
        clean("by_order", whole)
    elif kind == "extension":
        clean("order", whole)
        clean("directive", lambda value: _clean(Directive, "ref", value))
        clean("requested_by", whole)
        clean("decided_by", lambda value: None if value is None else whole(value))
        clean("agency", text_or_null)
        requested, current = values.get("requested_due_on"), values.get("current_due_on")
        if ok and isinstance(requested, dt.date) and isinstance(current, dt.date) and requested <= current:
            errors.add(number, what, "requested_due_on", "must be later than current_due_on")
            ok = False
    elif kind == "event":
        clean("order", whole)
        clean("seq", whole)
        clean("directive", lambda value: _clean(Directive, "ref", value))
        clean("actor", lambda value: None if value is None else whole(value))
        clean("agency", lambda value: None if value is None else whole(value))
        clean("created", _canonical_instant)
        for key in ("prev_hash", "hash"):
            clean(key, _hex64)
        clean("signed_from", lambda value: None if value is None else whole(value))
        clean("key_id", lambda value: _text(value, 16))
        clean("signature", lambda value: _text(value, 88))
    elif kind == "notification":
        clean("order", whole)
        clean("directive", lambda value: _clean(Directive, "ref", value))
        clean("event_seq", lambda value: None if value is None else whole(value))
    elif kind == "evidence":
        clean("sha256", _hex64)
        clean("order", whole)
        clean("directive", lambda value: _clean(Directive, "ref", value))
        clean("event_seq", whole)
        clean("uploaded_by", lambda value: None if value is None else whole(value))
    return values if ok else None


def _text(value: object, longest: int) -> str:
    if not isinstance(value, str) or len(value) > longest:
        raise ValidationError(f"must be text of at most {longest} characters")
    return value


def _validate_other(
    kind: str, raw: dict[str, Any], number: int, what: str, errors: Errors
) -> dict[str, object] | None:
    """Validate a user, access log or checkpoint line; return its values, or None after adding errors."""
    before = len(errors.messages)

    def need(key: str, ok: bool, message: str) -> None:
        if not ok:
            errors.add(number, what, key, message)

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1

    values = {k: raw[k] for k in KEYS[kind]}
    if kind == "user":
        need("id", whole(raw["id"]), "must be a whole number from 1")
        try:
            _username(raw["username"])
        except ValidationError as exc:
            errors.add(number, what, "username", " ".join(exc.messages))
    elif kind == "access":
        for key in ("id", "seq"):
            need(key, whole(raw[key]), "must be a whole number from 1")
        for key in ("actor", "subject", "agency", "signed_from"):
            need(key, raw[key] is None or whole(raw[key]), "must be a whole number from 1, or null")
        need("kind", raw["kind"] in AccessEvent.Kind.values, f"{raw['kind']!r} is not a kind of access event")
        need("detail", isinstance(raw["detail"], dict), "must be an object")
        for key in ("prev_hash", "hash"):
            need(
                key,
                isinstance(raw[key], str) and bool(HEX64.fullmatch(raw[key])),
                "must be 64 lowercase hexadecimal digits",
            )
        for key, longest in (("key_id", 16), ("signature", 88)):
            need(
                key,
                isinstance(raw[key], str) and len(raw[key]) <= longest,
                f"must be text of at most {longest} characters",
            )
        try:
            values["created_at"] = _canonical_instant(raw["created"])
        except ValidationError as exc:
            errors.add(number, what, "created", " ".join(exc.messages))
    else:
        error = checkpoints.check({"type": checkpoints.TYPE, **values})
        need("signature", error is None, f"not a valid checkpoint: {error}")
    return values if len(errors.messages) == before else None


def _involvements(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValidationError("must be a list of {agency, role, position}")
    cleaned = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != INVOLVEMENT_KEYS:
            raise ValidationError(f"item {i} must have exactly the keys agency, role and position")
        try:
            cleaned.append(
                {
                    "agency": _clean(Agency, "abbreviation", item["agency"]),
                    "role": _clean(Involvement, "role", item["role"]),
                    "position": _clean(Involvement, "position", item["position"]),
                }
            )
        except ValidationError as exc:
            raise ValidationError(f"item {i}: {' '.join(exc.messages)}") from exc
    return cleaned


def _username(value: object) -> str | None:
    if value is None:
        return None
    user_model = get_user_model()
    username: str = _clean(user_model, user_model.USERNAME_FIELD, value)
    return username


def _canonical_instant(value: object) -> dt.datetime:
    parsed: dt.datetime = _clean(DirectiveEvent, "created", value)
    if history.instant(parsed) != value:
        raise ValidationError("must be the canonical UTC instant, e.g. 2026-07-03T04:00:00.000000Z")
    return parsed


def _hex64(value: object) -> str:
    if not isinstance(value, str) or not HEX64.fullmatch(value):
        raise ValidationError("must be 64 lowercase hexadecimal digits")
    return value
