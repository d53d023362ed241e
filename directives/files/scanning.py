"""The optional virus scan: clamd's INSTREAM command over TCP or a Unix socket (``EVIDENCE_SCANNER``).

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the file in chunks, each a 4-byte big-endian
length and its bytes, then a zero length; clamd answers ``stream: OK`` or ``stream: <name> FOUND``
(``... ERROR`` when it could not scan), terminated by a NUL.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from urllib.parse import urlsplit

CHUNK = 64 * 1024


class Infected(Exception):
    """The scanner flagged the file; ``signature`` is what it found."""

    def __init__(self, signature: str):
        super().__init__(signature)
        self.signature = signature


class ScannerUnavailable(Exception):
    """The scanner could not be reached or did not give a verdict: the upload is refused (fail closed)."""


def _connect(address: str, timeout: float) -> socket.socket:
    parts = urlsplit(address)
    if parts.scheme != "clamd":
        raise ScannerUnavailable(f"unsupported scanner address {address!r}")
    if parts.hostname:
        return socket.create_connection((parts.hostname, parts.port or 3310), timeout=timeout)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.settimeout(timeout)
    unix.connect(parts.path)
    return unix


def scan(address: str, chunks: Iterable[bytes], *, timeout: float = 60) -> None:
    """Send the file to clamd at ``address``; raise ``Infected`` or ``ScannerUnavailable`` unless OK."""
    try:
        with _connect(address, timeout) as conn:
            conn.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK):
                    piece = chunk[start : start + CHUNK]
                    conn.sendall(struct.pack("!L", len(piece)) + piece)
            conn.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                data = conn.recv(4096)
                if not data:
                    break
                answer += data
    except OSError as exc:
        raise ScannerUnavailable(f"the virus scanner at {address} could not be reached: {exc}") from exc
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    verdict = text.partition(": ")[2] if ": " in text else text
    if verdict == "OK":
        return
    if verdict.endswith(" FOUND"):
        raise Infected(verdict.removesuffix(" FOUND"))
    raise ScannerUnavailable(f"the virus scanner gave no verdict: {text or 'no answer'}")
