"""What must be done and by when: orders, their directives, and each directive's history.

State changes go through ``directives/actions.py``; nothing here saves domain state on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.models import Agency

from . import deadlines


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    COMPLETED = "completed", "Completed"


# Statuses that end a directive's duty: it is no longer open, so never overdue, reminded or flagged.
CLOSED_STATUSES = frozenset({Status.COMPLETED})
# The rules, stated once each, that the model's methods, the partial index, the sweep and its benchmark
# all use: "open", and "open and not yet flagged", the condition of directive_open_due_at_idx.
OPEN = ~Q(status__in=sorted(CLOSED_STATUSES))
FLAGGABLE = OPEN & Q(overdue_flagged_at__isnull=True)


class Outcome(models.TextChoices):
    ON_TIME = "on_time", "On time"
    LATE = "late", "Late"


class Order(models.Model):
    number = models.PositiveIntegerField(unique=True, help_text="The executive order's number, e.g. 14409.")
    title = models.CharField(max_length=300)
    signed_on = models.DateField()
    federal_register_citation = models.CharField(max_length=50, blank=True)
    federal_register_document = models.CharField(max_length=30, blank=True)
    published_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    notes = models.TextField(
        blank=True, help_text="Limitations and provisions worth showing, e.g. Sec. 3(c)."
    )
    deadline_policy = models.CharField(
        max_length=20,
        choices=[(p.value, p.value.replace("_", " ")) for p in deadlines.Policy],
        default=deadlines.Policy.LITERAL.value,
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-signed_on", "number"]

    def __str__(self) -> str:
        return f"Executive Order {self.number}"


class DirectiveQuerySet(models.QuerySet["Directive"]):
    def overdue(self, now: dt.datetime) -> DirectiveQuerySet:
        return self.filter(overdue_q(now))

    def open(self) -> DirectiveQuerySet:
        return self.filter(OPEN)

    def trackable(self) -> DirectiveQuerySet:
        """Return the directives that are tracked items of their own: every one but a parent with parts.

        A parent (2(c), Sec. 3) has no status of its own: it rolls up from its parts, which are what an
        agency delivers, what the numbers count and what notices are about.
        """
        return self.exclude(Exists(Directive.objects.filter(parent=OuterRef("pk"))))

    def led_by(self, agency_ids: Iterable[int] | QuerySet[Any, Any]) -> DirectiveQuerySet:
        return self.filter(
            Exists(
                Involvement.objects.filter(
                    directive=OuterRef("pk"), role=Involvement.Role.LEAD, agency_id__in=agency_ids
                )
            )
        )

    def with_agencies(self) -> DirectiveQuerySet:
        """Prefetch everything a list shows, so it costs the same queries for 10 rows or 10,000."""
        # Explicit orderings keep the prefetches off the models' default orderings, which join the
        # order table only to sort (measured: most of a 100,000-directive page's time).
        return self.select_related("order", "parent").prefetch_related(
            models.Prefetch(
                "involvements",
                queryset=Involvement.objects.select_related("agency").order_by("role", "position"),
            ),
            models.Prefetch(
                "children",
                queryset=Directive.objects.only(
                    "id", "ref", "parent_id", "position", "status", "due_at"
                ).order_by("position", "ref"),
            ),
        )


def own_overdue_q(now: dt.datetime) -> Q:
    """Return the database form of ``Directive.is_own_overdue``: its own deadline passed while open."""
    return Q(due_at__lte=now) & OPEN


def due_for_flagging_q(now: dt.datetime) -> Q:
    """Return what ``flag_overdue`` flags at ``now``: overdue and not flagged yet (``FLAGGABLE``)."""
    return Q(due_at__lte=now) & FLAGGABLE


def overdue_q(now: dt.datetime) -> Q:
    """Return the database form of ``Directive.is_overdue``: its own deadline passed, or a child's did."""
    child_overdue = Directive.objects.filter(own_overdue_q(now), parent=OuterRef("pk"))
    return own_overdue_q(now) | Q(Exists(child_overdue))


