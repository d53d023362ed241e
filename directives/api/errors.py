"""One JSON shape for every API error: an object of field -> list of messages.

Input errors name the field (or ``non_field_errors``); every other error uses ``detail``. The actions
layer's exceptions map here too, so views call actions and let them raise: Django's ``ValidationError``
is a 400, ``PermissionDenied`` a 403 with its reason, and ``StaleVersion`` a 412 carrying the current
``ETag``. A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413, and Django's other refusals of a
suspicious request a 400, in the same shape rather than Django's HTML page. The schema and Swagger
UI's page, which answer in YAML and HTML, give their errors in JSON too (``SchemaView``, ``DocsView``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from directives.actions import StaleVersion

from .etags import etag_of

NON_FIELD_KEY = api_settings.NON_FIELD_ERRORS_KEY


def _messages(value: object) -> list[str]:
    """Return the messages under one key as a flat list of strings."""
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, inner in value.items() for message in _messages(inner)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def error_body(detail: object) -> dict[str, list[str]]:
    """Return ``detail`` (a DRF error detail, a string, a list or a dict) in the one error shape."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return {NON_FIELD_KEY: _messages(detail)}
    return {"detail": [str(detail)]}


def _log_suspicious(exc: SuspiciousOperation) -> None:
    """Log ``exc`` where Django logs the suspicious requests it answers itself, in one line."""
    logging.getLogger(f"django.security.{exc.__class__.__name__}").warning("%s", exc)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn ``exc`` into an error response in the one shape, or return None for a server error."""
    if isinstance(exc, StaleVersion):
        return Response(
            {"detail": [f"{exc} Fetch it again and reapply your change."]},
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": etag_of(exc.directive)},
        )
    if isinstance(exc, RequestDataTooBig):
        _log_suspicious(exc)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": [f"The request body is too large: the API accepts at most {limit:,} bytes."]},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        _log_suspicious(exc)
        return Response({"detail": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (NON_FIELD_KEY if key == NON_FIELD_ERRORS else key): messages
                for key, messages in exc.message_dict.items()
            }
        else:
            detail = {NON_FIELD_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(response.data)
    return response


def _errors_in_json(view: APIView, response: Response) -> Response:
    """Render the error ``response`` of ``view`` in JSON, whatever the view renders otherwise."""
    renderer = JSONRenderer()
    view.request.accepted_renderer = renderer
    view.request.accepted_media_type = renderer.media_type
    return response


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema (YAML or JSON); its errors (a POST's 405) in the API's JSON, not in YAML."""

    def handle_exception(self, exc: Exception) -> Response:
        return _errors_in_json(self, super().handle_exception(exc))


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI's page; its errors (a POST's 405) in the API's JSON, not as an HTML page."""

    def handle_exception(self, exc: Exception) -> Response:
        return _errors_in_json(self, super().handle_exception(exc))
