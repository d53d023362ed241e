"""The oversight loop's forms on the directive page: a review, an extension request, a decision.

The directive page (``directive_page``) hands each of them the POST that names it, so a form is
sent to the page's own address and shown again there. Each checks who may act before it reads the
input (a 403 saying why), calls the action, and on bad input shows the directive page again with
the errors at their fields (a 400, nothing written).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from agencies.access import Access, SignedInRequest
from directives import actions
from directives.models import Directive, ExtensionRequest, Review
from directives.queries import permissions

from .forms import DecisionForm, ExtensionRequestForm, ReviewForm
from .views import detail_context


def _again(
    request: SignedInRequest, access: Access, directive: Directive, status: int = 400, **forms: Any
) -> HttpResponse:
    """Show the directive page again with the bound ``forms`` and their errors."""
    context = detail_context(access, directive, timezone.now(), **forms)
    return render(request, "directives/directive_detail.html", context, status=status)


def directive_review(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record an oversight reviewer's verdict on the directive's claim."""
    directive = get_object_or_404(Directive.objects.with_agencies(), pk=pk)
    access = Access.of(request.user)
    permissions.require_review(access)
    form = ReviewForm(request.POST)
    status = 400
    if not form.is_valid():
        parsed = form.cleaned_data
        errors = actions.review_errors(
            directive, parsed.get("review"), parsed.get("note", ""), parsed.get("evidence", "")
        )
        form.add_errors_not_yet_shown(errors)
    else:
        try:
            actions.review(
                directive,
                form.cleaned_data["review"],
                actor=request.user,
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data["evidence"],
                expected_version=form.cleaned_data["version"],
            )
        except actions.StaleVersion:
            form.add_error(
                None, "Someone changed this directive after you opened the page: nothing was saved."
            )
            status = 409
        except ValidationError as error:
            form.add_action_errors(error)
        else:
            verdict = Review(form.cleaned_data["review"]).label.lower()
            messages.success(request, f"Reviewed {directive.ref}: {verdict}.")
            return redirect("directive_detail", pk=pk)
    return _again(request, access, directive, status, review_form=form)


def directive_extension_request(request: SignedInRequest, pk: int) -> HttpResponse:
    """Ask for a later deadline (the lead agency's editors); the reviewers are told."""
    directive = get_object_or_404(Directive.objects.with_agencies(), pk=pk)
    access = Access.of(request.user)
    permissions.require_request_extension(access, directive)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        parsed = form.cleaned_data
        errors = actions.extension_request_errors(
            directive, parsed.get("requested_due_on"), parsed.get("justification", "")
        )
        form.add_errors_not_yet_shown(errors)
    else:
        try:
            actions.request_extension(
                directive,
                form.cleaned_data["requested_due_on"],
                actor=request.user,
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            form.add_action_errors(error)
        else:
            messages.success(request, f"Extension of {directive.ref} requested: the reviewers are told.")
            return redirect("directive_detail", pk=pk)
    return _again(request, access, directive, extension_form=form)


def extension_decision(request: SignedInRequest, pk: int) -> HttpResponse:
    """Approve or deny directive ``pk``'s extension request the form names (oversight reviewers)."""
    directive = get_object_or_404(Directive.objects.with_agencies(), pk=pk)
    access = Access.of(request.user)
    permissions.require_review(access)
    form = DecisionForm(request.POST)
    valid = form.is_valid()
    extension = (
        ExtensionRequest.objects.filter(pk=form.cleaned_data["request"], directive=directive).first()
        if "request" in form.cleaned_data
        else None
    )
    if extension is None:
        form.add_error(None, "This page named no extension request of this directive: reload it.")
    elif valid:
        reason = form.cleaned_data["reason"]
        try:
            if form.cleaned_data["decision"] == "approve":
                actions.approve_extension(extension, actor=request.user, note=reason)
            else:
                actions.deny_extension(extension, actor=request.user, reason=reason)
        except ValidationError as error:
            form.add_action_errors(error)
        else:
            decided = "approved" if form.cleaned_data["decision"] == "approve" else "denied"
            messages.success(request, f"Extension of {directive.ref} {decided}: the requester is told.")
            return redirect("directive_detail", pk=directive.pk)
    return _again(request, access, directive, decision_form=form)
