"""The API's filter backend: the read side's one filter set (``directives.queries``), strictly.

Every parameter is validated: an unknown agency, order, status, date or ordering is a 400 that names
the parameter, and so is a parameter the endpoint does not know, rather than a list that silently
ignores it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import exceptions
from rest_framework.request import Request


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, also refusing query parameters that the endpoint does not define.

    Every bad parameter is reported at once, each under its own name. A request that names no filter
    (a plain list, or only its page) is the list as it is: no filter set is built for it, whose form
    would check every filter's empty value (about a millisecond of the directive list's page).
    """

    def filter_queryset(  # type: ignore[override]  # the stubs say HttpRequest; DRF passes its Request
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        # A filter set's filters are its class's (django-filter copies ``base_filters`` per instance).
        filter_names = set(filterset_class.base_filters) if filterset_class is not None else set()
        known = set(filter_names)
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            known |= {paginator.page_query_param, paginator.page_size_query_param}
        hint = f"Use {', '.join(sorted(known))}." if known else "This endpoint takes no parameters."
        given = set(request.query_params)
        errors = {name: [f"Unknown parameter. {hint}"] for name in sorted(given - known)}
        if not given & filter_names:
            if errors:
                raise exceptions.ValidationError(errors)
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None and not filterset.is_valid():
            errors.update({name: list(messages) for name, messages in filterset.errors.items()})
        if errors:
            raise exceptions.ValidationError(errors)
        return filterset.qs if filterset is not None else queryset
