"""Each directive's history: append-only events, chained per order (directives/history/)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from agencies.models import Agency

from .choices import Status
from .directives import Directive
from .orders import Order


class DirectiveEvent(models.Model):
    """One entry of a directive's append-only history. The application never updates or deletes one.

    Events form a hash chain per order: ``seq`` numbers them 1, 2, 3 ... within the order, and ``hash``
    covers the event's content and ``prev_hash``, the hash of the order's event before it (see
    ``directives/history/`` for the canonical form), and each append is signed. Only
    ``history.append`` writes one; on PostgreSQL triggers refuse every UPDATE, DELETE and TRUNCATE of
    this table, and the application's role may only SELECT and INSERT it (``ledger/pg.py``).
    """

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Definition updated"
        STATUS_CHANGED = "status_changed", "Status changed"
        NOTE = "note", "Note"
        FORECAST_CHANGED = "forecast_changed", "Forecast changed"
        DEADLINE_EXTENDED = "deadline_extended", "Deadline extended"
        EVENT_DATED = "event_dated", "Event date recorded"
        # An after_directive deadline dated when the directive it waits for is completed (the note names it).
        DEADLINE_SET = "deadline_set", "Deadline set"
        # A later order's [[amends]]: the deadline (and agencies) it gives; the note names that order.
        AMENDED = "amended", "Amended by a later order"
        FLAGGED_OVERDUE = "flagged_overdue", "Flagged overdue"
        REMINDER_SENT = "reminder_sent", "Reminder sent"
        ESCALATED = "escalated", "Escalated to oversight"
        # The review axis: one kind a verdict, so the hashed content says which (docs/oversight.md).
        VERIFIED = "verified", "Reviewed: verified"
        DISPUTED = "disputed", "Reviewed: disputed"
        NO_EVIDENCE_FOUND = "no_evidence_found", "Reviewed: no evidence found"
        # A completion recorded long after its claimed date, or dated before an earlier one: the note
        # gives both dates. Appended with the status change it flags.
        COMPLETION_FLAGGED = "completion_flagged", "Completion flagged for review"
        # Extension requests: asked (old and new date, the justification) and denied (the reason);
        # an approval is the deadline_extended event it causes.
        EXTENSION_REQUESTED = "extension_requested", "Extension requested"
        EXTENSION_DENIED = "extension_denied", "Extension denied"
        # An evidence file attached (directives/models/attachments.py): the note names it and its SHA-256.
        EVIDENCE_ADDED = "evidence_added", "Evidence attached"

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    old_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    # A link (http or https, checked by the actions); a review's evidence may also be a reference such
    # as a report's number (actions.reviews), so the column is text.
    evidence_url = models.CharField(max_length=500, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    old_forecast_on = models.DateField(null=True, blank=True)
    new_forecast_on = models.DateField(null=True, blank=True)
    old_due_on = models.DateField(null=True, blank=True)
    new_due_on = models.DateField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directive_events",
        help_text="Empty for the system (sweeps, roll-ups, loads).",
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Acted for."
    )
    created = models.DateTimeField()
    # The chain. The order is the directive's, stored again so that (order, seq) can be unique: that
    # constraint serialises nothing by itself (appends lock the order row) but makes a fork impossible.
    # Its index serves lookups by order too, so the foreign key needs none of its own (one index
    # fewer to maintain for each of the sweep's tens of thousands of inserts).
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        help_text="The chain the event is in.",
    )
    seq = models.PositiveIntegerField(help_text="Place in the order's chain, from 1.")
    prev_hash = models.CharField(max_length=64, help_text="The hash of the order's previous event.")
    hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical content and prev_hash.")
    # Set on the newest event of each append to the order (history.append): the Ed25519 signature, by
    # the key of ledger/keys.py, over the chain's name, this append's first seq, this seq and hash.
    signed_from = models.PositiveIntegerField(
        null=True, blank=True, help_text="First seq of the append it signs."
    )
    key_id = models.CharField(max_length=16, blank=True, help_text="The signing key's id.")
    signature = models.CharField(max_length=88, blank=True, help_text="Ed25519, base64.")

    class Meta:
        # Newest first by the chain's sequence: the wall clock orders nothing (a directive's events
        # are all in its order's chain, so seq alone orders them).
        ordering = ["-seq"]
        constraints = [
            # The index behind it also finds an order's newest event (the chain's head) for an append.
            models.UniqueConstraint(fields=["order", "seq"], name="event_order_seq_unique"),
        ]
        # A directive's history, newest first (its page and the API's events list).
        indexes = [
            models.Index(fields=["directive", "-seq"], name="event_directive_seq_idx"),
            # The completions and reopenings the dashboard's history chart replays (charts.py): a few
            # percent of the events, read from the index alone (every column the chart reads is in it).
            models.Index(
                fields=["directive", "completed_on", "created", "old_status", "new_status"],
                condition=models.Q(kind="status_changed")
                & (models.Q(new_status=Status.COMPLETED) | models.Q(old_status=Status.COMPLETED)),
                name="event_completion_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.directive.ref}: {self.get_kind_display()} at {self.created:%Y-%m-%d %H:%M}"
