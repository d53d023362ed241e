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
    layer compares again under the row lock, so a change in between is caught too.

    A weak tag (``W/"..."``) matches too. RFC 9110 (13.1.1) has If-Match compare strongly because a
    strong tag usually names a representation's bytes; ours names the directive's version, the same for
    every encoding of it, and a proxy that compresses the response (nginx's gzip) turns it weak on the
    way. Refusing that tag would refuse every client behind such a proxy while guarding nothing.
    """
    if if_match is None:
        return None
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return None
    current = actions.version_of(directive)
    return current if current in _versions(tags) else ""


def _versions(tags: list[str]) -> set[str]:
    """Return the versions ``tags`` name, weak or strong."""
    return {tag.removeprefix("W/").strip('"') for tag in tags if tag}


def not_modified(if_none_match: str | None, directive: Directive) -> bool:
    """Return whether the request's ``If-None-Match`` lists the directive's current tag: answer 304.

    If-None-Match compares weakly (RFC 9110, 13.1.2), so ``W/"..."`` and ``"..."`` both match.
    """
    if if_none_match is None:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or actions.version_of(directive) in _versions(tags)