class Directive(models.Model):
    class DeadlineKind(models.TextChoices):
        DAYS_AFTER_ORDER = deadlines.RuleKind.DAYS_AFTER_ORDER.value, "Days after the Order"
        DAYS_FROM_EVENT = deadlines.RuleKind.DAYS_FROM_EVENT.value, "Days before or after an event"
        NONE = deadlines.RuleKind.NONE.value, "No deadline"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="directives")
    ref = models.CharField(max_length=30, help_text='The section reference, e.g. "2(c)(i)".')
    position = models.PositiveIntegerField(default=0, help_text="Place in the Order's text, for sorting.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    agencies = models.ManyToManyField(Agency, through="Involvement", related_name="directives")

    deadline_kind = models.CharField(max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.NONE)
    deadline_days = models.IntegerField(null=True, blank=True)
    deadline_event = models.CharField(max_length=200, blank=True)
    deadline_ongoing = models.BooleanField(default=False, help_text="The duty continues after the deadline.")
    event_on = models.DateField(
        null=True, blank=True, help_text="The date of the event a deadline counts from."
    )

    original_due_on = models.DateField(null=True, blank=True, help_text="As computed at load; never changed.")
    due_on = models.DateField(
        null=True, blank=True, help_text="Effective; moves only by a recorded extension."
    )
    due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the due day ends in America/New_York."
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    forecast_on = models.DateField(null=True, blank=True, help_text="The agency's projected completion date.")
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    created = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DirectiveQuerySet.as_manager()

    class Meta:
        ordering = ["order", "position", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["order", "ref"], name="directive_order_ref_unique"),
            models.CheckConstraint(
                condition=Q(status=Status.COMPLETED) | Q(completed_on__isnull=True),
                name="directive_completed_on_only_when_completed",
            ),
        ]
        indexes = [
            # flag_overdue sweeps `due_at__lte=now` over open, unflagged directives; this partial index
            # keeps that sweep an index range scan however many completed directives accumulate.
            models.Index(
                fields=["due_at"],
                name="directive_open_due_at_idx",
                condition=FLAGGABLE,
            ),
            # Dashboards and the API list directives by effective due date.
            models.Index(fields=["due_on"], name="directive_due_on_idx"),
        ]

    def __str__(self) -> str:
        return f"EO {self.order.number} sec. {self.ref}: {self.title}"

    # --- The deadline rule ----------------------------------------------------------------------------
    @property
    def rule(self) -> deadlines.Rule:
        if self.deadline_kind == self.DeadlineKind.DAYS_AFTER_ORDER:
            return deadlines.DaysAfterOrder(days=self._deadline_days(), ongoing=self.deadline_ongoing)
        if self.deadline_kind == self.DeadlineKind.DAYS_FROM_EVENT:
            return deadlines.DaysFromEvent(days=self._deadline_days(), event=self.deadline_event)
        return deadlines.NoDeadline()

    def _deadline_days(self) -> int:
        if self.deadline_days is None:  # load_order always stores the days of a rule that counts them
            raise ValueError(f"directive {self.pk} has a {self.deadline_kind} deadline without its days")
        return self.deadline_days

    # --- Agencies, from the prefetched involvements when there are any ----------------------------
    def _involved(self, role: str) -> list[Agency]:
        rows = [i for i in self.involvements.all() if i.role == role]
        return [i.agency for i in sorted(rows, key=lambda i: i.position)]

    @property
    def lead_agencies(self) -> list[Agency]:
        """Return the lead agencies, the owner first."""
        return self._involved(Involvement.Role.LEAD)

    @property
    def consulted_agencies(self) -> list[Agency]:
        return self._involved(Involvement.Role.CONSULTED)

    @property
    def owner(self) -> Agency | None:
        leads = self.lead_agencies
        return leads[0] if leads else None

    @property
    def is_parent(self) -> bool:
        return bool(self.children.all())

    # --- Derived state ----------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """Return whether the duty is still open (the model's form of ``OPEN``)."""
        return self.status not in CLOSED_STATUSES

    def is_own_overdue(self, now: dt.datetime) -> bool:
        return self.due_at is not None and now >= self.due_at and self.is_open

    def is_overdue(self, now: dt.datetime) -> bool:
        """Return whether the deadline has passed unmet, here or in a child (matches ``overdue_q``)."""
        return self.is_own_overdue(now) or any(child.is_own_overdue(now) for child in self.children.all())

    def days_overdue(self, now: dt.datetime) -> int | None:
        """Return the Eastern days since the due day ended while open; None when there is no deadline."""
        if self.due_on is None:
            return None
        if self.status == Status.COMPLETED:
            return 0
        return deadlines.days_overdue(self.due_on, now)

    def days_remaining(self, now: dt.datetime) -> int | None:
        """Return the Eastern days left to the due day while open and not overdue, else None."""
        if self.due_on is None or self.status == Status.COMPLETED or self.is_own_overdue(now):
            return None
        return deadlines.days_remaining(self.due_on, now)

    @property
    def days_late(self) -> int | None:
        """Return by how many days a completion missed the effective due date; None unless late."""
        # A late outcome has both dates; the checks say so to the type checker.
        if self.outcome != Outcome.LATE or self.completed_on is None or self.due_on is None:
            return None
        return (self.completed_on - self.due_on).days

    @property
    def outcome(self) -> str | None:
        """Return on time or late once completed (against the effective due date), else None."""
        if self.status != Status.COMPLETED or self.completed_on is None or self.due_on is None:
            return None
        return Outcome.ON_TIME if self.completed_on <= self.due_on else Outcome.LATE


