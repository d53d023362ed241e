"""The evidence storages: the local and S3 backends, made unable to hand out a URL.

Evidence is served only by the download view, after a permission check; a template or serializer
that asked the storage for a URL (``FileField.url``, ``storage.url``) would publish it, so these
backends refuse.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.backends.s3 import S3Storage


class PublicURLRefused(Exception):
    """An evidence file was asked for a URL: evidence is served only by the download view."""


def _refuse(name: str | None) -> str:
    raise PublicURLRefused(f"evidence {name!r} has no URL: it is served only through the download view")


class PrivateFileSystemStorage(FileSystemStorage):
    """Local files in a private folder (``EVIDENCE_DIR``), which nothing serves."""

    def url(self, name: str | None) -> str:
        return _refuse(name)


class PrivateS3Storage(S3Storage):  # type: ignore[misc]  # django-storages ships no types
    """An S3-compatible bucket, objects private (no ACL given: the bucket's default, never public-read)."""

    def url(
        self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None
    ) -> str:
        return _refuse(name)


def evidence_storage() -> Storage:
    """Return the storage ``STORAGES["evidence"]`` configures."""
    return storages["evidence"]
