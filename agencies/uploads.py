"""A file inside a request is limited while it is read, not after it has been stored."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class BoundedUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: stop reading as soon as one file passes
    ``UPLOAD_MAX_BYTES`` (the largest file any form takes), before the next handler keeps any more of it.
    The request is then refused (a 400, or the API's 413); forms check their own smaller limits at the
    field."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            raise RequestDataTooBig(
                f"{self.file_name!r} is over {settings.UPLOAD_MAX_BYTES:,} bytes: refused while reading"
            )
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
