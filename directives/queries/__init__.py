"""The read side: what the pages, the dashboard, the exports and the API show, and how they filter it.

Everything that reads directives for a person or a script goes through here, so that the All
directives page, the dashboard, the downloads and ``/api/v1/`` cannot disagree:

- **one clock per request** (``request_now``): "overdue?" is asked at one instant per response;
- **one filter set, one vocabulary** (``DirectiveFilter``): ``order`` (an order's number), ``agency``
  (the lead agency, a department including its components), ``involving`` (an agency in any role),
  ``status`` (repeatable), ``overdue`` (``true`` or ``false``), ``due_before``/``due_after``,
  ``search`` and ``ordering``. The API refuses what it does not understand (``api.filters``), the
  pages show the same filters as a form;
- **the rows a list shows** (``Row``) and **the numbers a dashboard counts** (``summarize``), over
  the *trackable* directives: a parent whose status rolls up from its parts is counted through its
  parts, never as one more item.

Nothing here writes; writes go through ``directives.actions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django_filters import rest_framework as filters

from agencies.models import Agency
from directives import deadlines
from directives.models import (
    OPEN,
    REVIEWABLE_STATUSES,
    Directive,
    DirectiveQuerySet,
    ExtensionRequest,
    Involvement,
    Order,
    OrderChange,
    Review,
    Status,
    overdue_q,
    own_overdue_q,
    ref_covers,
)
from uswds.forms import DateInput, UswdsBoundField

# --- The clock ----------------------------------------------------------------------------------------


_NOW = "_orderctl_now"  # where the request keeps its instant


def request_now(request: HttpRequest) -> dt.datetime:
    """Return the instant ``request`` is answered at, reading the clock on the first call only."""
    now: dt.datetime | None = getattr(request, _NOW, None)
    if now is None:
        now = timezone.now()
        setattr(request, _NOW, now)
    return now


# --- What counts ----------------------------------------------------------------------------------------

# The default order of directives, and the tie-breaker after any other: unique, so pages are stable.
DIRECTIVE_SEQUENCE = ("order_id", "position", "ref")

# Completed by the end of the effective due day, or after it, by the date claimed: the deadline chart
# counts with these; the tiles and the scorecard (``summarize``) count on time with ``HONEST_ON_TIME``.
COMPLETED = Q(status=Status.COMPLETED)
COMPLETED_ON_TIME = COMPLETED & Q(completed_on__lte=F("due_on"))
COMPLETED_LATE = COMPLETED & Q(completed_on__gt=F("due_on"))
# Honest outcomes (docs/oversight.md): what a reviewer verified. Editing alone never raises these: every
# change of the claim resets the review to unreviewed.
VERIFIED = Q(review=Review.VERIFIED)
VERIFIED_ON_TIME = COMPLETED_ON_TIME & VERIFIED
VERIFIED_LATE = COMPLETED_LATE & VERIFIED
# The review axis over the claims it reviews (a completion, part of one, not applying).
CLAIMS = Q(status__in=sorted(REVIEWABLE_STATUSES))
FLAGGED = COMPLETED & ~Q(completion_flag="")
# What the numbers count as completed on time on the agency's word: a completion flagged for review
# (recorded long after the date it claims, or back-dated before one recorded earlier) never is; only a
# reviewer's verification counts it (``VERIFIED_ON_TIME``). A late one is late, flagged or not.
HONEST_ON_TIME = COMPLETED_ON_TIME & ~FLAGGED


# --- One filter set -------------------------------------------------------------------------------------

# Dates only as the schema says (ISO 8601): Django's form default would read 02/07/2026 as February 7.
ISO_DATE = "%Y-%m-%d"


class AgencyField(forms.CharField):
    """An agency abbreviation (any case), cleaned to the ids of that agency and its components."""

    def clean(self, value: Any) -> QuerySet[Agency, Any] | None:
        value = super().clean(value)
        if not value:
            return None
        agency = Agency.objects.filter(abbreviation__iexact=value)
        if not agency.exists():
            raise ValidationError(f"Unknown agency {value!r}.")
        return agency.with_components().values("pk")


class OrderNumberField(forms.IntegerField):
    """An executive order's number, cleaned to that order's id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Bounded like an order file's number: past it, the database would refuse the lookup (a 500).
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", deadlines.MAX_ORDER_NUMBER)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> int | None:
        number = super().clean(value)
        if number is None:
            return None
        order_id = Order.objects.filter(number=number).values_list("pk", flat=True).first()
        if order_id is None:
            raise ValidationError(f"Unknown order {number}.")
        return order_id


