"""A reviewer's work queue ("My queue"): what waits for an oversight reviewer, oldest first.

Claims of completion (or of not applying) no reviewer has reviewed yet, pending extension requests,
and evidence added to a reviewed claim since its review. What the reviewer may not act on under
separation of duties (a claim they recorded, a request they made) is listed with the reason, so the
queue shows the whole of the office's work but says whose it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, F, OuterRef
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.access import SignedInRequest
from directives.models import Directive, ExtensionRequest, Review
from directives.models.attachments import EvidenceFile
from directives.queries import CLAIMS, pending_extensions, permissions


@dataclass(frozen=True)
class QueueItem:
    directive: Directive
    refusal: str  # why this reviewer may not act on it (separation of duties), or ""


def unreviewed_claims() -> list[Directive]:
    """Return the claims no reviewer has reviewed yet, the longest waiting first."""
    return list(
        Directive.objects.trackable()
        .filter(CLAIMS, review=Review.UNREVIEWED)
        .with_agencies()
        .order_by(F("status_changed_at").asc(nulls_first=True), "order_id", "position", "ref")
    )


def evidence_since_review() -> list[Directive]:
    """Return the reviewed claims that have evidence added since their review, oldest review first."""
    newer = EvidenceFile.objects.filter(directive=OuterRef("pk"), created__gt=OuterRef("reviewed_at"))
    return list(
        Directive.objects.trackable()
        .filter(CLAIMS, Exists(newer))
        .exclude(review=Review.UNREVIEWED)
        .with_agencies()
        .order_by("reviewed_at", "order_id", "position", "ref")
    )


@login_required
@require_safe
def my_queue(request: SignedInRequest) -> HttpResponse:
    """Show an oversight reviewer what waits for them; anyone else is told it is the reviewers' page."""
    permissions.require_review(request.user)
    user = request.user
    claims = [QueueItem(d, permissions.own_claim_refusal(user, d)) for d in unreviewed_claims()]
    requests: list[tuple[ExtensionRequest, str]] = [
        (r, permissions.own_request_refusal(user, r)) for r in pending_extensions(Directive.objects.all())
    ]
    return render(
        request,
        "directives/my_queue.html",
        {"claims": claims, "requests": requests, "evidence": evidence_since_review()},
    )
