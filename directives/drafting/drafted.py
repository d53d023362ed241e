"""What the builder passes along: a directive as drafted, and what a lead-in hands down to its items."""

from __future__ import annotations

from dataclasses import dataclass, field

from directives import deadlines

from . import phrases as ph
from .actors import Actor


@dataclass
class Drafted:
    """A directive (or an amendment of another order's directive) as drafted, before it is written out."""

    ref: str
    title: str
    leads: list[Actor]
    consulted: list[Actor]
    rule: deadlines.Rule
    parent: str
    source: str
    review: list[str]
    paragraphs: list[int]
    sentence: str = ""
    amends: int | None = None
    note: str = ""
    phrase: ph.Phrase | None = None
    lead_in: list[int] = field(default_factory=list)  # the paragraphs whose deadline it took
    also: list[str] = field(
        default_factory=list
    )  # further deadline phrases its rule took ("Thereafter, ...")


@dataclass
class Inherited:
    leads: list[Actor]  # empty: a lead-in that gives only a deadline ("Within 180 days ...:")
    consulted: list[Actor]
    rule: deadlines.Rule
    phrase: ph.Phrase | None
    paragraphs: list[int] = field(default_factory=list)
    # The lead-in ends at its verb ("shall update, as appropriate ...:"): each item is what is done to.
    objects: bool = False
    # The lead-in says what a thing it makes is "to:" do ("shall revise the policy to:"): each item is what
    # the thing does, so a recurrence in an item is the thing's ("provide for review every 4 years").
    purpose: bool = False
