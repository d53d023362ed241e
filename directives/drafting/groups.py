"""Groups of agencies as subjects: "each FCEB agency", "the heads of all agencies", "agencies maintaining
NSS"."""

from __future__ import annotations

import re

from agencies.catalog import Catalog, CatalogAgency

# A group of agencies as a subject: "each FCEB agency", "the heads of all agencies", "all agency heads".
GROUP = re.compile(
    r"^(?:the\s+)?(?:heads?\s+of\s+)?(?:(?:each|every|all|any)\s+)?(?P<kind>(?:[\w-]+\s+){0,4}?)"
    r"(?:executive\s+)?(?:departments?\s+and\s+agenc(?:y|ies)|agenc(?:y|ies)(?:\s+heads?)?)(?P<rest>.*)$",
    re.IGNORECASE,
)

# An unresolved subject that still names offices: a group the order defines or qualifies ("the heads of
# Federal LEAs", "procuring agencies"): kept as an unknown group, flagged for the reviewer to define.
GROUP_WORDS = re.compile(r"^(?:heads?\s+of\s+\S|(?:[\w-]+\s+){0,4}agencies\b|[A-Z]{2,}s\b)")

# A group of agencies qualified by what its members do or where they are: "the head of each agency
# responsible for operating a high-priority program", "agencies maintaining NSS", "the heads of all
# agencies tasked in this order". Owned by every agency, and flagged so the reviewer can narrow it.
QUALIFIED_GROUP = re.compile(
    r"^(?:the\s+)?(?:heads?\s+of\s+)?(?:(?:each|every|all|any)\s+)?(?:Federal\s+|executive\s+)?"
    r"(?:departments?\s+and\s+agenc(?:y|ies)|agenc(?:y|ies))(?:\s+heads?)?"
    r"\s+(?P<qualifier>(?:that|which|who|whose|with|in|at|on|for|under|responsible|subject|\w+ed|\w+ing)\b.*)$",
    re.IGNORECASE,
)

# An officer that each agency has: "the Senior Sustainability Officer for each agency", "each agency's Chief
# Data Officer".
OFFICER_OF_EACH = re.compile(
    r"^(?:the\s+)?(?:[A-Z][\w-]*\s+){1,5}(?:for|of|at|in)\s+(?:each|every)\s+(?:executive\s+department\s+and\s+)?agency$"
    r"|^(?:each|every)\s+agency[\u2019']s\s+(?:[A-Z][\w-]*\s*){1,5}$"
)

# A group named by what its members do: "procuring agencies", "participating agencies", "covered agencies";
# or the one agency that does it, each time it does: "the notifying agency", "each requesting agency".
ADJECTIVE_GROUP = re.compile(
    r"^(?:(?:the|each|any)\s+)?(?P<qualifier>(?:[a-z]+(?:ing|ed)|lead|member))\s+agenc(?:y|ies)$"
)


def group_of(catalog: Catalog, phrase: str) -> CatalogAgency | None:
    """Return the group a subject names: "each FCEB agency", "all agency heads", "each department and
    agency", "Federal agencies"; an unqualified group of agencies is every agency (``AGENCIES``).

    A group qualified by what its members do ("each agency responsible for ...") is not resolved here:
    ``ActorResolver._resolve`` makes it every agency and ``ActorResolver._segment`` flags it for the
    reviewer to narrow.
    """
    m = GROUP.match(phrase)
    if not m or m.group("rest").strip():
        return None
    kind = m.group("kind").strip()
    if not kind or kind.lower() in {"federal", "executive", "relevant", "appropriate", "other"}:
        return catalog.resolve("each agency")
    return catalog.resolve(f"{kind} agencies")


def qualified_group(catalog: Catalog, phrase: str) -> CatalogAgency | None:
    """Return the group a subject qualified by what its members are or do names: the catalog's group whose
    ``members`` the qualifier names ("agencies maintaining NSS" -> ``NSS-AGENCIES``), else every agency
    (``AGENCIES``, which ``ActorResolver._segment`` flags for the reviewer to narrow); None when ``phrase``
    is no qualified group."""
    qualified = QUALIFIED_GROUP.match(phrase) or ADJECTIVE_GROUP.match(phrase)
    if qualified is None:
        return None
    return catalog.group_of_members(qualified.group("qualifier")) or catalog.resolve("each agency")
