"""Small real files of each kind, made in memory, and the scanner double (clamd's INSTREAM over TCP)."""

from __future__ import annotations

import io
import socket
import socketserver
import struct
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

# The EICAR anti-virus test file: every scanner flags it; it does nothing.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf() -> bytes:
    """Return a minimal, valid one-page PDF."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=12)
    doc.cell(0, 10, "Binding Operational Directive 26-01, as issued.")
    return bytes(doc.output())


def png() -> bytes:
    """Return a 1x1 PNG."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))

    header = struct.pack("!IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg() -> bytes:
    """Return the start of a JFIF file (its signature is what is sniffed)."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
    )


def office(part: str) -> bytes:
    """Return an Office Open XML package whose main part is under ``part`` ("word", "xl" or "ppt")."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        main = {"word": "word/document.xml", "xl": "xl/workbook.xml", "ppt": "ppt/presentation.xml"}[part]
        package.writestr(main, '<?xml version="1.0"?><document/>')
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("notes.txt", "not an Office document")
    return out.getvalue()


def executable() -> bytes:
    """Return the start of a Windows executable (MZ header)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


class _Clamd(socketserver.BaseRequestHandler):
    """Speak clamd's INSTREAM: read length-prefixed chunks to a zero length, flag the EICAR string."""

    def handle(self) -> None:
        conn: socket.socket = self.request
        command = b""
        while not command.endswith(b"\0"):
            command += conn.recv(1)
        assert command == b"zINSTREAM\0", command
        data = b""
        while True:
            size = struct.unpack("!L", _read(conn, 4))[0]
            if size == 0:
                break
            data += _read(conn, size)
        assert isinstance(self.server, _ScannerDouble)
        self.server.scanned.append(data)
        verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
        conn.sendall(verdict)


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        piece = conn.recv(size - len(data))
        if not piece:
            raise ConnectionError("the client closed the stream early")
        data += piece
    return data


class _ScannerDouble(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Clamd)
        self.scanned: list[bytes] = []


@contextmanager
def scanner_double() -> Iterator[tuple[str, list[bytes]]]:
    """Run the clamd double on a free local port; yield its address and the list of what it scanned."""
    server = _ScannerDouble()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"clamd://127.0.0.1:{server.server_address[1]}", server.scanned
    finally:
        server.shutdown()
        server.server_close()
