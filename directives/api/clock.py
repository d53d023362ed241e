"""The one clock of an API request: ``timezone.now()`` read once, shared by filters, views and serializers."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def request_now(request) -> dt.datetime:
    """Return the instant ``request`` is answered at, reading the clock on the first call only."""
    now = getattr(request, "_orderctl_now", None)
    if now is None:
        now = request._orderctl_now = timezone.now()
    return now


class NowMixin:
    """Give a view's serializers the request's one instant as ``context["now"]``."""

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": request_now(self.request)}
