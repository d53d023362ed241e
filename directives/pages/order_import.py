"""The import page, for order managers: an order's text in, its directives tracked.

Upload or paste the text (with the number, signing date or title the text may lack); the drafter drafts
it; the page shows the text with each drafted directive highlighted in it, the unsure ones marked, beside
a form per directive where the leads, consulted agencies, deadline, section and title can be corrected.
Then load it (``actions.load_order``, after the validation every order file gets: each problem at its
field, nothing written on any) or download the order file. Server-rendered forms only: it works without
JavaScript. Who may: the "order manager" permission (``directives.manage_orders``) or a superuser.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from agencies.access import SignedInRequest
from directives import actions
from directives.drafting import Draft, DraftedDirective
from directives.models import Order, OrderKind
from directives.queries import permissions

from .import_forms import DirectiveDraftForm, OrderTextForm
from .import_review import (
    corrected,
    directive_forms,
    drafted_index,
    due_text,
    load_problems,
    segments,
    unplaced_of,
)

ACTIONS = ("draft", "add", "check", "load", "download")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def order_import(request: SignedInRequest) -> HttpResponse:
    """Draft an order from its text, show the draft for correction, then load it or download its file."""
    permissions.require_manage_orders(request.user)
    if request.method != "POST":
        return render(request, "directives/order_import.html", {"text_form": OrderTextForm()})
    action = request.POST.get("action", "draft")
    text_form = OrderTextForm(request.POST, request.FILES)
    result = text_form.draft() if text_form.is_valid() else None
    if result is None or action not in ACTIONS:
        if result is not None:
            text_form.add_error(None, f"Unknown action {action!r}: draft, add, check, load or download.")
        return render(request, "directives/order_import.html", {"text_form": text_form}, status=400)
    if action == "draft" or "d-TOTAL_FORMS" not in request.POST:
        return _review(request, result, text_form, directive_forms(result), [])
    if action == "add":
        formset = directive_forms(result, request.POST, add=True)
        status = 200 if formset.management_form.is_valid() else 400
        return _review(request, result, text_form, formset, [], status=status)
    formset = directive_forms(result, request.POST)
    if not formset.management_form.is_valid():
        return _review(request, result, text_form, formset, [], status=400)
    formset.full_clean()
    for form in formset.forms:
        index = form.cleaned_data.get("index")
        if index is not None and index >= len(result.directives):
            form.add_error(None, "This form names no directive of the draft: draft the text again.")
    # The order file is checked with the fields, refused or not: one submit shows every error.
    fixed = corrected(result, text_form, formset)
    if fixed.spec is None:
        return _review(request, result, text_form, formset, fixed.problems, status=400)
    if action == "download":
        response = HttpResponse(fixed.toml, content_type="application/toml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="eo-{fixed.spec.order.number}.toml"'
        return response
    if action == "check":
        return _review(request, result, text_form, formset, [], checked=True)
    try:
        order, report = actions.load_order(fixed.spec, actor=request.user)
    except ValidationError as error:
        problems = load_problems(error, text_form, formset)
        return _review(request, result, text_form, formset, problems, status=400)
    messages.success(request, f"Loaded {order}: {report.summary()}.")
    return redirect("order_detail", number=order.number)


@dataclass(frozen=True)
class Row:
    """One directive's form on the page, with what the drafter drafted (None for one added)."""

    form: DirectiveDraftForm
    drafted: DraftedDirective | None
    index: int | None  # in the draft
    anchor: str  # the form's id, which the text's labels and the list of what to check link to
    due: str  # the rule in words and the date it gives


def _review(
    request: SignedInRequest,
    result: Draft,
    text_form: OrderTextForm,
    formset: BaseFormSet[DirectiveDraftForm],
    problems: list[str],
    *,
    status: int = 200,
    checked: bool = False,
) -> HttpResponse:
    """Render the draft beside its text, each directive's form with its rule in words."""
    signed_on = result.order.signed_on
    rows: list[Row] = []
    for position, form in enumerate(formset.forms):
        index = drafted_index(result, form)
        drafted = result.directives[index] if index is not None else None
        valid_rule = form.is_bound and hasattr(form, "cleaned_data") and "rule" in form.cleaned_data
        rule = form.cleaned_data["rule"] if valid_rule else drafted.rule if drafted else None
        anchor = f"directive-{index}" if index is not None else f"directive-added-{position}"
        rows.append(Row(form, drafted, index, anchor, due_text(rule, signed_on) if rule else ""))
    # What the reviewer must look at comes first: the directives the drafter was unsure of (each with
    # why), then the others as drafted, then those the reviewer added.
    rows.sort(key=lambda row: (row.drafted is None, not (row.drafted and row.drafted.review)))
    unplaced = unplaced_of(result)
    # The drafter's notes that no directive's form shows: on the whole order, or on its amendments.
    shown = {f"{d.ref}: {d.review}" for d in result.directives if d.review}
    notes = [flag for flag in result.flags if flag not in shown]
    context = {
        "text_form": text_form,
        "formset": formset,
        "rows": rows,
        "draft": result,
        # "Presidential Memorandum 99200": the kind the drafter read, and the number given or read.
        "document": f"{OrderKind(result.order.kind).label} {result.order.number or ''}".strip(),
        "segments": segments(result, unplaced),
        "to_review": [row for row in rows if row.drafted and row.drafted.review],
        "unplaced": unplaced,
        "notes": notes,
        "loaded": Order.objects.filter(number=result.order.number).first(),
        "problems": problems,
        "checked": checked and status == 200,
    }
    return render(request, "directives/order_import_review.html", context, status=status)
