"""The rows a list shows, and where a directive's deadline and standing come from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Q,
)
from django.urls import reverse

from directives import deadlines
from directives.models import (
    Directive,
    DirectiveQuerySet,
    Order,
    OrderChange,
    overdue_q,
    ref_covers,
)

from .filters import DIRECTIVE_SEQUENCE

# --- Rows -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A directive as a list shows it, with what depends on the request's clock worked out."""

    directive: Directive
    overdue: bool
    days_overdue: int | None
    days_remaining: int | None
    days_late: int | None
    link: str  # the directive's page

    @classmethod
    def of(cls, directive: Directive, now: dt.datetime, *, pages: str | None = None) -> Row:
        """Return ``directive``'s row; ``pages`` is where directive pages start (``directive_pages``)."""
        return cls(
            directive=directive,
            overdue=directive.is_overdue(now),
            days_overdue=directive.days_overdue(now),
            days_remaining=directive.days_remaining(now),
            days_late=directive.days_late,
            link=f"{pages or directive_pages()}{directive.pk}/",
        )


def directive_pages() -> str:
    """Return the address directive pages start at: a directive's is this, its id and a slash.

    Reversed once for a list, not once a row (``reverse`` was a tenth of a 100-row page's time).
    """
    return reverse("directive_detail", args=[0]).removesuffix("0/")


def rows_of(directives: Iterable[Directive], now: dt.datetime) -> list[Row]:
    """Return list rows for ``directives``, in their order."""
    pages = directive_pages()
    return [Row.of(d, now, pages=pages) for d in directives]


def overdue_first(directives: DirectiveQuerySet, now: dt.datetime) -> DirectiveQuerySet:
    """Return ``directives`` ordered overdue ones first, each group in the Order's own sequence.

    Sorted in the database, so a page of them is a slice: the agency page's order.
    """
    overdue = ExpressionWrapper(overdue_q(now), output_field=BooleanField())
    return directives.alias(overdue_now=overdue).order_by(F("overdue_now").desc(), *DIRECTIVE_SEQUENCE)


# --- Where a directive's deadline and standing come from ------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """What later orders did to a directive, and what its deadline waits for: its page shows them."""

    revoked_by: list[OrderChange]
    amended_by: list[OrderChange]
    waits_for: Directive | None
    waits_for_ref: str  # as the rule names it, e.g. "4(a) of EO 14144", when that order is not loaded


def provenance(directive: Directive) -> Provenance:
    """Return the revocations and amendments that name ``directive``, and the directive it waits for."""
    ancestors: list[str] = []
    parent = directive.parent
    while parent is not None and len(ancestors) < 20:
        ancestors.append(parent.ref)
        parent = parent.parent
    head = directive.series_head
    changes = list(
        OrderChange.objects.filter(order_number=directive.order.number)
        .select_related("by_order")
        .order_by("pk")
    )
    revoked_by = [c for c in changes if c.kind == OrderChange.Kind.REVOKE and c.covers(directive, ancestors)]
    amended_by = [c for c in changes if c.kind == OrderChange.Kind.AMEND and c.ref == head.ref]
    first = deadlines.first_rule(directive.rule)
    waits_for, named = None, ""
    if isinstance(first, deadlines.AfterDirective):
        number = first.order or directive.order.number
        named = first.directive if number == directive.order.number else f"{first.directive} of EO {number}"
        waits_for = (
            Directive.objects.select_related("order")
            .filter(order__number=number, ref=first.directive)
            .first()
        )
    return Provenance(revoked_by=revoked_by, amended_by=amended_by, waits_for=waits_for, waits_for_ref=named)


def series_rows(directive: Directive, now: dt.datetime) -> list[Row]:
    """Return every occurrence of ``directive``'s series, first to newest; none when it is not recurring."""
    if directive.occurrence is None:
        return []
    head = directive.series_head
    occurrences = (
        Directive.objects.with_agencies().filter(Q(pk=head.pk) | Q(series=head)).order_by("occurrence")
    )
    return rows_of(occurrences, now)


@dataclass(frozen=True)
class ChangeRow:
    """A revocation or amendment as an order's page lists it, with where it stands."""

    change: OrderChange
    target: Order | None  # the order it names, when loaded
    directive: Directive | None  # the directive it names, when found

    @property
    def waiting(self) -> bool:
        return self.target is None

    @property
    def not_found(self) -> bool:
        return self.target is not None and bool(self.change.ref) and self.directive is None


def changes_of(order: Order) -> tuple[list[ChangeRow], list[ChangeRow]]:
    """Return what ``order`` does to other orders, and what later orders do to it."""
    made = list(OrderChange.objects.filter(by_order=order).order_by("position", "pk"))
    received = list(
        OrderChange.objects.filter(order_number=order.number).select_related("by_order").order_by("pk")
    )
    numbers = {c.order_number for c in made} | {order.number}
    orders = {o.number: o for o in Order.objects.filter(number__in=numbers)}
    by_order: dict[int, dict[str, Directive]] = {}
    for d in Directive.objects.select_related("order").filter(order__number__in=numbers, series__isnull=True):
        by_order.setdefault(d.order.number, {})[d.ref] = d

    def row(c: OrderChange) -> ChangeRow:
        refs = by_order.get(c.order_number, {})
        directive = refs.get(c.ref)
        if directive is None and c.ref and c.kind == OrderChange.Kind.REVOKE:
            directive = next((d for ref, d in refs.items() if ref_covers(c.ref, ref)), None)
        return ChangeRow(c, orders.get(c.order_number), directive)

    return [row(c) for c in made], [row(c) for c in received]
