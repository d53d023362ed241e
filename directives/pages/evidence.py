"""Evidence files on the staff pages: attaching one to a directive, and downloading one.

Downloads are streamed from the evidence storage by this view, after the permission check, never
from a storage URL: ``Content-Disposition: attachment``, the type sniffed at upload, and
``X-Content-Type-Options: nosniff``, so a browser neither renders nor re-guesses what it receives.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from agencies.access import Access, SignedInRequest
from directives import actions, files
from directives.models import Directive, EvidenceFile
from directives.queries import permissions, request_now

from .forms import EvidenceForm
from .views import detail_context


def evidence_upload(request: SignedInRequest, pk: int) -> HttpResponse:
    """Attach the uploaded file to directive ``pk`` (its lead's editors), or show the page with the error."""
    directive = get_object_or_404(Directive.objects.with_agencies(), pk=pk)
    access = Access.of(request.user)
    permissions.require_update_status(access, directive)
    form = EvidenceForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            evidence = actions.attach_evidence(directive, form.cleaned_data["file"], actor=request.user)
        except ValidationError as error:
            form.add_action_errors(error)
        except files.StorageUnavailable as error:
            form.add_error("file", str(error))
            status = 503  # not the file's fault: the same upload can succeed later
        else:
            messages.success(
                request, f"Attached {evidence.name} to {directive.ref} (SHA-256 {evidence.sha256[:12]}…)."
            )
            return redirect("directive_detail", pk=pk)
    context = detail_context(access, directive, request_now(request), evidence_form=form)
    response = render(request, "directives/directive_detail.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "300"
    return response


@login_required
@require_safe
def evidence_download(request: SignedInRequest, pk: int, file_id: int) -> FileResponse:
    """Stream evidence file ``file_id`` of directive ``pk`` to a user who may read the directive."""
    evidence = get_object_or_404(
        EvidenceFile.objects.select_related("directive"), pk=file_id, directive_id=pk
    )
    if not permissions.can_read(request.user, evidence.directive):
        raise PermissionDenied("You may not read this directive.")
    return evidence_response(evidence)


def evidence_response(evidence: EvidenceFile) -> FileResponse:
    """Return the streamed download of ``evidence`` (shared with the API's download endpoint)."""
    stream = files.evidence_storage().open(evidence.storage_key, "rb")
    response = FileResponse(
        stream, as_attachment=True, filename=evidence.name, content_type=evidence.content_type
    )
    response["Content-Length"] = str(evidence.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # RFC 9530: the digest of the whole file, so a client can check what it received.
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(evidence.sha256)).decode()}:"
    return response
