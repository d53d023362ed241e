"""An upload the server has no room for: 503 naming the problem, and nothing left behind.

The disk is a real folder behind a storage with room for only ``FullDisk.room`` bytes: Django's own
``FileSystemStorage`` writes what fits, then the write fails with ENOSPC, as on a full disk. The
temporary file Django spools a large upload to is filled the same way, by an upload handler that
fails with ENOSPC after its first chunk.
"""

from __future__ import annotations

import errno
import os

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from directives.files.storing import PrivateFileSystemStorage
from directives.models import DirectiveEvent, EvidenceFile

from . import samples
from .conftest import stored_files, upload


class FullDisk(PrivateFileSystemStorage):
    """A folder with room for ``room`` bytes: a longer file is written that far, then ENOSPC."""

    room = 100
    errno = errno.ENOSPC

    def _save(self, name, content):
        original = content.chunks

        def chunks(chunk_size=None):
            written = 0
            for chunk in original(chunk_size):
                if written + len(chunk) > self.room:
                    yield chunk[: self.room - written]
                    raise OSError(self.errno, os.strerror(self.errno))
                written += len(chunk)
                yield chunk

        content.chunks = chunks
        return super()._save(name, content)  # type: ignore[misc]  # Django's, not in the stubs


class OverQuota(FullDisk):
    errno = errno.EDQUOT


class FullTemporaryFolder(TemporaryFileUploadHandler):
    """Django's handler for large uploads, on a temporary folder that fills up at the first chunk."""

    def receive_data_chunk(self, raw_data, start):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture(params=[FullDisk, OverQuota])
def full_disk(request, settings, evidence_dir):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": f"{__name__}.{request.param.__name__}",
            "OPTIONS": {"location": str(evidence_dir)},
        },
    }
    return request.param


def nothing_written(evidence_dir, d) -> bool:
    return (
        not stored_files(evidence_dir)
        and not EvidenceFile.objects.exists()
        and not DirectiveEvent.objects.filter(directive=d, kind=DirectiveEvent.Kind.EVIDENCE_ADDED).exists()
    )


def test_a_page_upload_to_a_full_disk_is_a_503_naming_the_problem_and_leaves_nothing(
    client, directive, cisa_editor, full_disk, evidence_dir
):
    d = directive("2(c)(i)")
    client.force_login(cisa_editor)
    response = client.post(
        reverse("directive_detail", args=[d.pk]),
        {"form": "evidence", "file": upload("memo.pdf", samples.pdf())},
    )
    assert response.status_code == 503
    problem = "storage is full" if full_disk is FullDisk else "storage quota is used up"
    assert f"The file was not stored: the server&#x27;s {problem}" in response.content.decode()
    assert response["Retry-After"] == "300"
    assert nothing_written(evidence_dir, d)


def test_an_api_upload_to_a_full_disk_is_a_503_naming_the_problem_and_leaves_nothing(
    as_cisa, directive, full_disk, evidence_dir
):
    d = directive("2(c)(i)")
    response = as_cisa.post(
        reverse("api:directive-evidence-list", args=[d.pk]),
        {"file": upload("memo.pdf", samples.pdf())},
        format="multipart",
    )
    assert response.status_code == 503
    problem = "storage is full" if full_disk is FullDisk else "storage quota is used up"
    assert response.json() == {
        "detail": [f"The file was not stored: the server's {problem}. Nothing was saved; try again later."]
    }
    assert nothing_written(evidence_dir, d)


def test_an_upload_the_temporary_folder_has_no_room_for_is_a_503_in_the_apis_shape(
    as_cisa, directive, settings, evidence_dir
):
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.FullTemporaryFolder"]
    d = directive("2(c)(i)")
    response = as_cisa.post(
        reverse("api:directive-evidence-list", args=[d.pk]),
        {"file": upload("memo.pdf", samples.pdf())},
        format="multipart",
    )
    assert response.status_code == 503
    assert response.json() == {
        "detail": [
            "The request was not saved: the server's storage is full. Nothing was written; try again later."
        ]
    }
    assert nothing_written(evidence_dir, d)


def test_the_same_upload_succeeds_once_there_is_room(client, directive, cisa_editor, evidence_dir, settings):
    # The failure was the disk's, not the file's: with room, the same bytes are attached.
    d = directive("2(c)(i)")
    client.force_login(cisa_editor)
    response = client.post(
        reverse("directive_detail", args=[d.pk]),
        {"form": "evidence", "file": upload("memo.pdf", samples.pdf())},
    )
    assert response.status_code == 302
    assert len(stored_files(evidence_dir)) == 1
