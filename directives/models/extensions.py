"""Extension requests: an agency asks oversight for a later deadline, and a reviewer decides.

Written only by ``actions.extensions``; each step is also an event of the directive's history
(``extension_requested``, then ``deadline_extended`` or ``extension_denied``). Re-exported by
``directives.models``; its foreign keys are by name, so the two modules make no cycle.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ExtensionRequest(models.Model):
    """A lead agency's request to move a directive's deadline, and the reviewer's decision on it."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    directive = models.ForeignKey("Directive", on_delete=models.PROTECT, related_name="extension_requests")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    current_due_on = models.DateField(help_text="The effective deadline when it was asked for.")
    requested_due_on = models.DateField(help_text="The date asked for: later than the current deadline.")
    justification = models.TextField(help_text="Why the agency needs more time.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extension_requests"
    )
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why denied (required), or a note on approval.")

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # One pending request per directive: a second waits until the first is decided.
            models.UniqueConstraint(
                fields=["directive"], condition=Q(state="pending"), name="extension_one_pending_per_directive"
            ),
            models.CheckConstraint(
                condition=Q(requested_due_on__gt=models.F("current_due_on")),
                name="extension_requested_later_than_current",
            ),
        ]
        # The dashboard lists the pending requests, oldest first.
        indexes = [
            models.Index(fields=["created"], name="extension_pending_idx", condition=Q(state="pending"))
        ]

    def __str__(self) -> str:
        return f"Extension of directive {self.directive_id} to {self.requested_due_on} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING
