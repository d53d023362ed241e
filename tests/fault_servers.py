"""Servers the fault tests start for themselves: an SMTP sink counting Message-IDs, and a TCP proxy that
can cut a service off (the database, as a client sees it go down and come back).

Both run in threads of the test process, on free loopback ports the kernel picks, so a test can break
them at the exact moment it means to (inside the SMTP exchange, say) and nobody else is disturbed.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

# aiosmtpd logs every SMTP command at INFO; a failing test prints its own story.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def ephemeral_port() -> int:
    """Return a loopback port that nothing listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ephemeral_ports(count: int) -> list[int]:
    """Return ``count`` different loopback ports that nothing listens on now.

    Asked for one at a time, the kernel may give the same port again while the first server started on
    it has not bound it yet; probes held open together cannot share one.
    """
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


class _ScriptedSMTP(SMTP):
    """aiosmtpd's server, answering 421 at the greeting while its sink says to refuse connections."""

    def __init__(self, sink: SmtpSink, **kwargs):
        super().__init__(sink, **kwargs)
        self.sink = sink

    async def _handle_client(self) -> None:
        if self.sink.refuse_connections > 0:
            self.sink.refuse_connections -= 1
            await self.push("421 4.3.2 Service not available, closing transmission channel")
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()


class _Controller(Controller):
    def __init__(self, sink: SmtpSink, **kwargs):
        super().__init__(sink, **kwargs)
        self.sink = sink

    def factory(self) -> SMTP:
        return _ScriptedSMTP(self.sink, **self.SMTP_kwargs)


# What the scripted server can answer to one message (``SmtpSink.script``), at the stage named.
ANSWERS = {
    "553-mail": "553 5.7.1 Sender address rejected: not owned by you",
    "451-rcpt": "451 4.3.0 Mailbox temporarily unavailable, try again later",
    "550-rcpt": "550 5.1.1 No such user here",
    "451-data": "451 4.3.0 Local error in processing, try again later",
    "554-data": "554 5.7.1 Message rejected as spam",
}


class SmtpSink:
    """An SMTP server that keeps every message it takes (answers 250 to), counted by ``Message-ID``.

    ``delay`` makes it wait that long after the whole message arrived before answering 250 (a server
    slower than ``EMAIL_TIMEOUT``); ``on_message`` runs in its thread when a message is taken, before
    the answer. ``stop()`` and ``start()`` take it down and bring it back on the same port.

    It can also answer per message, as ``script`` says: for each recipient address, the answers to its
    attempts in turn (then 250): "553-mail" (at MAIL, to the sender), "451-rcpt", "550-rcpt" (at
    RCPT), "451-data", "554-data" (after the message's final dot), "hang" (no answer for
    ``hang_seconds``, then 250: a message taken late) and "drop" (the connection closed after the
    final dot, no answer; the message is not kept). While
    ``refuse_connections`` is above 0, each connection is answered 421 at the greeting and closed.
    """

    def __init__(self, *, delay: float = 0.0, on_message: Callable[[str], None] | None = None):
        self.port = ephemeral_port()
        self.delay = delay
        self.on_message = on_message
        self.message_ids: Counter[str] = Counter()
        self.received = threading.Event()
        self.controller: Controller | None = None
        self.script: dict[str, list[str]] = {}
        self.hang_seconds = 0.0
        self.refuse_connections = 0
        self.answers: list[tuple[str, str, str]] = []  # (recipient, Message-ID or "", answer), in order
        self.queue_ids: dict[str, list[str]] = {}  # Message-ID: the queue ids its 250s named
        self._queued = 0

    def _next(self, recipient: str, stages: tuple[str, ...]) -> str | None:
        planned = self.script.get(recipient)
        if planned and planned[0] in stages:
            return planned.pop(0)
        return None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # The sender is the same for every email: the script is keyed by the recipient next in line.
        for recipient, planned in self.script.items():
            if planned and planned[0] == "553-mail":
                planned.pop(0)
                self.answers.append((recipient, "", "553-mail"))
                return ANSWERS["553-mail"]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self._next(address, ("451-rcpt", "550-rcpt"))
        if answer is not None:
            self.answers.append((address, "", answer))
            return ANSWERS[answer]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        message_id = str(message["Message-ID"])
        recipient = envelope.rcpt_tos[0]
        answer = self._next(recipient, ("451-data", "554-data", "hang", "drop"))
        if answer is not None:
            self.answers.append((recipient, message_id, answer))
        if answer in ANSWERS:
            return ANSWERS[answer]
        if answer == "drop":
            server.transport.abort()  # no reply at all: what a crash or a cut cable looks like
            return "250 never seen by the client"
        if answer == "hang":
            await asyncio.sleep(self.hang_seconds)
        self.message_ids[message_id] += 1
        self._queued += 1
        queue_id = f"Q{self._queued:05d}"
        self.queue_ids.setdefault(message_id, []).append(queue_id)
        self.answers.append((recipient, message_id, "250"))
        self.received.set()
        if self.on_message is not None:
            self.on_message(message_id)
        if self.delay:
            await asyncio.sleep(self.delay)
        return f"250 2.0.0 Ok: queued as {queue_id}"

    def start(self) -> SmtpSink:
        self.controller = _Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self, timeout: int = 5) -> dict[str, str]:
        """Return the environment that points orderctl's SMTP backend here."""
        return {
            "EMAIL_BACKEND": "directives.notices.mail.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": str(timeout),
        }


class TcpProxy:
    """Forward a loopback port to ``target``; ``cut()`` drops every connection and refuses new ones
    (the service is down, as its clients see it), ``restore()`` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = ephemeral_port()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None
        self.outages = 0  # cut_for's, timed outages

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    restore = start

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            with self.lock:
                self.sockets -= {source, sink}

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        if self.listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it accepting.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            open_sockets = list(self.sockets)
        for s in open_sockets:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def cut_for(self, seconds: float) -> None:
        """Cut now and restore after ``seconds``, in the background."""
        self.outages += 1
        self.cut()

        def restore_later() -> None:
            # A sleeping thread, not threading.Timer: a timed condition wait does not wake under
            # libfaketime (`make test-future`), a plain sleep does.
            time.sleep(seconds)
            self.restore()

        threading.Thread(target=restore_later, daemon=True).start()


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.1)
