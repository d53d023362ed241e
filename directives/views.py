"""The staff pages for directives: my agency's, the list, one directive with its update form, an order.

Each request reads the clock once (``now``) and passes it to everything that asks "overdue?", and
loads a page's rows with ``with_agencies()`` so a page costs the same queries for 10 rows or 10,000.
Writes go through ``directives.actions`` only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from agencies.access import SignedInRequest, User, is_reviewer, member_agency_ids
from agencies.models import Agency, Membership

from . import actions, deadlines, permissions
from .actions.common import UNSET, Unset
from .forms import DirectiveNoteForm, DirectiveUpdateForm, EventDateForm, EvidenceForm
from .models import Directive, DirectiveEvent, Involvement, Order, Status
from .queries import (
    DIRECTIVE_SEQUENCE,
    DirectiveFilter,
    Row,
    changes_of,
    filter_form,
    provenance,
    request_now,
    rows_of,
    series_rows,
)


def _day(day: dt.date | None) -> str:
    return deadlines.weekday_date(day) if day else "none"


def describe_event(event: DirectiveEvent) -> str:
    """Return what ``event`` changed, in words, for the history timeline."""
    kind = DirectiveEvent.Kind
    forecast = f"Forecast changed from {_day(event.old_forecast_on)} to {_day(event.new_forecast_on)}."
    if event.kind == kind.FORECAST_CHANGED:
        return forecast
    if event.kind == kind.STATUS_CHANGED:
        text = f"Status changed from {event.get_old_status_display()} to {event.get_new_status_display()}"
        if event.new_status == Status.COMPLETED and event.completed_on:
            text += f", completed on {_day(event.completed_on)}"
        text += "."
    elif event.kind == kind.DEADLINE_EXTENDED:
        text = f"Deadline extended from {_day(event.old_due_on)} to {_day(event.new_due_on)}."
    elif event.kind in (kind.DEADLINE_SET, kind.EVENT_DATED):
        text = f"{event.get_kind_display()}: due {_day(event.new_due_on)}."
    elif event.kind == kind.AMENDED and event.old_due_on != event.new_due_on:
        moved = f"from {_day(event.old_due_on)} to {_day(event.new_due_on)}"
        text = f"Amended by a later order: deadline moved {moved}."
    else:
        text = f"{event.get_kind_display()}."
    # One update may change the status and the forecast together; say both.
    if event.old_forecast_on != event.new_forecast_on:
        text += f" {forecast}"
    return text


def _history(directive: Directive) -> list[tuple[DirectiveEvent, str]]:
    """Return ``directive``'s events, newest first, each with what it changed in words."""
    events = directive.events.select_related("actor", "agency")
    return [(e, describe_event(e)) for e in events]


@login_required
@require_safe
def my_agency(request: SignedInRequest) -> HttpResponse:
    """List the directives the user's agencies lead, then those they are consulted on, overdue first."""
    now = timezone.now()
    memberships = list(Membership.objects.filter(user=request.user).select_related("agency"))
    # A department includes its components (DHS sees what CISA leads).
    agency_ids = member_agency_ids(request.user)
    agencies = list(Agency.objects.filter(id__in=agency_ids))
    directives = Directive.objects.with_agencies()
    led = directives.led_by(agency_ids)
    consulted = directives.filter(
        Exists(
            Involvement.objects.filter(
                directive=OuterRef("pk"), role=Involvement.Role.CONSULTED, agency_id__in=agency_ids
            )
        )
    ).exclude(pk__in=led.values("pk"))
    context = {
        "memberships": memberships,
        "agencies": agencies,
        "led_rows": rows_of(led, now, overdue_first=True) if agency_ids else [],
        "consulted_rows": rows_of(consulted, now, overdue_first=True) if agency_ids else [],
        "reviewer": is_reviewer(request.user),
        "now": now,
    }
    return render(request, "directives/my_agency.html", context)


