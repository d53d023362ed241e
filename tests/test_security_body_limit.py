"""Request bodies are bounded before they are read: an anonymous client sending 600 MB gets a 413
before the server reads (or spools to disk) more than a few socket buffers of it; a file inside an
accepted body is limited while it is read.

Over a real socket on loopback (the live test server), with the body generated lazily, never held.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from directives.models import EvidenceFile

SIX_HUNDRED_MB = 600 * 1024 * 1024
CHUNK = 1024 * 1024


def _rss_bytes() -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) * 1024


def _dir_bytes(path: Path) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(path) if entry.is_file())


class Peaks(threading.Thread):
    """Sample this process's resident memory and the upload directory's size until stopped."""

    def __init__(self, upload_dir: Path):
        super().__init__(daemon=True)
        self.upload_dir = upload_dir
        self.rss = self.disk = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.rss = max(self.rss, _rss_bytes())
            self.disk = max(self.disk, _dir_bytes(self.upload_dir))
            self.done.wait(0.02)


def send_large_body(url: str, path: str, size: int) -> tuple[str, int]:
    """POST ``size`` bytes of a multipart body, made as it is sent, anonymously; return the status line
    and how many body bytes went out before the server answered or closed.

    With a CSRF cookie of the client's own making and no token header, as an attacker would: Django's
    CSRF check then parses the form to look for the token in it, reading the whole body first."""
    target = urlsplit(url)
    boundary = "orderctl-test-boundary"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {target.netloc}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {size}\r\n"
        f"Cookie: csrftoken={'a' * 32}\r\n\r\n"
    )
    sent = 0
    with socket.create_connection((target.hostname, target.port), timeout=30) as sock:
        sock.sendall(head.encode())
        preamble = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        sock.sendall(preamble)
        sent = len(preamble)
        sock.setblocking(False)
        chunk = b"%PDF" + b"x" * (CHUNK - 4)
        answer = b""
        while sent < size:
            try:
                answer += sock.recv(65536)
                if answer:
                    break
            except BlockingIOError:
                pass
            except (ConnectionResetError, BrokenPipeError):
                break
            try:
                sent += sock.send(chunk[: min(CHUNK, size - sent)])
            except BlockingIOError:
                time.sleep(0.001)
            except (ConnectionResetError, BrokenPipeError):
                break
        sock.setblocking(True)
        sock.settimeout(30)
        try:
            while b"\r\n" not in answer:
                more = sock.recv(65536)
                if not more:
                    break
                answer += more
        except (ConnectionResetError, BrokenPipeError):
            pass
    return answer.split(b"\r\n", 1)[0].decode(), sent


@pytest.fixture
def upload_dir(tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def test_an_anonymous_600_mb_body_is_refused_before_it_is_read(live_server, upload_dir, directive):
    path = f"/directives/{directive('2(c)(ii)').pk}/"  # where the evidence form is sent
    peaks = Peaks(upload_dir)
    baseline = _rss_bytes()
    peaks.start()
    try:
        status, sent = send_large_body(live_server.url, path, SIX_HUNDRED_MB)
    finally:
        peaks.done.set()
        peaks.join()
    assert status.startswith("HTTP/1.1 413"), status
    # The server answered after reading at most a few socket buffers, not the body.
    assert sent < 64 * CHUNK, f"{sent:,} bytes were sent before the answer"
    assert peaks.disk == 0, f"{peaks.disk:,} bytes were spooled to disk"
    assert peaks.rss - baseline < 64 * CHUNK, f"memory grew by {peaks.rss - baseline:,} bytes"
    assert not EvidenceFile.objects.exists()


def test_the_api_answers_413_in_its_error_shape(client, settings):
    response = client.post(
        "/api/v1/directives/", data=b"{}", content_type="application/json",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )  # fmt: skip
    assert response.status_code == 413
    assert "at most" in response.json()["detail"][0]


@pytest.mark.parametrize("length", ["-1", "lots"])
def test_a_content_length_that_is_not_a_size_is_a_400(client, length):
    response = client.post("/accounts/login/", data=b"", content_type="text/plain", CONTENT_LENGTH=length)
    assert response.status_code == 400


def test_a_file_over_the_largest_upload_is_refused_while_it_is_read(
    client, cisa_editor, directive, settings, upload_dir
):
    """The body is within REQUEST_MAX_BYTES, the file is not within UPLOAD_MAX_BYTES: reading stops."""
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    client.force_login(cisa_editor)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"x" * (settings.UPLOAD_MAX_BYTES + 1))
    response = client.post(f"/directives/{directive('2(c)(ii)').pk}/", {"form": "evidence", "file": big})
    assert response.status_code in (400, 413)
    assert not EvidenceFile.objects.exists()
    assert _dir_bytes(upload_dir) == 0


def test_a_body_within_the_limit_is_read_as_before(db):
    response = Client().post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 200
