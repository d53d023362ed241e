"""Forms of the staff pages: the directive update form, the note form and the list filter.

They only parse what the browser sent. What may be recorded (dates in the future, a status that is
already set, who may change what) is decided by ``directives.actions``, whose errors the view puts back
on these fields, so the pages and the API give the same answers.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet

from agencies.models import Agency
from uswds.forms import DateInput, UswdsBoundField, UswdsForm

from .models import Directive, Involvement, Order, Status, overdue_q


class DirectiveNoteForm(UswdsForm):
    """A note with an optional evidence link: all an editor of a consulted agency may record."""

    # The version the page was rendered from; the actions layer refuses the write if it moved on.
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The newest event the user had seen, so a stale submission can show exactly what came after it.
    seen_event = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    note = forms.CharField(
        required=False,
        strip=False,  # the actions layer strips and counts; keep what the user typed for a re-render
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happened, in a sentence or two. It is kept in the history for everyone to read.",
    )
    evidence_url = forms.CharField(
        required=False,
        label="Evidence link",
        widget=forms.URLInput,
        help_text="A link to the published guidance, memo or announcement (https://...).",
    )

    #: Fields that change state rather than add to the history; only a lead's editors may send them.
    state_fields: tuple[str, ...] = ()

    def __init__(self, *args, directive: Directive, **kwargs):
        self.directive = directive
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict:
        """Return the keyword arguments for ``actions.record_update`` from the cleaned data."""
        data = self.cleaned_data
        return {"note": data["note"], "evidence_url": data["evidence_url"]}


class DirectiveUpdateForm(DirectiveNoteForm):
    """Everything an editor of a lead agency may record: status, dates, note and evidence."""

    status = forms.ChoiceField(
        required=False,
        choices=[("", "No change"), *Status.choices],
        help_text="Leave on “No change” to record only a note or a new forecast.",
    )
    completed_on = forms.DateField(
        required=False,
        label="Completion date",
        widget=DateInput,
        help_text="Only with the status Completed. Left empty, it is today (Eastern time).",
    )
    forecast_on = forms.DateField(
        required=False,
        label="Forecast completion date",
        widget=DateInput,
        help_text="When your agency expects to finish. Empty it to withdraw the forecast.",
    )

    field_order = ["status", "completed_on", "note", "evidence_url", "forecast_on"]
    state_fields = ("status", "completed_on", "forecast_on")

    def __init__(self, *args, directive: Directive, **kwargs):
        super().__init__(*args, directive=directive, **kwargs)
        if directive.is_parent:
            # A parent's status rolls up from its parts; the actions layer would refuse it anyway.
            del self.fields["status"]
            del self.fields["completed_on"]
        else:
            self.fields["status"].choices = [
                ("", f"No change (now {directive.get_status_display().lower()})"),
                *Status.choices,
            ]

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = super().action_kwargs()
        if data.get("status"):
            kwargs["status"] = data["status"]
        if data.get("completed_on"):
            kwargs["completed_on"] = data["completed_on"]
        forecast: dt.date | None = data.get("forecast_on")
        # Only a changed forecast is a change; an untouched field must not record "unchanged".
        if forecast != self.directive.forecast_on:
            kwargs["forecast_on"] = forecast
        return kwargs


class DirectiveFilter(django_filters.FilterSet):
    """The filters of the directive list, all in the URL so a filtered list can be shared."""

    order = django_filters.ModelChoiceFilter(
        queryset=Order.objects.all(), to_field_name="number", empty_label="All orders"
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(),
        to_field_name="abbreviation",
        method="filter_agency",
        label="Agency (lead or consulted)",
        empty_label="All agencies",
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    overdue = django_filters.ChoiceFilter(
        choices=[("yes", "Overdue"), ("no", "Not overdue")],
        method="filter_overdue",
        label="Deadline",
        empty_label="Overdue or not",
    )

    class Meta:
        model = Directive
        fields = ["order", "agency", "status", "overdue"]

    def __init__(self, *args, now: dt.datetime, **kwargs):
        # The request's one clock reading, so the filter and the rows agree on what is overdue.
        self.now = now
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "usa-select"
        self.form.bound_field_class = UswdsBoundField
        agency = self.form.fields["agency"]
        agency.label_from_instance = lambda a: f"{a.abbreviation}: {a.name}"

    def filter_agency(self, queryset: QuerySet, name: str, value: Agency) -> QuerySet:
        return queryset.filter(Exists(Involvement.objects.filter(directive=OuterRef("pk"), agency=value)))

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = overdue_q(self.now)
        return queryset.filter(condition) if value == "yes" else queryset.exclude(condition)
