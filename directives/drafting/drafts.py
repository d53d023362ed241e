"""What the drafter returns: a drafted order and its directives, as the review page and the writer read them.

Apart from ``draft`` (which makes them) so that the writer, below it, can name the type without a cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from directives import deadlines
from directives.orderfile import AgencySpec, OrderInfo, RevokeSpec

from .unplaced import Unplaced


@dataclass(frozen=True)
class DraftedDirective:
    ref: str
    title: str
    leads: tuple[str, ...]
    consulted: tuple[str, ...]
    rule: deadlines.Rule
    parent: str
    source: str
    review: str
    start: int  # offsets of the directive's text in ``Draft.text``
    end: int
    due_on: dt.date | None


@dataclass(frozen=True)
class DraftedAmend:
    order: int
    directive: str
    rule: deadlines.Rule
    note: str
    leads: tuple[str, ...]
    consulted: tuple[str, ...]
    source: str
    review: str
    start: int
    end: int
    due_on: dt.date | None  # counted from the amended order's signing date, when the text gives it


@dataclass(frozen=True)
class Draft:
    """A drafted order: spec-like fields, the TOML text, spans into the normalized text, review flags."""

    text: str
    format: str
    order: OrderInfo
    agencies: tuple[AgencySpec, ...]
    directives: tuple[DraftedDirective, ...]
    revokes: tuple[RevokeSpec, ...]
    amends: tuple[DraftedAmend, ...]
    flags: tuple[str, ...]
    other_orders: dict[int, dt.date]
    toml: str
    # Sentences with a deadline-like phrase that no directive carries, each with the reason.
    unplaced: tuple[Unplaced, ...] = ()
