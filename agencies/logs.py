"""Logging for expected refusals: a 403 is one line with its reason, not a traceback."""

from __future__ import annotations

import logging

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