class AgencyFilter(filters.CharFilter):
    field_class = AgencyField


class OrderNumberFilter(filters.NumberFilter):
    field_class = OrderNumberField  # type: ignore[assignment]  # the stubs say DecimalField; ours is an int


class BooleanChoiceFilter(filters.ChoiceFilter):
    """``true`` or ``false`` and nothing else (django-filter's BooleanFilter ignores other values)."""

    def __init__(self, *args: Any, labels: tuple[str, str] = ("true", "false"), **kwargs: Any) -> None:
        kwargs["choices"] = [("true", labels[0]), ("false", labels[1])]
        super().__init__(*args, **kwargs)


def _overdue_since(now: dt.datetime) -> Case:
    today = deadlines.local_date(now)
    return Case(
        When(due_on__isnull=True, then=Value(None)),
        When(~OPEN | Q(due_on__gte=today), then=Value(today)),
        default=F("due_on"),
    )


class DirectiveOrdering(filters.OrderingFilter):
    """Order by a field, nulls last either way; then in the Order's own sequence, so pages are stable.

    ``days_overdue`` sorts by the date the lateness counts from: the due date while a directive is open
    and past it, today (zero days) otherwise, and nothing when it has no deadline.
    """

    parent: ScopeFilter  # the filter set it belongs to (set by django-filter)

    def filter(self, qs: QuerySet[Any], value: list[str] | None) -> QuerySet[Any]:
        # "ordering=," or "ordering=ref," leave empty items, which mean nothing (and are no field).
        value = [v for v in value or [] if v.removeprefix("-")]
        if not value:
            return qs
        keys: list[OrderBy] = []
        for param in value:
            descending = param.startswith("-")
            name = param.removeprefix("-")
            if name == "days_overdue":
                qs = qs.annotate(overdue_since=_overdue_since(self.parent.now))
                # More days overdue means an earlier date, so the directions swap.
                expression = F("overdue_since")
                descending = not descending
            else:
                expression = F(name)
            keys.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return qs.order_by(*keys, *DIRECTIVE_SEQUENCE)


class ScopeFilter(filters.FilterSet):
    """Which directives: of one order, led by one agency. What the summary and the dashboard count."""

    order = OrderNumberFilter(
        method="filter_order", label="Order", help_text="An executive order's number, e.g. 14409."
    )
    agency = AgencyFilter(
        method="filter_agency",
        label="Lead agency",
        help_text="A lead agency's abbreviation, e.g. CISA; a department includes its components.",
    )

    # What every caller gives: a request's parameters or the dashboard's own (never a plain dict).
    data: QueryDict

    class Meta:
        model = Directive
        fields: list[str] = []

    @property
    def qs(self) -> DirectiveQuerySet:
        """Return the filtered directives, typed: the queryset given is always ``Directive.objects``'."""
        qs = super().qs
        if not isinstance(qs, DirectiveQuerySet):
            raise TypeError(f"{type(self).__name__} filters directives, not {type(qs).__name__}")
        return qs

    @property
    def now(self) -> dt.datetime:
        """Return the request's one instant (or the clock's, without a request)."""
        if self.request is not None:
            return request_now(self.request)
        if not hasattr(self, "_now"):
            self._now = timezone.now()
        return self._now

    def filter_order(self, qs: DirectiveQuerySet, name: str, order_id: int) -> DirectiveQuerySet:
        return qs.filter(order_id=order_id)

    def filter_agency(
        self, qs: DirectiveQuerySet, name: str, agency_ids: QuerySet[Agency]
    ) -> DirectiveQuerySet:
        return qs.led_by(agency_ids)


