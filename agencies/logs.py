"""Logging: expected refusals as one line, and the request id on every line a request writes."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from django.core.exceptions import PermissionDenied


class RefusalWithoutTraceback(logging.Filter):
    """Log a request refused with PermissionDenied as one line with its reason, without the traceback.

    Django logs every 403 from PermissionDenied on ``django.request`` with the exception attached, so a
    Treasury editor posting to a CISA directive filled the log with a stack trace, as if something had
    broken. It is the permission check doing its job; the path and the reason say all there is to say.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exception = record.exc_info[1] if record.exc_info else None
        if isinstance(exception, PermissionDenied):
            reason = str(exception)
            record.msg = f"{record.getMessage()}: {reason}" if reason else record.getMessage()
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


# --- The request id: one per request (or per Celery task), on every log line it writes ----------------

# Set by RequestIdMiddleware for a request and by the Celery signals (orderctl/celery.py) for a task.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# What a caller's X-Request-ID may be to be kept (a proxy's, a load balancer's, a UUID): letters,
# digits and . _ - : only, so a log line can never be forged or split through it.
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def request_id_from(header: str | None) -> str:
    """Return ``header`` when it is a well-formed request id, else a fresh random one."""
    if header is not None and _ACCEPTED.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request (or task) that wrote it, ``-`` outside any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True
