"""Extension requests through the API: list and read them, ask for one, decide one (docs/oversight.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import signed_in
from directives import actions
from directives.models import Directive, ExtensionRequest
from directives.queries import permissions

from .serializers import DecisionSerializer, ExtensionRequestInputSerializer, ExtensionRequestSerializer

# The largest id a database column holds (PostgreSQL's integer; SQLite refuses larger numbers too).
MAX_ID = 2**31 - 1


class ExtensionRequestFilter(filters.FilterSet):
    """What the list filters by: the state (e.g. pending) and the directive."""

    state = filters.ChoiceFilter(choices=ExtensionRequest.State.choices, help_text="e.g. pending")
    directive = filters.NumberFilter(
        field_name="directive_id", min_value=1, max_value=MAX_ID, help_text="One directive's requests, by id."
    )

    class Meta:
        model = ExtensionRequest
        fields = ["state", "directive"]


class ExtensionRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ExtensionRequest]
):
    """Extension requests, newest first: an agency asks for a later deadline, a reviewer decides."""

    serializer_class = ExtensionRequestSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = ExtensionRequestFilter

    def get_queryset(self) -> QuerySet[ExtensionRequest]:
        return ExtensionRequest.objects.select_related(
            "directive__order", "requested_by", "agency", "decided_by"
        ).order_by("-created", "-id")

    @extend_schema(
        request=ExtensionRequestInputSerializer, responses={201: ExtensionRequestSerializer}, filters=False
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask for a later deadline (the lead agency's editors); the reviewers are told."""
        body = ExtensionRequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        directive = Directive.objects.with_agencies().filter(pk=data["directive"]).first()
        if directive is None:
            raise ValidationError({"directive": [f"There is no directive {data['directive']}."]})
        permissions.require_request_extension(request.user, directive)
        created = actions.request_extension(
            directive,
            data["requested_due_on"],
            actor=signed_in(request.user),
            justification=data["justification"],
        )
        return Response(ExtensionRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses={200: ExtensionRequestSerializer})
    @action(detail=True, methods=["post"], url_path="decision", filterset_class=None)
    def decision(self, request: Request, pk: str | None = None) -> Response:
        """Approve (the deadline moves, the original kept) or deny with a reason (oversight reviewers)."""
        extension = get_object_or_404(self.get_queryset(), pk=pk)
        permissions.require_review(request.user)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actor = signed_in(request.user)
        reason = body.validated_data.get("reason", "")
        if body.validated_data["decision"] == "approve":
            decided = actions.approve_extension(extension, actor=actor, note=reason)
        else:
            decided = actions.deny_extension(extension, actor=actor, reason=reason)
        return Response(ExtensionRequestSerializer(decided).data)
