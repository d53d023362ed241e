"""The proof's own records: signed checkpoints of every chain, and the access log.

Both are append-only like the directives' events: the application inserts and reads them; on
PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE, and the application's role holds neither of
those privileges (``ledger/pg.py``, docs/history-proof.md).
"""

from __future__ import annotations

from django.db import models


class Checkpoint(models.Model):
    """A signed statement of every chain's head at one instant (``ledger/checkpoints.py``).

    ``line`` is the checkpoint exactly as it is sent to the sinks outside the database, a JSON line
    that verifies on its own: checking it needs only the line and the trusted public keys.
    """

    created = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    line = models.TextField(help_text="The signed checkpoint as JSON, exactly as the sinks received it.")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Checkpoint {self.pk} of {self.created:%Y-%m-%d %H:%M:%S} UTC"


class AccessEvent(models.Model):
    """One change of who may do what, in a hash chain of its own (``ledger/audit.py``).

    People and agencies are named by id, which never changes, so that renaming one (itself an event
    here) leaves the proof intact; there are no foreign keys, so the log outlives what it names.
    """

    class Kind(models.TextChoices):
        MEMBERSHIP_GRANTED = "membership_granted", "Membership granted"
        MEMBERSHIP_CHANGED = "membership_changed", "Membership role changed"
        MEMBERSHIP_REVOKED = "membership_revoked", "Membership revoked"
        REVIEWER_GRANTED = "reviewer_granted", "Oversight reviewer granted"
        REVIEWER_REVOKED = "reviewer_revoked", "Oversight reviewer revoked"
        USER_CREATED = "user_created", "User created"
        USER_FLAGS_CHANGED = "user_flags_changed", "Staff, superuser or active flag changed"
        USER_RENAMED = "user_renamed", "User renamed"
        USER_DELETED = "user_deleted", "User deleted"
        AGENCY_RENAMED = "agency_renamed", "Agency renamed"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
        # What leaves the site: a public feed of an order, a webhook, a calendar feed's secret address.
        ORDER_PUBLISHED = "order_published", "Order published as open data"
        ORDER_UNPUBLISHED = "order_unpublished", "Order withdrawn from open data"
        WEBHOOK_CREATED = "webhook_created", "Webhook subscription created"
        WEBHOOK_CHANGED = "webhook_changed", "Webhook subscription changed"
        WEBHOOK_DELETED = "webhook_deleted", "Webhook subscription deleted"
        WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated", "Webhook signing secret rotated"
        CALENDAR_KEY_ROTATED = "calendar_key_rotated", "Calendar feed address made or rotated"
        NOTICE_FEED_KEY_ROTATED = "notice_feed_key_rotated", "Notices feed address made or rotated"
        SIGN_ON_LINKED = "sign_on_linked", "Single sign-on identity linked"
        SIGN_ON_UNLINKED = "sign_on_unlinked", "Single sign-on identity unlinked"

    seq = models.PositiveIntegerField(unique=True, help_text="Place in the access log's chain, from 1.")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor_id = models.BigIntegerField(
        null=True, blank=True, help_text="Who did it (user id); empty: the system."
    )
    subject_id = models.BigIntegerField(null=True, blank=True, help_text="The user it concerns (user id).")
    agency_id = models.BigIntegerField(null=True, blank=True, help_text="The agency it concerns (agency id).")
    detail = models.TextField(help_text="What changed, as canonical JSON.")
    created = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    signed_from = models.PositiveIntegerField(null=True, blank=True)
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=88, blank=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"

    def __str__(self) -> str:
        return f"{self.seq}: {self.get_kind_display()} at {self.created:%Y-%m-%d %H:%M}"
