"""The API's one parser: JSON, refused with a 400 in the one error shape when nested too deeply."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# An update is a flat object; nothing the API accepts nests more than a level or two. Python's JSON
# decoder recurses once per level and gives up with a RecursionError at about a thousand.
MAX_DEPTH = 20
TOO_DEEP = f"JSON parse error - the body is nested more than {MAX_DEPTH} levels deep."


def nesting_depth(value: object, limit: int = MAX_DEPTH) -> int:
    """Return how deeply ``value`` nests lists and objects (a scalar is 0), counting at most to ``limit`` + 1.

    Iterative, so that measuring a deep document cannot itself exhaust the stack.
    """
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser that answers a deeply nested body with a 400 instead of a RecursionError (500)."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