class Involvement(models.Model):
    """An agency's part in a directive: a lead (owner first by position) or a consulted agency."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        CONSULTED = "consulted", "Consulted or coordinating"

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    role = models.CharField(max_length=10, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["directive", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "agency", "role"], name="involvement_unique"),
        ]
        indexes = [models.Index(fields=["agency", "role"], name="involvement_agency_role_idx")]

    def __str__(self) -> str:
        return f"{self.agency.abbreviation} {self.role} on {self.directive.ref}"


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
        FLAGGED_OVERDUE = "flagged_overdue", "Flagged overdue"
        REMINDER_SENT = "reminder_sent", "Reminder sent"
        ESCALATED = "escalated", "Escalated to oversight"

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    old_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
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
        indexes = [models.Index(fields=["directive", "-seq"], name="event_directive_seq_idx")]

    def __str__(self) -> str:
        return f"{self.directive.ref}: {self.get_kind_display()} at {self.created:%Y-%m-%d %H:%M}"


class NotificationManager(models.Manager["Notification"]):
    def owe_overdue_notices(self, *, first_event: int, last_event: int, now: dt.datetime) -> None:
        """Owe one overdue notice for each ``flagged_overdue`` event with an id in the given range.

        One ``INSERT ... SELECT`` (the overdue sweep flags tens of thousands at once; building model
        instances for them costs several times the sweep itself, bench/sweep.py). A parent is told
        through its parts, which are flagged too, so it owes none. Another sweep's flag events in the
        range would owe the same notices, which the unique constraint keeps single.
        """
        qn = connection.ops.quote_name
        event, directive, notification = (
            qn(m._meta.db_table) for m in (DirectiveEvent, Directive, self.model)
        )
        params = {
            "now": connection.ops.adapt_datetimefield_value(now),
            "first": first_event,
            "last": last_event,
            "flagged": DirectiveEvent.Kind.FLAGGED_OVERDUE.value,
            "overdue": Notification.Kind.OVERDUE.value,
            "pending": Notification.State.PENDING.value,
        }
        # Table names come from the models; every value is bound.
        sql = f"""
            INSERT INTO {notification} (directive_id, kind, due_on, offset_days, event_id, state, created,
                next_attempt_at, attempts, recipients, last_error)
            SELECT e.directive_id, %(overdue)s, e.old_due_on, 0, e.id, %(pending)s, %(now)s, %(now)s, 0,
                '[]', ''
            FROM {event} e
            WHERE e.id BETWEEN %(first)s AND %(last)s AND e.kind = %(flagged)s
                AND NOT EXISTS (SELECT 1 FROM {directive} part WHERE part.parent_id = e.directive_id)
            ON CONFLICT DO NOTHING
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


class Notification(models.Model):
    """One notice owed about one directive's deadline: the outbox the dispatcher drains.

    A row is written in the same transaction as the event that caused it, so a notice is never lost
    when a worker dies, and is unique per directive, kind, deadline and offset, so it is never owed
    twice. ``offset_days`` places the notice relative to the deadline: -7 and -1 for the reminders
    before it, 0 for the overdue notice, +7 for the escalation a week after. The dispatcher hands it to
    one ``Delivery`` per person it goes to; a person owed several notices at once gets one email.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder before the deadline"
        OVERDUE = "overdue", "Overdue notice"
        ESCALATION = "escalation", "Escalation to oversight"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Being delivered"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, gave up"
        # The notice stopped being true before it went out: the directive was completed or its
        # deadline moved (the new deadline owes notices of its own).
        CANCELLED = "cancelled", "Cancelled, no longer true"

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField(help_text="The deadline the notice is about; a new deadline owes new notices.")
    offset_days = models.SmallIntegerField(default=0, help_text="Days from the deadline (negative: before).")
    event = models.ForeignKey(
        DirectiveEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField()
    next_attempt_at = models.DateTimeField(help_text="Not sent before this instant (retry backoff).")
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True, help_text="Addresses it was delivered to.")
    last_error = models.TextField(blank=True)

    objects = NotificationManager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "kind", "due_on", "offset_days"], name="notification_once_per_deadline"
            ),
        ]
        indexes = [
            # The dispatcher takes due rows by `next_attempt_at` among those not handed on yet; the
            # partial index keeps that scan small however many sent rows accumulate.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_pending_idx",
                condition=Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.directive.ref} due {self.due_on} ({self.state})"


class Delivery(models.Model):
    """One email to one person, carrying every notice one dispatch found owed to them: a digest.

    Ten directives falling overdue at one midnight are one email to each of their editors, not ten.
    A delivery is claimed, sent and marked like the outbox rows once were: a lease while it is sent, a
    backoff when the mail server refuses it, and the same ``Message-ID`` on every attempt.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, gave up"
        CANCELLED = "cancelled", "Cancelled, nothing left to say"

    recipient = models.EmailField(max_length=254)
    notifications = models.ManyToManyField(Notification, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField()
    next_attempt_at = models.DateTimeField(help_text="Not sent before this instant (retry backoff).")
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created", "-id"]
        indexes = [
            # The dispatcher claims due deliveries by `next_attempt_at` among those not sent or given up.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_unsent_idx",
                condition=Q(state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Email to {self.recipient} ({self.state})"