@login_required
@require_safe
def directive_list(request: HttpRequest) -> HttpResponse:
    """List every directive, filtered as the API filters it (the same parameters), from the address."""
    now = request_now(request)
    filterset = DirectiveFilter(
        request.GET or None,
        queryset=Directive.objects.with_agencies().order_by(*DIRECTIVE_SEQUENCE),
        request=request,
    )
    rows = rows_of(filterset.qs, now)
    form = filter_form(filterset)
    filtered = filterset.is_bound and any(form.cleaned_data.get(name) for name in form.fields)
    return render(
        request,
        "directives/directive_list.html",
        {"form": form, "rows": rows, "filtered": filtered, "now": now},
    )


def _form_for(user: User, directive: Directive) -> type[DirectiveNoteForm] | None:
    if directive.is_rescinded:  # a revoked duty no longer changes; its history can still take notes
        return DirectiveNoteForm if permissions.can_add_note(user, directive) else None
    if permissions.can_update_status(user, directive):
        return DirectiveUpdateForm
    if permissions.can_add_note(user, directive):
        return DirectiveNoteForm
    return None


def _fresh_form(
    form_class: type[DirectiveNoteForm], directive: Directive, history: list[tuple[DirectiveEvent, str]]
) -> DirectiveNoteForm:
    initial = {
        "version": actions.version_of(directive),
        "seen_event": max((e.id for e, _ in history), default=0),
    }
    if form_class is DirectiveUpdateForm:
        initial["forecast_on"] = directive.forecast_on
    return form_class(initial=initial, directive=directive)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def directive_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """Show one directive with its history; take its update from the editors who may make one."""
    request_now(request)  # the page's one clock reading, before anything is written
    directive = get_object_or_404(Directive.objects.with_agencies(), pk=pk)
    form_class = _form_for(request.user, directive)
    changed_since: list[tuple[DirectiveEvent, str]] | None = None
    form: DirectiveNoteForm | None
    http_status = 200

    if request.method == "POST":
        if form_class is None:
            permissions.require_add_note(request.user, directive)  # raises, saying why
            raise PermissionDenied  # unreachable unless permissions disagree with themselves
        if form_class is DirectiveNoteForm and any(
            request.POST.get(name) for name in DirectiveUpdateForm.state_fields
        ):
            permissions.require_update_status(request.user, directive)  # a forged status change
        form = form_class(request.POST, directive=directive)
        if form.is_valid():
            try:
                event = actions.record_update(
                    directive,
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    **form.action_kwargs(),
                )
            except actions.StaleVersion:
                # Nothing was written. Show what came after the page the user had, keep their input,
                # and let them submit it again against the current version if it still stands.
                directive = Directive.objects.with_agencies().get(pk=pk)
                history = _history(directive)
                seen = form.cleaned_data["seen_event"] or 0
                changed_since = [item for item in reversed(history) if item[0].id > seen]
                data = request.POST.copy()
                data["version"] = actions.version_of(directive)
                data["seen_event"] = str(history[0][0].id if history else 0)
                form = form_class(data, directive=directive)
                form.is_valid()
                http_status = 409
            except ValidationError as error:
                form.add_action_errors(error)
                http_status = 400
            else:
                messages.success(request, f"Recorded for {directive.ref}: {describe_event(event)}")
                return redirect("directive_detail", pk=directive.pk)
        else:
            http_status = 400
        if changed_since is None:
            history = _history(directive)
    else:
        history = _history(directive)
        form = _fresh_form(form_class, directive, history) if form_class else None

    context = detail_context(request, directive, history=history, form=form, changed_since=changed_since)
    return render(request, "directives/directive_detail.html", context, status=http_status)


