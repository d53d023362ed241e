"""What an evidence file is, read from its bytes: the client's content type and the name's extension
are never trusted (the name must agree with the bytes, or the upload is refused).

Binary formats by their signatures (``filetype``: PDF, PNG, JPEG, and the Office Open XML documents,
which are zip files told apart by their parts); plain text by being UTF-8 without NUL bytes.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import IO

import filetype

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Each allowed content type: what it is called in an error message, and the extensions a name may have.
ALLOWED: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("a PDF document", (".pdf",)),
    DOCX: ("a Word document", (".docx",)),
    XLSX: ("an Excel workbook", (".xlsx",)),
    PPTX: ("a PowerPoint presentation", (".pptx",)),
    "image/png": ("a PNG image", (".png",)),
    "image/jpeg": ("a JPEG image", (".jpg", ".jpeg")),
    "text/plain": ("plain text", (".txt", ".csv", ".md")),
}
# filetype reads the signatures from the first bytes; the Office parts are named near the start.
HEAD = 8192


@dataclass(frozen=True)
class Sniffed:
    """What the bytes are: a content type (``ALLOWED``'s, or filetype's for a refused one) and its label."""

    content_type: str
    label: str

    @property
    def allowed(self) -> bool:
        return self.content_type in ALLOWED

    @property
    def extensions(self) -> tuple[str, ...]:
        return ALLOWED[self.content_type][1] if self.allowed else ()


def sniff(stream: IO[bytes]) -> Sniffed:
    """Return what the file in ``stream`` is, from its signature, or (text) from every byte."""
    stream.seek(0)
    kind = filetype.guess(stream.read(HEAD))
    if kind is not None:
        mime = str(kind.mime)
        return Sniffed(mime, ALLOWED[mime][0] if mime in ALLOWED else f"{mime} ({kind.extension})")
    if _is_text(stream):
        return Sniffed("text/plain", ALLOWED["text/plain"][0])
    return Sniffed("application/octet-stream", "unrecognised binary data")


def _is_text(stream: IO[bytes]) -> bool:
    """Return whether the whole stream is UTF-8 without NUL bytes (read in pieces, decoded incrementally)."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while piece := stream.read(64 * 1024):
            if b"\x00" in piece:
                return False
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
