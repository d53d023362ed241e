"""The staff pages for directives: my agency's, the list, one directive with its update form, an order.

Each request reads the clock once (``now``) and passes it to everything that asks "overdue?", and
loads a page's rows with ``with_agencies()`` so a page costs the same queries for 10 rows or 10,000.
Writes go through ``directives.actions`` only.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from agencies.access import Access, SignedInRequest, User, access_of, is_reviewer, member_agency_ids
from agencies.models import Agency, Membership
from directives import actions, deadlines
from directives.actions.common import UNSET, Unset
from directives.models import Directive, DirectiveEvent, Involvement, Order
from directives.publishing.export import csv_cell
from directives.queries import (
    DIRECTIVE_SEQUENCE,
    DirectiveFilter,
    Row,
    changes_of,
    filter_form,
    overdue_first,
    permissions,
    provenance,
    request_now,
    rows_of,
    series_rows,
)
from directives.queries.paging import BadPage, Page, PageRequest, paginate

from .event_text import describe_event
from .forms import (
    DecisionForm,
    DirectiveNoteForm,
    DirectiveUpdateForm,
    EventDateForm,
    EvidenceForm,
    ExtensionRequestForm,
    ReviewForm,
)

# Events a directive page shows at a time: a history of 20,000 events renders as fast as one of 20.
HISTORY_PAGE_SIZE = 25


@dataclass
class HistoryPage:
    """One page of a directive's history, newest first, each event with what it changed in words."""

    items: list[tuple[DirectiveEvent, str]]
    before: int | None  # the seq this page starts below; None for the newest page
    older: int | None  # the ``before`` of the next, older page; None on the oldest
    newest_id: int  # the directive's newest event, whichever page this is (0 without one)


def _history(directive: Directive, before: int | None = None) -> HistoryPage:
    """Return a page of ``directive``'s events, newest first, starting below seq ``before``.

    Keyset pagination on the index ``event_directive_seq_idx``: no count and no offset, so a page costs
    the same few queries however long the history.
    """
    events = directive.events.select_related("actor", "agency").order_by("-seq")
    page = list((events if before is None else events.filter(seq__lt=before))[: HISTORY_PAGE_SIZE + 1])
    shown = page[:HISTORY_PAGE_SIZE]
    if before is None:
        newest_id = shown[0].id if shown else 0
    else:
        newest_id = directive.events.order_by("-seq").values_list("id", flat=True).first() or 0
    older = shown[-1].seq if len(page) > HISTORY_PAGE_SIZE else None
    return HistoryPage([(e, describe_event(e)) for e in shown], before, older, newest_id)


def _before(request: HttpRequest) -> int | None:
    """Return the ``before`` of the address (a seq), or raise ``ValueError`` naming it."""
    raw = request.GET.get("before")
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise ValueError("before: must be the whole number of an event in this history (its seq)")
    return int(raw)


def _bad_page(error: BadPage) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(f"{error}\n", content_type="text/plain; charset=utf-8")


@login_required
@require_safe
def my_agency(request: SignedInRequest) -> HttpResponse:
    """List the directives the user's agencies lead, then those they are consulted on, overdue first.

    Each list is paged on its own (``led_page``, ``consulted_page``), so one does not move the other.
    """
    now = request_now(request)
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
    context: dict[str, Any] = {
        "memberships": memberships,
        "agencies": agencies,
        "reviewer": is_reviewer(request.user),
        "now": now,
    }
    if agency_ids:
        try:
            for name, directives in (("led", led), ("consulted", consulted)):
                context[f"{name}_page"] = paginate(
                    overdue_first(directives, now),
                    request.GET,
                    prefix=f"{name}_",
                    shape=lambda page: rows_of(page, now),
                )
        except BadPage as error:
            return _bad_page(error)
    return render(request, "directives/my_agency.html", context)


@login_required
@require_safe
def directive_list(request: HttpRequest) -> HttpResponse:
    """List every directive, filtered as the API filters it (the same parameters), a page at a time.

    The filters and the page are in the address; the rows are the page's only, with one count.
    """
    now = request_now(request)
    filterset = DirectiveFilter(
        request.GET or None,
        # The table shows neither evidence nor the order, parent or series: not read.
        queryset=Directive.objects.with_agencies(evidence=False, relatives=False).order_by(
            *DIRECTIVE_SEQUENCE
        ),
        request=request,
    )
    try:
        page = paginate(filterset.qs, request.GET, shape=lambda directives: rows_of(directives, now))
    except BadPage as error:
        return _bad_page(error)
    form = filter_form(filterset)
    filtered = filterset.is_bound and any(form.cleaned_data.get(name) for name in form.fields)
    return render(
        request,
        "directives/directive_list.html",
        {"form": form, "page": page, "rows": page.items, "filtered": filtered, "now": now},
    )


def _form_for(access: Access, directive: Directive) -> type[DirectiveNoteForm] | None:
    if directive.is_rescinded:  # a revoked duty no longer changes; its history can still take notes
        return DirectiveNoteForm if permissions.can_add_note(access, directive) else None
    if permissions.can_update_status(access, directive):
        return DirectiveUpdateForm
    if permissions.can_add_note(access, directive):
        return DirectiveNoteForm
    return None


