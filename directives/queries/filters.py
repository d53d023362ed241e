"""The one clock per request and the one filter set: the vocabulary every list, export and the API
filter by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Exists,
    F,
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
    Directive,
    DirectiveQuerySet,
    Involvement,
    Order,
    Review,
    Status,
    effective_due_on_expression,
    overdue_q,
)
from uswds.forms import DateInput, Select, UswdsBoundField

# --- The clock ----------------------------------------------------------------------------------------


_NOW = "_orderctl_now"  # where the request keeps its instant


def request_now(request: HttpRequest) -> dt.datetime:
    """Return the instant ``request`` is answered at, reading the clock on the first call only."""
    now: dt.datetime | None = getattr(request, _NOW, None)
    if now is None:
        now = timezone.now()
        setattr(request, _NOW, now)
    return now


# The default order of directives, and the tie-breaker after any other: unique, so pages are stable.
DIRECTIVE_SEQUENCE = ("order_id", "position", "ref")


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
    """Return the date the lateness counts from: a parent's from its earliest open part's due date."""
    today = deadlines.local_date(now)
    return Case(
        When(effective_due__isnull=True, then=Value(None)),
        When(~OPEN | Q(effective_due__gte=today), then=Value(today)),
        default=F("effective_due"),
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
                qs = qs.annotate(effective_due=effective_due_on_expression()).annotate(
                    overdue_since=_overdue_since(self.parent.now)
                )
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
            Select(choices=[("", "All orders"), *((o.number, f"EO {o.number}: {o.title}") for o in orders)])
            if len(orders) <= ORDER_SELECT_LIMIT
            else forms.NumberInput(attrs={"inputmode": "numeric"})
        ),
        "agency": Select(choices=[("", "All lead agencies"), *agencies]),
        "involving": Select(choices=[("", "Any agency"), *agencies]),
        "status": forms.CheckboxSelectMultiple(choices=Status.choices),
        "review": forms.CheckboxSelectMultiple(choices=Review.choices),
        "overdue": Select(choices=[("", "Overdue or not"), ("true", "Overdue"), ("false", "Not overdue")]),
        "due_before": DateInput,
        "due_after": DateInput,
        "search": forms.TextInput,
    }
    css = {Select: "usa-select", forms.CheckboxSelectMultiple: "usa-checkbox__input"}
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
