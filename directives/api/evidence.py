"""A directive's evidence files in the API: list, upload (multipart), and download (streamed)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import signed_in
from directives import actions, files
from directives.models import Directive, EvidenceFile
from directives.pages.evidence import evidence_response
from directives.queries import permissions

from .parsers import JSONParser
from .serializers import EvidenceSerializer, EvidenceUploadSerializer


@extend_schema(parameters=[OpenApiParameter("directive_id", int, OpenApiParameter.PATH)])
class EvidenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[EvidenceFile]):
    """A directive's evidence files, oldest first; POST (multipart, field ``file``) attaches one."""

    serializer_class = EvidenceSerializer
    # Uploads are multipart; JSON is read too, so that a JSON body is refused at its fields (400) after
    # the permission check, as everywhere in the API, rather than as an unsupported type (415) before it.
    parser_classes = [parsers.MultiPartParser, JSONParser]
    pagination_class = None
    filterset_class = None
    lookup_value_regex = "[0-9]+"

    def get_directive(self, queryset: QuerySet[Directive] | None = None) -> Directive:
        """Return the directive named in the URL (404 if there is none)."""
        directive: Directive = get_object_or_404(
            queryset if queryset is not None else Directive.objects.all(), pk=self.kwargs["directive_id"]
        )
        return directive

    def get_queryset(self) -> QuerySet[EvidenceFile]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting, with no URL kwargs
            return EvidenceFile.objects.none()
        directive = self.get_directive()
        if not permissions.can_read(signed_in(self.request.user), directive):
            raise PermissionDenied("You may not read this directive.")
        return (
            EvidenceFile.objects.filter(directive=directive)
            .select_related("uploaded_by")
            .order_by("created", "id")
        )

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Attach a file (the lead's editors): its type is sniffed, its SHA-256 recorded in the history."""
        directive = self.get_directive(Directive.objects.with_agencies())
        # Who may not attach is told so before the file is looked at.
        permissions.require_update_status(signed_in(request.user), directive)
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            evidence = actions.attach_evidence(
                directive, body.validated_data["file"], actor=signed_in(request.user)
            )
        except files.StorageUnavailable as error:
            response = Response({"detail": [str(error)]}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
            response["Retry-After"] = "300"
            return response
        data = EvidenceSerializer(evidence, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request: Request, directive_id: str, pk: str) -> FileResponse:
        """Download the file's bytes (Content-Disposition: attachment, the sniffed type, nosniff)."""
        evidence = get_object_or_404(self.get_queryset(), pk=pk)
        return evidence_response(evidence)
