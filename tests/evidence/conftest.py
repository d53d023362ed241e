"""Evidence tests keep their files in a folder of their own, never in the project's data/ folder."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

# The API's persona clients (each with a personal token), shared with tests/api/.
from tests.api.conftest import (  # noqa: F401
    _fresh_rate_limits,
    anonymous,
    as_cisa,
    as_oncd,
    as_reviewer,
    as_treasury,
)


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    """Point the evidence storage at a fresh private folder (Django resets its storages on the change)."""
    folder = tmp_path / "evidence-store"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "directives.files.storing.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder) -> list:
    """Return every file under the evidence folder (nothing stored: an empty list)."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """Return an upload as a browser sends it; ``content_type`` is the client's claim, never trusted."""
    return SimpleUploadedFile(name, data, content_type=content_type)
