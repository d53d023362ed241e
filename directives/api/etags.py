"""A directive's ``ETag`` and the ``If-Match`` check, over the actions layer's version tag."""

from __future__ import annotations

from directives import actions
from directives.models import Directive


def etag_of(directive: Directive) -> str:
    """Return ``directive``'s strong ETag, e.g. ``"3f2a..."`` (quotes included)."""
    return f'"{actions.version_of(directive)}"'


def expected_version(if_match: str | None, directive: Directive) -> str | None:
    """Return the version a write must still find, from the request's ``If-Match`` header.

    None (no header, or ``*``) asks for no check. Otherwise the directive's version as read, when the
    header lists it, else a version no directive has: the write is then refused as stale. The actions
    layer compares again under the row lock, so a change in between is caught too. Weak tags
    (``W/"..."``) never match: If-Match compares strongly (RFC 9110, 13.1.1).
    """
    if if_match is None:
        return None
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return None
    current = actions.version_of(directive)
    listed = {tag.strip('"') for tag in tags if tag and not tag.startswith("W/")}
    return current if current in listed else ""
