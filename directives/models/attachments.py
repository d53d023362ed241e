"""Evidence files: documents an agency attaches to a directive, kept in storage, hashed into the history.

The row holds what the history's ``evidence_added`` event says (name, size, sniffed type, SHA-256) and
where the bytes are in the ``evidence`` storage (``settings.STORAGES``); the bytes themselves never
pass through a public URL (``directives/pages/evidence.py`` streams them to those who may read the
directive). Only ``actions.attach_evidence`` writes one; rows are never changed or deleted by the
application. Re-exported by ``directives.models``; its foreign keys are by name, so no import cycle.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


def evidence_note(*, name: str, content_type: str, size: int, sha256: str) -> str:
    """Return the note of a file's ``evidence_added`` event: what the history chain records of it.

    ``proof.verify`` recomputes it from each row, so a row edited after the fact no longer matches
    the event its hash covers.
    """
    return f"Evidence attached: {name} ({content_type}, {size:,} bytes), SHA-256 {sha256}"


class EvidenceFile(models.Model):
    directive = models.ForeignKey(
        "directives.Directive", on_delete=models.PROTECT, related_name="evidence_files"
    )
    # The event that put the file in the history chain (its note is ``evidence_note`` of this row).
    event = models.OneToOneField(
        "directives.DirectiveEvent", on_delete=models.PROTECT, related_name="evidence_file"
    )
    name = models.CharField(max_length=200, help_text="The file's name as uploaded, without any folder.")
    content_type = models.CharField(max_length=100, help_text="Sniffed from the bytes, never the client's.")
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the bytes, lowercase hex.")
    storage_key = models.CharField(
        max_length=200, unique=True, help_text="Where the bytes are in the evidence storage."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField()

    class Meta:
        ordering = ["directive", "created", "id"]
        # A directive's page and API representation list its files.
        indexes = [models.Index(fields=["directive", "created"], name="evidence_directive_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"

    @property
    def reference(self) -> str:
        """Return how a review cites this file as its evidence: its name and SHA-256."""
        return f"{self.name}, SHA-256 {self.sha256}"

    @property
    def note(self) -> str:
        return evidence_note(
            name=self.name, content_type=self.content_type, size=self.size, sha256=self.sha256
        )
