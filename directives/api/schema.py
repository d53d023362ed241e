"""OpenAPI additions that drf-spectacular cannot infer: the one error shape on every operation."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "Field (or `detail`, or `non_field_errors`) -> messages.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"status": ['"done" is not a valid choice.']},
}

# Every operation can answer these (a list 404s past its last page); only a write answers 412, 413, 415.
ERRORS = {
    "400": "Bad input: unknown or malformed parameters or fields. Nothing was written.",
    "401": "No or invalid credentials (`Authorization: Token <key>` or a session).",
    "403": "Not allowed; the message says why.",
    "404": "No such object or page.",
    "412": "`If-Match` no longer matches: someone changed the directive. Nothing was written.",
    "413": "The body is larger than the API accepts. Nothing was written.",
    "415": "The body is not JSON (`Content-Type: application/json`).",
    "429": "Too many requests for this token; retry after `Retry-After` seconds.",
}


def add_error_responses(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """Document the error responses each operation can give, all in the ``Error`` shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = ["400", "401", "403", "404", "429"]
            if method == "post":
                codes += ["412", "413", "415"]
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": ERRORS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result