def _fresh_form(
    form_class: type[DirectiveNoteForm], directive: Directive, history: HistoryPage
) -> DirectiveNoteForm:
    initial = {"version": actions.version_of(directive), "seen_event": history.newest_id}
    if form_class is DirectiveUpdateForm:
        initial["forecast_on"] = directive.forecast_on
    return form_class(initial=initial, directive=directive)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def directive_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """Show one directive with its history; take its update from the editors who may make one."""
    now = request_now(request)  # the page's one clock reading, before anything is written
    access = Access.of(request.user)  # the page's one reading of the user's rights, carried down
    directive = get_object_or_404(Directive.objects.with_agencies(), pk=pk)
    try:
        before = _before(request)
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    form_class = _form_for(access, directive)
    changed_since: list[tuple[DirectiveEvent, str]] | None = None
    form: DirectiveNoteForm | None
    http_status = 200

    if request.method == "POST":
        if form_class is None:
            permissions.require_add_note(access, directive)  # raises, saying why
            raise PermissionDenied  # unreachable unless permissions disagree with themselves
        if form_class is DirectiveNoteForm and any(
            request.POST.get(name) for name in DirectiveUpdateForm.state_fields
        ):
            permissions.require_update_status(access, directive)  # a forged status change
        form = form_class(request.POST, directive=directive)
        if form.is_valid():
            try:
                event = actions.record_update(
                    directive,
                    actor=request.user,
                    access=access,
                    expected_version=form.cleaned_data["version"],
                    **form.action_kwargs(),
                )
            except actions.StaleVersion:
                # Nothing was written. Show what came after the page the user had, keep their input,
                # and let them submit it again against the current version if it still stands.
                directive = Directive.objects.with_agencies().get(pk=pk)
                history = _history(directive)
                seen = form.cleaned_data["seen_event"] or 0
                newer = directive.events.filter(id__gt=seen).select_related("actor", "agency").order_by("seq")
                changed_since = [(e, describe_event(e)) for e in newer]
                data = request.POST.copy()
                data["version"] = actions.version_of(directive)
                data["seen_event"] = str(history.newest_id)
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
            today = deadlines.local_date(now)
            form.add_errors_not_yet_shown(
                actions.update_errors(directive, today=today, **form.action_kwargs())
            )
            http_status = 400
        if changed_since is None:
            history = _history(directive)
    else:
        history = _history(directive, before)
        form = _fresh_form(form_class, directive, history) if form_class else None

    context = detail_context(access, directive, now, history=history, form=form, changed_since=changed_since)
    return render(request, "directives/directive_detail.html", context, status=http_status)


def detail_context(
    who: User | Access,
    directive: Directive,
    now: dt.datetime,
    *,
    history: HistoryPage | None = None,
    form: DirectiveNoteForm | Unset | None = UNSET,
    changed_since: list[tuple[DirectiveEvent, str]] | None = None,
    **forms: Any,
) -> dict[str, Any]:
    """Return what the directive page shows; ``forms`` replaces the fresh ones (bound, with errors)."""
    access = access_of(who)
    history = _history(directive) if history is None else history
    if isinstance(form, Unset):
        form_class = _form_for(access, directive)
        form = _fresh_form(form_class, directive, history) if form_class else None
    return {
        "directive": directive,
        "row": Row.of(directive, now),
        "history": history.items,
        "history_page": history,
        "history_page_size": HISTORY_PAGE_SIZE,
        "form": form,
        "event_form": _event_date_form(access, directive),
        "changed_since": changed_since,
        "provenance": provenance(directive),
        "series": series_rows(directive, now),
        "evidence_files": list(
            directive.evidence_files.select_related("uploaded_by").order_by("created", "id")
        ),
        "evidence_form": EvidenceForm() if permissions.can_attach_evidence(access, directive) else None,
        "evidence_max_mb": settings.EVIDENCE_MAX_BYTES / 2**20,
        "now": now,
        **oversight_forms(access, directive),
        **forms,
    }


def oversight_forms(who: User | Access, directive: Directive) -> dict[str, Any]:
    """Return the oversight loop's part of the page: the extension requests, and the forms ``who`` may use.

    A reviewer reviews a claim (and decides a pending request); a lead's editor asks for an extension
    while the directive is open, has a deadline and no request is pending.
    """
    requests = list(directive.extension_requests.select_related("requested_by", "decided_by", "agency"))
    pending = next((r for r in requests if r.is_pending), None)
    access = access_of(who)
    reviewer = permissions.can_review(access)
    may_ask = (
        permissions.can_request_extension(access, directive)
        and pending is None
        and directive.is_open
        and directive.due_on is not None
    )
    may_review = reviewer and directive.is_claim and not directive.is_parent
    review_refusal = permissions.own_claim_refusal(access, directive) if may_review else ""
    decision_refusal = (
        permissions.own_request_refusal(access, pending) if reviewer and pending is not None else ""
    )
    return {
        "extension_requests": requests,
        "pending_extension": pending,
        "review_form": (
            ReviewForm(initial={"version": actions.version_of(directive)})
            if may_review and not review_refusal
            else None
        ),
        "review_refusal": review_refusal,
        "decision_refusal": decision_refusal,
        "extension_form": ExtensionRequestForm() if may_ask else None,
        "decision_form": DecisionForm(initial={"request": pending.pk})
        if reviewer and pending is not None and not decision_refusal
        else None,
    }


