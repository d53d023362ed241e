"""The SMTP backend the outbox sends through: Django's, telling a refused email from an unanswered one.

A mail server that takes the whole message and then answers after ``EMAIL_TIMEOUT`` (or never) has
most likely queued it: sending it again would deliver it twice. Django's backend raises the same
timeout whether the server never saw the message or saw all of it; this one raises ``UnconfirmedSend``
for the second case, so the outbox can record the email as sent, unconfirmed, rather than send it
again (actions/outbox.py). Every other error propagates as before, to be retried.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends import smtp


class UnconfirmedSend(Exception):
    """The mail server took the whole message but its answer never came: it may well be delivered."""


class _SMTP(smtplib.SMTP):
    """Remember whether the message's final ``<CRLF>.<CRLF>`` went out on the current exchange."""

    orderctl_transmitted = False

    def send(self, s: Any) -> None:
        super().send(s)
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.orderctl_transmitted = True


class _SMTPSSL(_SMTP, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend, raising ``UnconfirmedSend`` when the message went out but no answer came."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _SMTPSSL if self.use_ssl else _SMTP

    def _send(self, email_message: EmailMessage) -> bool:
        if self.connection is not None:
            self.connection.orderctl_transmitted = False  # type: ignore[attr-defined]  # ours, set by _SMTP
        try:
            return bool(super()._send(email_message))  # type: ignore[misc]  # Django's, not in the stubs
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            if getattr(self.connection, "orderctl_transmitted", False):
                raise UnconfirmedSend(
                    f"the mail server took the message but did not answer ({type(exc).__name__}: {exc})"
                ) from exc
            raise


def server_unreachable(exc: BaseException) -> bool:
    """Return whether ``exc`` says the mail server is down or busy, rather than refusing this email.

    An outage (connection refused, reset, timed out; a 4xx "try again later") is retried on the next
    dispatch for every email alike; a 5xx refusal of one message backs off on its own.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code < 500
    return isinstance(exc, OSError | smtplib.SMTPServerDisconnected)


__all__ = ["EmailBackend", "UnconfirmedSend", "server_unreachable"]
