"""The one clock of an API request, shared by filters, views and serializers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.generics import GenericAPIView

from directives.queries import request_now

# The mixin goes before a DRF view; to the type checker it is one, so it may use the view's request
# and context. At run time it derives from object, as mixins do.
if TYPE_CHECKING:
    _View = GenericAPIView[Any]
else:
    _View = object


class NowMixin(_View):
    """Give a view's serializers the request's one instant as ``context["now"]``."""

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": request_now(self.request)}