class DirectiveFilter(ScopeFilter):
    """The directives a list shows: the scope, then by any role, status, deadline, words and order."""

    involving = AgencyFilter(
        method="filter_involving",
        label="Agency in any role",
        help_text="An agency in any role (lead or consulted); a department includes its components.",
    )
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="Repeat for several: ?status=not_started&status=blocked."
    )
    review = filters.MultipleChoiceFilter(
        choices=Review.choices, help_text="The oversight review; repeat for several: ?review=disputed."
    )
    overdue = BooleanChoiceFilter(
        method="filter_overdue",
        labels=("Overdue", "Not overdue"),
        label="Deadline",
        help_text="true: its deadline (or a part's) passed unmet; false: not.",
    )
    due_before = filters.DateFilter(
        field_name="due_on",
        lookup_expr="lte",
        input_formats=[ISO_DATE],
        help_text="Due on or before this date (YYYY-MM-DD).",
    )
    due_after = filters.DateFilter(
        field_name="due_on",
        lookup_expr="gte",
        input_formats=[ISO_DATE],
        help_text="Due on or after this date (YYYY-MM-DD).",
    )
    trackable = BooleanChoiceFilter(
        method="filter_trackable",
        labels=("Tracked items", "Parents with parts"),
        label="Kind of item",
        help_text="true: the tracked items, which summary/ counts (every one but a parent with parts); "
        "false: the parents, which roll up from their parts.",
    )
    search = filters.CharFilter(
        method="filter_search", label="Search", help_text="Words in the ref, title or summary."
    )
    ordering = DirectiveOrdering(
        fields=["due_on", "days_overdue", "ref", "status_changed_at"],
        help_text="due_on, days_overdue, ref or status_changed_at; a leading - reverses; comma-separated.",
    )

    def filter_involving(
        self, qs: DirectiveQuerySet, name: str, agency_ids: QuerySet[Agency]
    ) -> DirectiveQuerySet:
        return qs.filter(
            Exists(Involvement.objects.filter(directive=OuterRef("pk"), agency_id__in=agency_ids))
        )

    def filter_overdue(self, qs: DirectiveQuerySet, name: str, value: str) -> DirectiveQuerySet:
        condition = overdue_q(self.now)
        return qs.filter(condition) if value == "true" else qs.exclude(condition)

    def filter_trackable(self, qs: DirectiveQuerySet, name: str, value: str) -> DirectiveQuerySet:
        tracked = qs.trackable()
        return tracked if value == "true" else qs.exclude(pk__in=tracked.values("pk"))

    def filter_search(self, qs: DirectiveQuerySet, name: str, value: str) -> DirectiveQuerySet:
        for word in value.split():
            qs = qs.filter(Q(ref__icontains=word) | Q(title__icontains=word) | Q(summary__icontains=word))
        return qs


# The filters a page shows as its form, in this order (the API takes them all), and their hints there.
PAGE_FILTERS = ("order", "agency", "involving", "status", "review", "overdue", "search")
# Up to this many orders, the order filter is a list to choose from; beyond, a box for the number (a
# list of 2,000 orders is no help to anyone, and rendering it took most of a page's time).
ORDER_SELECT_LIMIT = 100
PAGE_HELP = {
    "agency": "The agency that owns it; a department includes its components.",
    "involving": "Lead or consulted; a department includes its components.",
    "status": "Any of those ticked; none ticked means every status.",
    "review": "The oversight review of the claim; none ticked means any.",
    "search": "Words in the section, title or summary.",
}


