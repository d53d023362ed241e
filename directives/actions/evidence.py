"""Attaching evidence files to a directive: checked whole, stored, and hashed into its history.

An upload is refused, with a message at the ``file`` field and nothing stored, when it is empty or
over ``EVIDENCE_MAX_BYTES``, when its bytes are not an allowed type (``files.ALLOWED``) or its name's
extension does not agree with them, or when the virus scanner (``EVIDENCE_SCANNER``) flags it or
cannot be reached. The bytes are written to the evidence storage before the transaction that records
them; if that transaction fails, they are removed again, so no row points at missing bytes and no
bytes are left without a row. A storage that cannot keep them (a full disk, a quota, S3 unreachable)
raises ``files.StorageUnavailable`` naming the problem, after removing whatever part of the file it
wrote: the views answer 503.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from directives import files, history
from directives.models.attachments import evidence_note
from directives.queries import permissions

from ..models import Directive, EvidenceFile
from . import events
from .common import lock

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def clean_name(raw: str) -> str:
    """Return an uploaded file's name without folders or control characters, at most 200 characters."""
    name = _UNSAFE.sub("", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_LENGTH - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else name[:200]
    return name


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    stream.seek(0)
    while chunk := stream.read(64 * 1024):
        yield chunk


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def attach_evidence(directive: Directive, upload: UploadedFile[bytes], *, actor: User | None) -> EvidenceFile:
    """Check ``upload``, store it, and record it in ``directive``'s history; return the new row.

    Editors of a lead agency (and administrators) attach; anyone else gets ``PermissionDenied``.
    """
    if actor is not None:
        permissions.require_update_status(actor, directive)
    name = clean_name(upload.name or "")
    limit = settings.EVIDENCE_MAX_BYTES
    size = upload.size or 0
    if not name:
        raise _refuse("The file has no name.")
    if size == 0:
        raise _refuse("The file is empty.")
    if size > limit:
        raise _refuse(
            f"The file is {size:,} bytes; the most allowed is {limit:,} bytes ({limit // 2**20} MB)."
        )

    try:
        return _check_and_store(directive, actor, upload, name, limit)
    except OSError as exc:  # the spool's temporary folder, or a storage error that is an OSError
        problem = files.storage_problem(exc)
        if problem is None:
            raise
        logger.error("evidence upload for directive %s not stored: %s (%s)", directive.pk, problem, exc)
        raise files.StorageUnavailable(
            f"The file was not stored: {problem}. Nothing was saved; try again later."
        ) from exc


def _check_and_store(
    directive: Directive, actor: User | None, upload: UploadedFile[bytes], name: str, limit: int
) -> EvidenceFile:
    # Spooled to a private temporary file: hashed, sniffed and scanned from the same bytes that are stored.
    with tempfile.SpooledTemporaryFile(max_size=2 * 2**20) as spool:
        digest = hashlib.sha256()
        written = 0
        for chunk in upload.chunks():
            written += len(chunk)
            if written > limit:  # the client's size is a claim: the bytes decide
                raise _refuse(f"The file is larger than the most allowed, {limit:,} bytes.")
            digest.update(chunk)
            spool.write(chunk)
        if written == 0:
            raise _refuse("The file is empty.")
        sniffed = files.sniff(spool)
        if not sniffed.allowed:
            allowed = ", ".join(label for label, _ in files.ALLOWED.values())
            raise _refuse(
                f"The file's content is {sniffed.label}, which cannot be attached; allowed: {allowed}."
            )
        extension = os.path.splitext(name)[1].lower()
        if extension not in sniffed.extensions:
            raise _refuse(
                f"The file is named {name!r} but its content is {sniffed.label}: its name must end with "
                f"{' or '.join(sniffed.extensions)}."
            )
        if settings.EVIDENCE_SCANNER:
            try:
                files.scan(
                    settings.EVIDENCE_SCANNER, _chunks(spool), timeout=settings.EVIDENCE_SCANNER_TIMEOUT
                )
            except files.Infected as infected:
                raise _refuse(
                    f"The virus scanner flagged this file ({infected.signature}); it was not stored."
                ) from None
            except files.ScannerUnavailable as exc:
                logger.error("evidence upload refused: %s", exc)
                raise _refuse(
                    "The file could not be scanned for viruses (the scanner is unavailable); it was not "
                    "stored. Try again later."
                ) from None

        sha256 = digest.hexdigest()
        storage = files.evidence_storage()
        key = f"evidence/{directive.order_id}/{directive.pk}/{uuid.uuid4().hex}"
        spool.seek(0)
        try:
            stored_key = storage.save(key, File(spool, name=key))
        except Exception as exc:
            # A disk that filled up mid-write leaves the part it wrote: remove it, then say why.
            _remove_quietly(storage, key)
            problem = files.storage_problem(exc)
            if problem is None:
                raise
            logger.error("evidence upload for directive %s not stored: %s (%s)", directive.pk, problem, exc)
            raise files.StorageUnavailable(
                f"The file was not stored: {problem}. Nothing was saved; try again later."
            ) from exc
    try:
        return _record(directive, actor, name, sniffed.content_type, written, sha256, stored_key)
    except BaseException:
        storage.delete(stored_key)
        raise


def _remove_quietly(storage: Any, key: str) -> None:
    try:
        storage.delete(key)
    except Exception:  # the storage is failing already: the original error is the one to report
        logger.warning("could not remove the partial evidence file %s", key, exc_info=True)


def _record(
    directive: Directive, actor: User | None, name: str, content_type: str, size: int, sha256: str, key: str
) -> EvidenceFile:
    now = timezone.now()
    with transaction.atomic():
        current = lock(directive)
        # Checked again under the lock: the agencies may have changed while the file was checked.
        if actor is not None:
            permissions.require_update_status(actor, current)
        note = evidence_note(name=name, content_type=content_type, size=size, sha256=sha256)
        event = events.evidence_added(
            current,
            note=note,
            actor=actor,
            agency=permissions.acting_agency(actor, current) if actor is not None else None,
            created=now,
        )
        event_id = history.append([event])[0]
        return EvidenceFile.objects.create(
            directive=current,
            event_id=event_id,
            name=name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            storage_key=key,
            uploaded_by=actor,
            created=now,
        )
