"""The directive endpoints: orders, directives (with their ETag), and a directive's events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from agencies.access import User, signed_in
from directives import actions
from directives.models import Directive, DirectiveEvent, Order
from directives.queries import DIRECTIVE_SEQUENCE, DirectiveFilter, permissions

from .clock import NowMixin
from .etags import etag_of, expected_version, not_modified
from .serializers import (
    DirectiveSerializer,
    EventDateSerializer,
    EventSerializer,
    ExtensionSerializer,
    OrderSerializer,
    ReviewSerializer,
    UpdateResultSerializer,
    UpdateSerializer,
)
from .serializers.shapes import RELATIVE_REFS

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The directive's ETag as you read it: the update is refused (412) if it changed.",
)

RECORDED = {201: UpdateResultSerializer}


class OrderViewSet(viewsets.ReadOnlyModelViewSet[Order]):
    """The executive orders tracked, newest first."""

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"


class DirectiveViewSet(NowMixin, viewsets.ReadOnlyModelViewSet[Directive]):
    """Directives with their agencies, deadlines and state; filter, search and order them."""

    serializer_class = DirectiveSerializer
    filterset_class = DirectiveFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Directive]:
        # Each order's directives in the Order's own sequence. Sorting by the order's id rather than the
        # model's default (newest signing date first) spares a join and a sort of every row per page:
        # 5 ms instead of 160 ms for the first page of 100,000 directives (docs/benchmarks.md).
        # The order's number and the parent's and series' refs come as columns of the row
        # (``shapes.RELATIVE_REFS``) rather than as three more model instances per directive: building
        # those was most of what the first page did beyond its baseline (docs/benchmarks.md). Subqueries,
        # not joins: the page's COUNT(*) and its ids leave an unused subquery out, but keep a join
        # (the count took 60 ms instead of 6 with the three joins).
        return (
            Directive.objects.with_agencies(relatives=False)
            .annotate(**RELATIVE_REFS)
            .order_by(*DIRECTIVE_SEQUENCE)
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Return one directive; its ``ETag`` goes back in ``If-Match`` to guard an update, or in
        ``If-None-Match`` for a 304 with no body when nothing changed."""
        directive = self.get_object()
        if not_modified(request.headers.get("If-None-Match"), directive):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag_of(directive)})
        return Response(self.get_serializer(directive).data, headers={"ETag": etag_of(directive)})

    def _recorded(
        self,
        request: Request,
        act: Callable[..., DirectiveEvent],
        serializer_class: type[Serializer[Any]],
        require: Callable[[User, Directive], None],
    ) -> Response:
        """Check ``require``, validate the body, call ``act``; answer 201 with the event and the directive.

        Who may not do it is told so (403) before their input is looked at.
        """
        directive = self.get_object()
        require(request.user, directive)
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        event = act(
            directive,
            actor=signed_in(request.user),
            expected_version=expected_version(request.headers.get("If-Match"), directive),
            **body.validated_data,
        )
        directive = self.get_object()  # as the action left it
        context = self.get_serializer_context()
        result = {
            "event": EventSerializer(event, context=context).data,
            "directive": DirectiveSerializer(directive, context=context).data,
        }
        return Response(result, status=status.HTTP_201_CREATED, headers={"ETag": etag_of(directive)})

    @extend_schema(request=ExtensionSerializer, responses=RECORDED, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="extensions", filterset_class=None)
    def extend(self, request: Request, pk: str | None = None) -> Response:
        """Extend the deadline (administrators): the original due date is kept, the history says why."""
        return self._recorded(
            request, actions.extend_deadline, ExtensionSerializer, permissions.require_extend_deadline
        )

    @extend_schema(request=ReviewSerializer, responses=RECORDED, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="reviews", filterset_class=None)
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Review the agency's claim (oversight reviewers): verified, disputed or no evidence found.

        The verdict and its note go into the history; the next change of the claim resets it.
        """

        def act(directive: Directive, *, review: str, **rest: Any) -> DirectiveEvent:
            return actions.review(directive, review, **rest)

        return self._recorded(
            request, act, ReviewSerializer, lambda user, directive: permissions.require_review(user)
        )

    @extend_schema(request=EventDateSerializer, responses=RECORDED, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="event-date", filterset_class=None)
    def event_date(self, request: Request, pk: str | None = None) -> Response:
        """Record the date of the event a days_from_event deadline counts from (the lead's editors)."""
        return self._recorded(
            request, actions.set_event_date, EventDateSerializer, permissions.require_update_status
        )


@extend_schema(parameters=[OpenApiParameter("directive_id", int, OpenApiParameter.PATH)])
class EventViewSet(NowMixin, mixins.ListModelMixin, viewsets.GenericViewSet[DirectiveEvent]):
    """A directive's history, newest first; POST records an update."""

    serializer_class = EventSerializer

    def get_directive(self, queryset: QuerySet[Directive] | None = None) -> Directive:
        """Return the directive named in the URL (404 if there is none)."""
        if queryset is None:
            queryset = Directive.objects.only("pk")
        directive: Directive = get_object_or_404(queryset, pk=self.kwargs["directive_id"])
        return directive

    def get_queryset(self) -> QuerySet[DirectiveEvent]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting, with no URL kwargs
            return DirectiveEvent.objects.none()
        directive = self.get_directive()
        return DirectiveEvent.objects.filter(directive=directive).select_related("actor", "agency")

    @extend_schema(
        request=UpdateSerializer,
        responses={201: UpdateResultSerializer},
        parameters=[IF_MATCH],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record an update (status, note, evidence link, completion or forecast date) as one event."""
        directive = self.get_directive(Directive.objects.with_agencies())
        # Who may not even add a note is told so before their input is looked at.
        permissions.require_add_note(request.user, directive)
        update = UpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        event = actions.record_update(
            directive,
            actor=signed_in(request.user),
            expected_version=expected_version(request.headers.get("If-Match"), directive),
            **update.validated_data,
        )
        directive = self.get_directive(Directive.objects.with_agencies())  # as the update left it
        context = self.get_serializer_context()
        body = {
            "event": EventSerializer(event, context=context).data,
            "directive": DirectiveSerializer(directive, context=context).data,
        }
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": etag_of(directive)})


class NotFoundView(APIView):
    """Answer a path under /api/v1/ that names no endpoint."""

    schema = None

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFound(f"No endpoint at {request.path}. Paths end with a slash; see /api/v1/docs/.")

    post = put = patch = delete = get