def filter_form(filterset: ScopeFilter, fields: Iterable[str] = PAGE_FILTERS) -> forms.Form:
    """Return ``filterset``'s form dressed for a page: its ``fields`` only, as USWDS selects and boxes.

    The same names and values as the API's parameters, so a page's address is also an API query.
    """
    form = filterset.form
    form.bound_field_class = UswdsBoundField
    agencies = [
        (a.abbreviation, f"{a.abbreviation}: {a.name}") for a in Agency.objects.order_by("abbreviation")
    ]
    orders = list(Order.objects.only("number", "title")[: ORDER_SELECT_LIMIT + 1])
    for name in list(form.fields):
        if name not in fields:
            del form.fields[name]
    widgets = {
        "order": (
            forms.Select(
                choices=[("", "All orders"), *((o.number, f"EO {o.number}: {o.title}") for o in orders)]
            )
            if len(orders) <= ORDER_SELECT_LIMIT
            else forms.NumberInput(attrs={"inputmode": "numeric"})
        ),
        "agency": forms.Select(choices=[("", "All lead agencies"), *agencies]),
        "involving": forms.Select(choices=[("", "Any agency"), *agencies]),
        "status": forms.CheckboxSelectMultiple(choices=Status.choices),
        "review": forms.CheckboxSelectMultiple(choices=Review.choices),
        "overdue": forms.Select(
            choices=[("", "Overdue or not"), ("true", "Overdue"), ("false", "Not overdue")]
        ),
        "due_before": DateInput,
        "due_after": DateInput,
        "search": forms.TextInput,
    }
    css = {forms.Select: "usa-select", forms.CheckboxSelectMultiple: "usa-checkbox__input"}
    for name, field in form.fields.items():
        widget = widgets[name]
        field.widget = widget() if isinstance(widget, type) else widget
        field.widget.attrs.setdefault("class", css.get(type(field.widget), "usa-input"))
        field.help_text = PAGE_HELP.get(name, "")
        if name == "order" and isinstance(field.widget, forms.NumberInput):
            field.help_text = "An executive order's number, e.g. 14409."
    # Bound again, as USWDS fields, if validation bound them already.
    form._bound_fields_cache = {}  # type: ignore[attr-defined]  # Django's private cache: not in the stubs
    return form


# --- Rows -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A directive as a list shows it, with what depends on the request's clock worked out."""

    directive: Directive
    overdue: bool
    days_overdue: int | None
    days_remaining: int | None
    days_late: int | None

    @classmethod
    def of(cls, directive: Directive, now: dt.datetime) -> Row:
        return cls(
            directive=directive,
            overdue=directive.is_overdue(now),
            days_overdue=directive.days_overdue(now),
            days_remaining=directive.days_remaining(now),
            days_late=directive.days_late,
        )


def rows_of(directives: Iterable[Directive], now: dt.datetime) -> list[Row]:
    """Return list rows for ``directives``, in their order."""
    return [Row.of(d, now) for d in directives]


def overdue_first(directives: DirectiveQuerySet, now: dt.datetime) -> DirectiveQuerySet:
    """Return ``directives`` ordered overdue ones first, each group in the Order's own sequence.

    Sorted in the database, so a page of them is a slice: the agency page's order.
    """
    overdue = ExpressionWrapper(overdue_q(now), output_field=BooleanField())
    return directives.alias(overdue_now=overdue).order_by(F("overdue_now").desc(), *DIRECTIVE_SEQUENCE)


# --- The numbers ----------------------------------------------------------------------------------------

NEXT_DEADLINES = 5


