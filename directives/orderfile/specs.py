"""What an order file holds: its sections and fields, and the specs a valid file reads as."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from directives import deadlines

AGENCY_KINDS = ("department", "component", "committee", "eop_office")
POLICIES = tuple(p.value for p in deadlines.Policy)

# The kinds of presidential document an order file may hold (directives.models.OrderKind); the
# memoranda carry no number of their own.
ORDER_KINDS = ("executive_order", "national_security_memorandum", "presidential_memorandum", "proclamation")
UNNUMBERED_KINDS = ("national_security_memorandum", "presidential_memorandum")
ORDER_FIELDS = {
    "kind": False,
    "number": False,  # required unless the kind is a memorandum (checked below)
    "title": True,
    "signed_on": True,
    "federal_register_citation": False,
    "federal_register_document": False,
    "published_on": False,
    "source_url": False,
    "notes": False,
    "deadline_policy": False,
}
AGENCY_FIELDS = {"abbreviation": True, "name": True, "kind": True, "parent": False}
DIRECTIVE_FIELDS = {
    "ref": True,
    "title": True,
    "summary": False,
    "parent": False,
    "leads": True,
    "consulted": False,
    "deadline": True,
    "source": False,
    "review": False,
}
REVOKE_FIELDS = {"order": True, "directives": False}
AMEND_FIELDS = {
    "order": True,
    "directive": True,
    "deadline": True,
    "note": False,
    "leads": False,
    "consulted": False,
    "source": False,
    "review": False,
}
UNPLACED_FIELDS = {"sentence": True, "reason": True}
SECTIONS = ("order", "agencies", "directives", "revokes", "amends", "unplaced")
# The database's column widths (directives.models.Directive): a longer value would fail at load.
MAX_REF = 30
MAX_TITLE = 300


class OrderFileError(ValueError):
    """The order file is invalid; ``problems`` lists each one, naming the item and the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class OrderInfo:
    number: int
    title: str
    signed_on: dt.date
    federal_register_citation: str = ""
    federal_register_document: str = ""
    published_on: dt.date | None = None
    source_url: str = ""
    notes: str = ""
    deadline_policy: str = deadlines.Policy.LITERAL.value
    kind: str = "executive_order"  # one of ORDER_KINDS; number 0: a memorandum without one


@dataclass(frozen=True)
class AgencySpec:
    abbreviation: str
    name: str
    kind: str
    parent: str = ""


@dataclass(frozen=True)
class DirectiveSpec:
    ref: str
    title: str
    leads: tuple[str, ...]
    rule: deadlines.Rule
    summary: str = ""
    parent: str = ""
    consulted: tuple[str, ...] = ()
    source: str = ""
    review: str = ""


@dataclass(frozen=True)
class RevokeSpec:
    """An earlier order revoked whole (``directives`` empty) or only some of its directives.

    A ref also covers the directives under it: ``"4(b)"`` revokes 4(b), 4(b)(i), ...; ``"5"`` the
    whole of Sec. 5.
    """

    order: int
    directives: tuple[str, ...] = ()


@dataclass(frozen=True)
class AmendSpec:
    """A new deadline (and, when the amending text names them, new agencies) for a directive of an
    earlier order. Relative rules count from the amended order's signing date: inserted text's "the
    date of this order" is that order's."""

    order: int
    directive: str
    rule: deadlines.Rule
    note: str = ""
    leads: tuple[str, ...] = ()
    consulted: tuple[str, ...] = ()
    source: str = ""
    review: str = ""


@dataclass(frozen=True)
class OrderSpec:
    order: OrderInfo
    agencies: tuple[AgencySpec, ...] = ()
    directives: tuple[DirectiveSpec, ...] = field(default_factory=tuple)
    revokes: tuple[RevokeSpec, ...] = ()
    amends: tuple[AmendSpec, ...] = ()
