"""The summary endpoint: the dashboards' numbers (``directives.queries.summarize``) as JSON."""

from __future__ import annotations

from rest_framework import generics
from rest_framework.response import Response

from directives.models import Directive
from directives.queries import ScopeFilter, request_now, summarize

from .clock import NowMixin
from .serializers import SummarySerializer


class SummaryView(NowMixin, generics.GenericAPIView):
    """Counts for the dashboards: by status, overdue, due soon, on time or late, per lead agency."""

    serializer_class = SummarySerializer
    filterset_class = ScopeFilter
    pagination_class = None

    def get_queryset(self):
        return Directive.objects.all()

    def get(self, request, *args, **kwargs) -> Response:
        directives = self.filter_queryset(self.get_queryset()).order_by()
        return Response(self.get_serializer(summarize(directives, request_now(request))).data)