def summarize(
    directives: DirectiveQuerySet,
    now: dt.datetime,
    *,
    extra: Mapping[str, Aggregate] | None = None,
    by_due_on: bool = False,
) -> dict[str, Any]:
    """Return the numbers of ``directives``' trackable items at ``now``, in a fixed handful of queries.

    Shaped as ``api.serializers.SummarySerializer``: totals by status and by review, overdue, due soon,
    completed on time or late as claimed and as verified, the claimed completions by review and those
    flagged, a tally per lead agency, and the next deadlines. ``extra`` aggregates ride along in the
    totals' one query (the dashboard's charts), returned under ``"extra"``. With ``by_due_on`` that
    query counts per due date (returned under ``"by_due_on"``, the deadline chart's rows) and the
    totals are their sums: the tiles and the chart from one scan.
    """
    directives = directives.trackable()
    today = deadlines.local_date(now)
    on_time, late = HONEST_ON_TIME, COMPLETED_LATE
    # A trackable directive has no parts: overdue by its own deadline alone, the same answer as
    # overdue_q without a subquery per row.
    overdue = own_overdue_q(now)
    # Open and not yet past its own deadline, due within N days: days_remaining <= N.
    upcoming = OPEN & Q(due_at__gt=now)
    aggregates: dict[str, Aggregate] = {
        "total": Count("pk"),
        "overdue": Count("pk", filter=overdue),
        "due_within_7_days": Count("pk", filter=upcoming & Q(due_on__lte=today + dt.timedelta(days=7))),
        "due_within_30_days": Count("pk", filter=upcoming & Q(due_on__lte=today + dt.timedelta(days=30))),
        "completed_on_time": Count("pk", filter=on_time),
        "completed_late": Count("pk", filter=late),
        "verified_on_time": Count("pk", filter=VERIFIED_ON_TIME),
        "verified_late": Count("pk", filter=VERIFIED_LATE),
        "claimed_complete": Count("pk", filter=COMPLETED),
        "flagged": Count("pk", filter=FLAGGED),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in Status.values},
        **{f"review_{value}": Count("pk", filter=CLAIMS & Q(review=value)) for value in Review.values},
        **{f"complete_{value}": Count("pk", filter=COMPLETED & Q(review=value)) for value in Review.values},
    }
    own = set(aggregates)
    for name, aggregate in (extra or {}).items():
        # An extra may share a name with one of the summary's only if it counts the same thing.
        if aggregates.setdefault(name, aggregate) != aggregate:
            raise ValueError(f"extra {name!r} differs from the summary's own {name!r}")
    by_date: list[Mapping[str, Any]] = []
    if by_due_on:
        by_date = list(directives.order_by().values("due_on").annotate(**aggregates))
        totals = _combined(by_date, aggregates)
    else:
        totals = directives.aggregate(**aggregates)
    extras = {name: totals[name] if name in own else totals.pop(name) for name in extra or {}}
    agencies = (
        directives.filter(involvements__role=Involvement.Role.LEAD)
        .values(abbreviation=F("involvements__agency__abbreviation"), name=F("involvements__agency__name"))
        .annotate(
            led=Count("pk"),
            open=Count("pk", filter=OPEN),
            overdue=Count("pk", filter=overdue),
            completed_on_time=Count("pk", filter=on_time),
            completed_late=Count("pk", filter=late),
        )
        .order_by("abbreviation")
    )
    next_deadlines = (
        directives.filter(upcoming)
        .select_related("order")
        .prefetch_related("involvements__agency")
        .order_by("due_at", *DIRECTIVE_SEQUENCE)[:NEXT_DEADLINES]
    )
    return {
        "as_of": now,
        "today": today,
        "total": totals.pop("total"),
        "by_status": {value: totals.pop(f"status_{value}") for value in Status.values},
        "by_review": {value: totals.pop(f"review_{value}") for value in Review.values},
        # Of the claimed completions: "claimed complete 12, verified 9, disputed 1".
        **{value: totals.pop(f"complete_{value}") for value in Review.values},
        **totals,
        "agencies": list(agencies),
        "next_deadlines": list(next_deadlines),
        "extra": extras,
        "by_due_on": by_date,
    }


def _combined(rows: list[Mapping[str, Any]], aggregates: Mapping[str, Aggregate]) -> dict[str, Any]:
    """Return the totals of per-group ``rows``: a count's is the sum, a minimum's the least value."""
    totals: dict[str, Any] = {}
    for name, aggregate in aggregates.items():
        if isinstance(aggregate, Min):
            values = [row[name] for row in rows if row[name] is not None]
            totals[name] = min(values) if values else None
        elif isinstance(aggregate, Count):
            totals[name] = sum(row[name] for row in rows)
        else:
            raise TypeError(f"{name}: only counts and minimums add up across groups")
    return totals


def pending_extensions(directives: DirectiveQuerySet) -> QuerySet[ExtensionRequest]:
    """Return the pending extension requests of ``directives``, oldest first (what waits longest leads).

    A queryset, so a page slices it and counts it in the database.
    """
    return (
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING, directive__in=directives)
        .select_related("directive__order", "requested_by", "agency")
        .order_by("created", "id")
    )


def worst_first(agencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the summary's per-agency tallies, the agency with the most overdue directives first.

    Ties go to more completed late, then more still open, then the abbreviation.
    """
    return sorted(
        agencies, key=lambda a: (-a["overdue"], -a["completed_late"], -a["open"], a["abbreviation"])
    )


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
