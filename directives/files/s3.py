"""The S3-compatible evidence storage, unable to hand out a URL (as ``storing``'s local one).

A module of its own, loaded by ``STORAGES["evidence"]`` only where it is configured: django-storages'
S3 backend brings boto3, about 0.2 s to import, which no other process start needs.
"""

from __future__ import annotations

from typing import Any

from storages.backends.s3 import S3Storage

from .storing import _refuse


class PrivateS3Storage(S3Storage):  # type: ignore[misc]  # django-storages ships no types
    """An S3-compatible bucket, objects private (no ACL given: the bucket's default, never public-read)."""

    def url(
        self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None
    ) -> str:
        return _refuse(name)
