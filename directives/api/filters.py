"""Query parameters of the directive list and the summary (django-filter).

Every parameter is validated: an unknown agency, order, status, date or ordering is a 400 that names
the parameter, and so is a parameter the endpoint does not know, rather than a list that silently
ignores it.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django_filters import rest_framework as filters
from rest_framework import exceptions

from agencies.models import Agency
from directives import deadlines
from directives.models import Directive, Involvement, Order, Status, overdue_q

from .clock import request_now

# The API's default order of directives, and the tie-breaker after any other: unique, so pages are stable.
DIRECTIVE_SEQUENCE = ("order_id", "position", "ref")

# Dates only as the schema says (ISO 8601): Django's form default would read 02/07/2026 as February 7.
ISO_DATE = "%Y-%m-%d"


class AgencyField(forms.CharField):
    """An agency abbreviation (any case), cleaned to the ids of that agency and its components."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        agency = Agency.objects.filter(abbreviation__iexact=value)
        if not agency.exists():
            raise ValidationError(f"Unknown agency {value!r}.")
        return agency.with_components().values("pk")


class OrderNumberField(forms.IntegerField):
    """An executive order's number, cleaned to that order's id."""

    def clean(self, value):
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
    field_class = OrderNumberField


class BooleanChoiceFilter(filters.ChoiceFilter):
    """``true`` or ``false`` and nothing else (django-filter's BooleanFilter ignores other values)."""

    def __init__(self, *args, **kwargs):
        kwargs["choices"] = [("true", "true"), ("false", "false")]
        super().__init__(*args, **kwargs)


class DirectiveOrdering(filters.OrderingFilter):
    """Order by a field, nulls last either way; then in the Order's own sequence, so pages are stable.

    ``days_overdue`` sorts by the date the lateness counts from: the due date while a directive is open
    and past it, today (zero days) otherwise, and nothing when it has no deadline.
    """

    def filter(self, qs, value):
        # "ordering=," or "ordering=ref," leave empty items, which mean nothing (and are no field).
        value = [v for v in value or [] if v.removeprefix("-")]
        if not value:
            return qs
        keys = []
        for param in value:
            descending = param.startswith("-")
            name = param.removeprefix("-")
            if name == "days_overdue":
                qs = qs.annotate(overdue_since=_overdue_since(request_now(self.parent.request)))
                # More days overdue means an earlier date, so the directions swap.
                expression = F("overdue_since")
                descending = not descending
            else:
                expression = F(name)
            keys.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return qs.order_by(*keys, *DIRECTIVE_SEQUENCE)


def _overdue_since(now):
    today = deadlines.local_date(now)
    return Case(
        When(due_on__isnull=True, then=Value(None)),
        When(Q(status=Status.COMPLETED) | Q(due_on__gte=today), then=Value(today)),
        default=F("due_on"),
    )


class ScopeFilter(filters.FilterSet):
    """Which directives: of one order, led by one agency. Shared by the list and the summary."""

    order = OrderNumberFilter(method="filter_order", help_text="An executive order's number, e.g. 14409.")
    agency = AgencyFilter(
        method="filter_agency",
        help_text="A lead agency's abbreviation, e.g. CISA; a department includes its components.",
    )

    class Meta:
        model = Directive
        fields: list[str] = []

    def filter_order(self, qs, name, order_id):
        return qs.filter(order_id=order_id)

    def filter_agency(self, qs, name, agency_ids):
        return qs.led_by(agency_ids)


class DirectiveFilter(ScopeFilter):
    involving = AgencyFilter(
        method="filter_involving",
        help_text="An agency in any role (lead or consulted); a department includes its components.",
    )
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="Repeat for several: ?status=not_started&status=blocked."
    )
    overdue = BooleanChoiceFilter(
        method="filter_overdue", help_text="true: its deadline (or a part's) passed unmet; false: not."
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
    search = filters.CharFilter(method="filter_search", help_text="Words in the ref, title or summary.")
    ordering = DirectiveOrdering(
        fields=["due_on", "days_overdue", "ref", "status_changed_at"],
        help_text="due_on, days_overdue, ref or status_changed_at; a leading - reverses; comma-separated.",
    )

    def filter_involving(self, qs, name, agency_ids):
        return qs.filter(
            Exists(Involvement.objects.filter(directive=OuterRef("pk"), agency_id__in=agency_ids))
        )

    def filter_overdue(self, qs, name, value):
        condition = overdue_q(request_now(self.request))
        return qs.filter(condition) if value == "true" else qs.exclude(condition)

    def filter_search(self, qs, name, value):
        words = value.split()
        for word in words:
            qs = qs.filter(Q(ref__icontains=word) | Q(title__icontains=word) | Q(summary__icontains=word))
        return qs


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, also refusing query parameters that the endpoint does not define.

    Every bad parameter is reported at once, each under its own name.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        known = set(filterset.filters) if filterset is not None else set()
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            known |= {paginator.page_query_param, paginator.page_size_query_param}
        hint = f"Use {', '.join(sorted(known))}." if known else "This endpoint takes no parameters."
        errors = {name: [f"Unknown parameter. {hint}"] for name in sorted(set(request.query_params) - known)}
        if filterset is not None and not filterset.is_valid():
            errors.update({name: list(messages) for name, messages in filterset.errors.items()})
        if errors:
            raise exceptions.ValidationError(errors)
        return filterset.qs if filterset is not None else queryset
