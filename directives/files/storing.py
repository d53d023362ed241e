"""The evidence storages: the local backend (the S3 one in ``s3``), made unable to hand out a URL.

Evidence is served only by the download view, after a permission check; a template or serializer
that asked the storage for a URL (``FileField.url``, ``storage.url``) would publish it, so these
backends refuse.
"""

from __future__ import annotations

import errno

from django.core.files.storage import FileSystemStorage, Storage, storages


class StorageUnavailable(Exception):
    """The evidence storage could not keep a file (no space, over quota, unreachable): try again later.

    Its message names the problem for the person uploading; nothing of the file was kept.
    """


# What a full or failing disk says when written to: no space, over quota, a file too big for it, a
# read-only or failing device. Anything else (a bug, a permission) stays a 500.
STORAGE_ERRNOS = {
    errno.ENOSPC: "the server's storage is full",
    errno.EDQUOT: "the server's storage quota is used up",
    errno.EFBIG: "the file is too big for the server's storage",
    errno.EROFS: "the server's storage is read-only",
    errno.EIO: "the server's storage failed to write",
}


def storage_problem(exc: BaseException) -> str | None:
    """Return what ``exc`` says is wrong with the storage, in a few words, or None if it is not that."""
    if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
        return STORAGE_ERRNOS[exc.errno]
    # S3-compatible storage: the endpoint unreachable or refusing (botocore's errors, quota included).
    if type(exc).__module__.startswith(("botocore", "boto3", "s3transfer")):
        return "the server's file storage is unavailable"
    return None


class PublicURLRefused(Exception):
    """An evidence file was asked for a URL: evidence is served only by the download view."""


def _refuse(name: str | None) -> str:
    raise PublicURLRefused(f"evidence {name!r} has no URL: it is served only through the download view")


class PrivateFileSystemStorage(FileSystemStorage):
    """Local files in a private folder (``EVIDENCE_DIR``), which nothing serves."""

    def url(self, name: str | None) -> str:
        return _refuse(name)


def evidence_storage() -> Storage:
    """Return the storage ``STORAGES["evidence"]`` configures."""
    return storages["evidence"]