def _event_date_form(
    access: Access, directive: Directive, data: QueryDict | None = None
) -> EventDateForm | None:
    """Return the form recording the event a deadline counts from, for a lead's editor; else None."""
    if not directive.event_name or directive.series_id is not None or directive.is_rescinded:
        return None
    if not permissions.can_update_status(access, directive):
        return None
    initial = {"version": actions.version_of(directive), "event_on": directive.event_on}
    return EventDateForm(data, initial=initial)


def directive_event_date(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record the date of the event a directive's deadline counts from (its lead's editors only)."""
    access = Access.of(request.user)
    directive = get_object_or_404(Directive.objects.with_agencies(), pk=pk)
    permissions.require_update_status(access, directive)
    form = _event_date_form(access, directive, request.POST)
    if form is None:
        return redirect("directive_detail", pk=pk)  # no event to date: the page says so
    http_status = 400
    if not form.is_valid():
        parsed = form.cleaned_data
        errors = actions.event_date_errors(directive, parsed.get("event_on"), parsed.get("note", ""))
        form.add_errors_not_yet_shown(errors)
    else:
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
    context = detail_context(access, directive, request_now(request), event_form=form)
    return render(request, "directives/directive_detail.html", context, status=http_status)


HISTORY_COLUMNS = ("seq", "created", "kind", "what", "by", "agency", "note", "evidence_url", "hash")


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_safe
def directive_history_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Download a directive's whole history as CSV, oldest first, streamed however long it is."""
    directive = get_object_or_404(Directive.objects.select_related("order"), pk=pk)
    events = directive.events.select_related("actor", "agency").order_by("seq")

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(HISTORY_COLUMNS)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                csv_cell(value)
                for value in (
                    e.seq,
                    e.created.isoformat(),
                    e.kind,
                    describe_event(e),
                    e.actor.get_username() if e.actor else "system",
                    e.agency.abbreviation if e.agency else None,
                    e.note,
                    e.evidence_url,
                    e.hash,
                )
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"eo-{directive.order.number}-{directive.ref}-history.csv".replace("(", "-").replace(")", "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """List the tracked orders, a page at a time; with only one, go straight to it."""
    try:
        page = paginate(Order.objects.order_by("-signed_on", "number"), request.GET, shape=list)
    except BadPage as error:
        return _bad_page(error)
    if page.count == 1 and page.number == 1:
        return redirect("order_detail", number=page.items[0].number)
    return render(request, "directives/order_list.html", {"orders": page.items, "page": page})


# Sections (the tree's top-level nodes, each with its parts and occurrences) an order's page shows at a time.
ORDER_PAGE_SECTIONS = 20


@login_required
@require_safe
def order_detail(request: HttpRequest, number: int) -> HttpResponse:
    """Show an order: its identity, its directives as a tree with their statuses, and its notes.

    The tree is paged by its top-level sections: the order's shape (ids and parents only) is read
    whole, the rows shown (with their agencies) for the page's sections alone.
    """
    now = request_now(request)
    order = get_object_or_404(Order, number=number)
    shape = Directive.objects.filter(order=order).order_by(*DIRECTIVE_SEQUENCE)
    children_ids: dict[int | None, list[int]] = {}
    for pk, parent_id, series_id in shape.values_list("pk", "parent_id", "series_id"):
        # A later occurrence of a recurring directive sits under the first, as a part sits under its section.
        children_ids.setdefault(series_id or parent_id, []).append(pk)
    try:
        sections = PageRequest.of(request.GET, default_size=ORDER_PAGE_SECTIONS)
    except BadPage as error:
        return _bad_page(error)
    roots = children_ids.get(None, [])
    if sections.offset >= len(roots) and sections.number > 1:
        return _bad_page(BadPage("page", f"there is no page {sections.number} of this order's sections"))
    shown_roots = roots[sections.offset : sections.offset + sections.size]
    shown: list[int] = []
    stack = list(reversed(shown_roots))
    while stack:
        pk = stack.pop()
        shown.append(pk)
        stack.extend(reversed(children_ids.get(pk, [])))
    directives = {d.pk: d for d in Directive.objects.with_agencies().filter(pk__in=shown)}

    def nodes(ids: list[int]) -> list[tuple[Row, list[Any]]]:
        return [(Row.of(directives[pk], now), nodes(children_ids.get(pk, []))) for pk in ids]

    made, received = changes_of(order)
    page = Page(items=shown_roots, request=sections, count=len(roots), query=request.GET)
    context = {
        "order": order,
        "tree": nodes(shown_roots),
        "page": page,
        "made": made,
        "received": received,
        "now": now,
    }
    return render(request, "directives/order_detail.html", context)
