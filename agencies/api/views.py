from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import viewsets

from agencies.models import Agency

from .serializers import AgencySerializer


class AgencyViewSet(viewsets.ReadOnlyModelViewSet[Agency]):
    """The agencies the orders name, with their departments and components."""

    serializer_class = AgencySerializer
    lookup_field = "abbreviation"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Agency]:
        return Agency.objects.select_related("parent").prefetch_related("components")

    def get_object(self) -> Agency:
        """Return the agency named in the URL, in any case (`cisa` is CISA, as in the filters)."""
        queryset = self.filter_queryset(self.get_queryset())
        agency: Agency = get_object_or_404(queryset, abbreviation__iexact=self.kwargs[self.lookup_field])
        self.check_object_permissions(self.request, agency)
        return agency
