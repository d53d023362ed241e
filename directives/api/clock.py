"""The one clock of an API request, shared by filters, views and serializers."""

from __future__ import annotations

from directives.queries import request_now


class NowMixin:
    """Give a view's serializers the request's one instant as ``context["now"]``."""

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": request_now(self.request)}  # type: ignore[misc]
