"""The summary endpoint: the dashboards' numbers (``directives.queries.summarize``) as JSON."""

from __future__ import annotations

from typing import Any

from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from directives.models import Directive, DirectiveQuerySet
from directives.queries import ScopeFilter, request_now, summarize

from .clock import NowMixin
from .serializers import SummarySerializer


class SummaryView(NowMixin, generics.GenericAPIView[Directive]):
    """Counts for the dashboards: by status, overdue, due soon, on time or late, per lead agency."""

    serializer_class = SummarySerializer
    filterset_class = ScopeFilter
    pagination_class = None

    def get_queryset(self) -> DirectiveQuerySet:
        return Directive.objects.all()

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        directives = self.filter_queryset(self.get_queryset()).order_by()
        if not isinstance(directives, DirectiveQuerySet):  # the filter set's, from Directive.objects
            raise TypeError(f"summarize counts directives, not {type(directives).__name__}")
        return Response(self.get_serializer(summarize(directives, request_now(request))).data)
