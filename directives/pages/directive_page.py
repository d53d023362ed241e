"""The directive page's address: every form on it is sent there and shown again there.

A POST names its form in the field ``form`` (``review``, ``extension``, ``decision``, ``evidence``,
``event``); without one it is the update (or note) form. So after a refused submission the browser
still shows the directive's own address, with every error at its field, and reloading or sharing it
shows the directive rather than a form's endpoint.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_http_methods

from agencies.access import SignedInRequest

from . import evidence, oversight, views

FORMS: dict[str, Callable[[SignedInRequest, int], HttpResponse]] = {
    "review": oversight.directive_review,
    "extension": oversight.directive_extension_request,
    "decision": oversight.extension_decision,
    "evidence": evidence.evidence_upload,
    "event": views.directive_event_date,
}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def directive_page(request: SignedInRequest, pk: int) -> HttpResponse:
    """Show directive ``pk``; take the form its POST names to the view that handles it."""
    if request.method == "POST" and "form" in request.POST:
        name = request.POST["form"]
        if name not in FORMS:
            known = ", ".join(sorted(FORMS))
            return HttpResponseBadRequest(
                f"form: {name!r} is no form of this page; use one of {known}, or none for an update.\n",
                content_type="text/plain; charset=utf-8",
            )
        return FORMS[name](request, pk)
    return views.directive_detail(request, pk)