def detail_context(
    request: SignedInRequest,
    directive: Directive,
    *,
    history: list[tuple[DirectiveEvent, str]] | None = None,
    form: DirectiveNoteForm | Unset | None = UNSET,
    event_form: EventDateForm | Unset | None = UNSET,
    changed_since: list[tuple[DirectiveEvent, str]] | None = None,
    evidence_form: EvidenceForm | None = None,
) -> dict[str, Any]:
    """Return the directive page's context; a form not given is the fresh one the user may fill in."""
    now = request_now(request)
    history = _history(directive) if history is None else history
    if isinstance(form, Unset):
        form_class = _form_for(request.user, directive)
        form = _fresh_form(form_class, directive, history) if form_class else None
    if evidence_form is None and permissions.can_attach_evidence(request.user, directive):
        evidence_form = EvidenceForm()
    return {
        "directive": directive,
        "row": Row.of(directive, now),
        "history": history,
        "form": form,
        "event_form": _event_date_form(request.user, directive)
        if isinstance(event_form, Unset)
        else event_form,
        "changed_since": changed_since,
        "provenance": provenance(directive),
        "series": series_rows(directive, now),
        "evidence_files": list(
            directive.evidence_files.select_related("uploaded_by").order_by("created", "id")
        ),
        "evidence_form": evidence_form,
        "evidence_max_mb": settings.EVIDENCE_MAX_BYTES / 2**20,
        "now": now,
    }


def _event_date_form(user: User, directive: Directive, data: QueryDict | None = None) -> EventDateForm | None:
    """Return the form recording the event a deadline counts from, for a lead's editor; else None."""
    if not directive.event_name or directive.series_id is not None or directive.is_rescinded:
        return None
    if not permissions.can_update_status(user, directive):
        return None
    initial = {"version": actions.version_of(directive), "event_on": directive.event_on}
    return EventDateForm(data, initial=initial)


@login_required
@require_http_methods(["POST"])
def directive_event_date(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record the date of the event a directive's deadline counts from (its lead's editors only)."""
    directive = get_object_or_404(Directive.objects.with_agencies(), pk=pk)
    permissions.require_update_status(request.user, directive)
    form = _event_date_form(request.user, directive, request.POST)
    if form is None:
        return redirect("directive_detail", pk=pk)  # no event to date: the page says so
    http_status = 400
    if form.is_valid():
        try:
            event = actions.set_event_date(
                directive,
                form.cleaned_data["event_on"],
                actor=request.user,
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except actions.StaleVersion:
            form.add_error(
                None, "Someone changed this directive after you opened the page: nothing was saved."
            )
            http_status = 409
        except ValidationError as error:
            form.add_action_errors(error)
        else:
            messages.success(request, f"Recorded for {directive.ref}: {describe_event(event)}")
            return redirect("directive_detail", pk=pk)
    context = detail_context(request, directive, event_form=form)
    return render(request, "directives/directive_detail.html", context, status=http_status)


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """List the tracked orders; with only one, go straight to it."""
    orders = list(Order.objects.all())
    if len(orders) == 1:
        return redirect("order_detail", number=orders[0].number)
    return render(request, "directives/order_list.html", {"orders": orders})


@login_required
@require_safe
def order_detail(request: HttpRequest, number: int) -> HttpResponse:
    """Show an order: its identity, its directives as a tree with their statuses, and its notes."""
    now = timezone.now()
    order = get_object_or_404(Order, number=number)
    directives = list(Directive.objects.with_agencies().filter(order=order))
    children: dict[int | None, list[Directive]] = {}
    for d in directives:
        # A later occurrence of a recurring directive sits under the first, as a part sits under its section.
        children.setdefault(d.series_id or d.parent_id, []).append(d)

    def nodes(parent_id: int | None) -> list[tuple[Row, list[Any]]]:
        return [(Row.of(d, now), nodes(d.pk)) for d in children.get(parent_id, [])]

    made, received = changes_of(order)
    context = {"order": order, "tree": nodes(None), "made": made, "received": received, "now": now}
    return render(request, "directives/order_detail.html", context)
