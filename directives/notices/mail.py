"""The SMTP backend the outbox sends through: Django's, reading the mail server's answer at every stage.

What the server says decides what becomes of an email (actions/outbox.py, docs/faults.md):

- a 250 after the message's final dot: sent; the reply (with the server's queue id) is kept;
- a 4xx at any stage (the greeting, MAIL, RCPT, DATA, after the final dot): try again later;
- a 5xx to the recipient (RCPT) or to the message (DATA, after the final dot): refused for good, with
  the server's reply, for a person to look at. A 5xx at the greeting, HELO or MAIL says nothing of
  this recipient (the server refuses us, or our sender address): every email would meet it, so it is
  deferred like an outage, and shows as needing attention once it has lasted
  ``NOTIFICATION_MAX_ATTEMPTS`` tries;
- no answer after the final dot (a timeout, or the connection lost): ``UnconfirmedSend``. The server
  may well have queued the message, so it is not sent again; it is recorded as unconfirmed, for the
  message in flight only.

A connection lost or refused before the final dot is an outage: nothing was delivered, try again.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends import smtp


class UnconfirmedSend(Exception):
    """The mail server took the whole message but its answer never came: it may well be delivered."""


class _SMTP(smtplib.SMTP):
    """Remember whether the message's final ``<CRLF>.<CRLF>`` went out, and the server's answer to it."""

    orderctl_transmitted = False
    orderctl_reply = ""

    def send(self, s: Any) -> None:
        super().send(s)
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.orderctl_transmitted = True

    def data(self, msg: Any) -> tuple[int, bytes]:
        code, reply = super().data(msg)
        if code == 250:
            self.orderctl_reply = reply.decode("utf-8", "replace")
        return code, reply


class _SMTPSSL(_SMTP, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend, raising ``UnconfirmedSend`` when the message went out but no answer came.

    The server's 250 reply to the message is left on it as ``smtp_reply``.
    """

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _SMTPSSL if self.use_ssl else _SMTP

    def _send(self, email_message: EmailMessage) -> bool:
        if self.connection is not None:
            self.connection.orderctl_transmitted = False  # type: ignore[attr-defined]  # ours, set by _SMTP
            self.connection.orderctl_reply = ""  # type: ignore[attr-defined]  # ours, set by _SMTP
        try:
            sent = bool(super()._send(email_message))  # type: ignore[misc]  # Django's, not in the stubs
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server answered: its code says what to do (read_answer)
        except OSError as exc:  # smtplib.SMTPServerDisconnected, a timeout, a reset
            if getattr(self.connection, "orderctl_transmitted", False):
                raise UnconfirmedSend(
                    f"the mail server took the message but did not answer ({type(exc).__name__}: {exc})"
                ) from exc
            raise
        reply = getattr(self.connection, "orderctl_reply", "")
        email_message.smtp_reply = reply  # type: ignore[attr-defined]  # ours, read by notify.send_delivery
        return sent

    def close(self) -> None:
        """Close the connection; a failed QUIT changes nothing of what the server said to the message."""
        try:
            super().close()
        except OSError:
            if self.connection is not None:
                with contextlib.suppress(OSError):
                    self.connection.close()
            self.connection = None


@dataclass(frozen=True)
class Answer:
    """What the mail server's answer (or silence) means for one email."""

    code: int | None  # the SMTP reply code, None when the server said nothing (refused, reset, timed out)
    reply: str  # the server's words, or the error, for the record
    about_this_email: bool = False  # the answer to its recipient or its message, not to the session

    @property
    def permanent(self) -> bool:
        """Whether the server refused this email for good (a 5xx to it): never sent again."""
        return self.about_this_email and self.code is not None and self.code >= 500

    @property
    def server_down(self) -> bool:
        """Whether the server is down, closing (421) or refusing the session itself, rather than
        deferring this one email: the rest of the batch waits too."""
        return self.code is None or self.code == 421 or not self.about_this_email


def read_answer(exc: BaseException) -> Answer:
    """Return what the mail server said to an email that was not taken, from the error it raised."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # One recipient per email (one delivery per person): its refusal is the email's.
        codes = [(code, reply) for code, reply in exc.recipients.values()]
        code, reply = max(codes, key=lambda pair: pair[0]) if codes else (None, b"")
        return Answer(code, f"{code} {_text(reply)} (RCPT)", about_this_email=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        stage = {
            smtplib.SMTPConnectError: "greeting",
            smtplib.SMTPSenderRefused: "MAIL",
            smtplib.SMTPDataError: "DATA",
            smtplib.SMTPHeloError: "HELO",
        }.get(type(exc), "SMTP")
        return Answer(
            exc.smtp_code,
            f"{exc.smtp_code} {_text(exc.smtp_error)} ({stage})",
            about_this_email=stage == "DATA",
        )
    return Answer(None, f"{type(exc).__name__}: {exc}")


def queue_id(reply: str) -> str:
    """Return the server's queue id from its 250 reply ("2.0.0 Ok: queued as 4Q1x2T"), or the reply."""
    found = re.search(r"queued as\s+<?([\w.@-]+)>?", reply, re.IGNORECASE)
    return (found.group(1) if found else reply.strip())[:200]


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


__all__ = ["Answer", "EmailBackend", "UnconfirmedSend", "queue_id", "read_answer"]
