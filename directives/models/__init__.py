"""What must be done and by when: orders, their directives, and each directive's history.

State changes go through ``directives/actions.py``; nothing here saves domain state on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.models import Agency
from directives import deadlines


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    # Some of the work is done: still open (it can fall overdue), and a claim a reviewer may check.
    PARTIALLY_COMPLETE = "partially_complete", "Partially complete"
    COMPLETED = "completed", "Completed"
    # The agency says the directive does not apply to it; the reason is required and kept
    # (``Directive.status_reason``), and a reviewer may dispute it.
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    # Revoked by a later order ([[revokes]] in its file): set only by loading that order.
    RESCINDED = "rescinded", "Rescinded"


# Statuses that end a directive's duty: it is no longer open, so never overdue, reminded or flagged.
# Not applicable and rescinded leave the overdue counts but keep their history and say why (the
# status_reason, the revoking order); partially complete is still open (docs/oversight.md).
CLOSED_STATUSES = frozenset({Status.COMPLETED, Status.NOT_APPLICABLE, Status.RESCINDED})
# The agency's claims an oversight reviewer may review: the work (or part of it) done, or not owed.
REVIEWABLE_STATUSES = frozenset({Status.PARTIALLY_COMPLETE, Status.COMPLETED, Status.NOT_APPLICABLE})


class Review(models.TextChoices):
    """The second axis: what an oversight reviewer found of the agency's claim (docs/oversight.md).

    Every change of the claim (a status change, a new completion date) resets it to unreviewed.
    """

    UNREVIEWED = "unreviewed", "Unreviewed"
    VERIFIED = "verified", "Verified"
    DISPUTED = "disputed", "Disputed"
    NO_EVIDENCE_FOUND = "no_evidence_found", "No evidence found"


# The verdicts a reviewer gives (unreviewed is only where a new claim starts).
VERDICTS = (Review.VERIFIED, Review.DISPUTED, Review.NO_EVIDENCE_FOUND)
# The rules, stated once each, that the model's methods, the partial index, the sweep and its benchmark
# all use: "open", and "open and not yet flagged", the condition of directive_open_due_at_idx.
OPEN = ~Q(status__in=sorted(CLOSED_STATUSES))
FLAGGABLE = OPEN & Q(overdue_flagged_at__isnull=True)


class Outcome(models.TextChoices):
    ON_TIME = "on_time", "On time"
    LATE = "late", "Late"


class OrderKind(models.TextChoices):
    """What kind of presidential document an order is (the order file's ``kind``, orderfile.ORDER_KINDS)."""

    EXECUTIVE_ORDER = "executive_order", "Executive Order"
    NATIONAL_SECURITY_MEMORANDUM = "national_security_memorandum", "National Security Memorandum"
    PRESIDENTIAL_MEMORANDUM = "presidential_memorandum", "Presidential Memorandum"
    PROCLAMATION = "proclamation", "Proclamation"


class Order(models.Model):
    kind = models.CharField(
        max_length=40,
        choices=OrderKind.choices,
        default=OrderKind.EXECUTIVE_ORDER,
        help_text="The kind of presidential document, as its text says.",
    )
    number = models.PositiveIntegerField(
        unique=True,
        help_text="Its own number, e.g. 14409 (an EO), 10896 (a proclamation), 10 (NSM-10).",
    )
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
        # The "order manager" permission: granted to a user or a group in the admin (superusers have it).
        permissions = [("manage_orders", "Can import and load executive orders (the import page)")]

    def __str__(self) -> str:
        return f"{OrderKind(self.kind).label} {self.number}"


# Where ``with_agencies`` leaves its prefetches on each row: plain lists (see there).
PREFETCHED_INVOLVEMENTS = "prefetched_involvements"
PREFETCHED_PARTS = "prefetched_parts"
PREFETCHED_EVIDENCE = "prefetched_evidence"


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
        """Prefetch everything a list shows, so it costs the same queries for 10 rows or 10,000.

        Each prefetch lands in a plain list on the row (``to_attr``), read by ``Directive.involved``,
        ``parts`` and ``evidence``: prefetched into the related managers instead, Django builds a
        filtered queryset per row and prefetch, about a third of a 100-row API page's time.
        """
        # Explicit orderings keep the prefetches off the models' default orderings, which join the
        # order table only to sort (measured: most of a 100,000-directive page's time).
        return self.select_related("order", "parent", "series").prefetch_related(
            models.Prefetch(
                "involvements",
                queryset=Involvement.objects.select_related("agency").order_by("role", "position"),
                to_attr=PREFETCHED_INVOLVEMENTS,
            ),
            models.Prefetch(
                "children",
                queryset=Directive.objects.only(
                    "id", "ref", "parent_id", "position", "status", "due_on", "due_at"
                ).order_by("position", "ref"),
                to_attr=PREFETCHED_PARTS,
            ),
            models.Prefetch(
                "evidence_files",
                queryset=EvidenceFile.objects.select_related("uploaded_by").order_by("created", "id"),
                to_attr=PREFETCHED_EVIDENCE,
            ),
        )


def own_overdue_q(now: dt.datetime) -> Q:
    """Return the database form of ``Directive.is_own_overdue``: its own deadline passed while open."""
    return Q(due_at__lte=now) & OPEN


def due_for_flagging_q(now: dt.datetime) -> Q:
    """Return what ``flag_overdue`` flags at ``now``: overdue and not flagged yet (``FLAGGABLE``)."""
    return Q(due_at__lte=now) & FLAGGABLE


def overdue_q(now: dt.datetime) -> Q:
    """Return the database form of ``Directive.is_overdue``: a part's deadline passed, or its own.

    A parent with parts is overdue exactly when an open part is past its effective deadline: its own
    deadline is what its parts inherit, not a second clock.
    """
    parts = Directive.objects.filter(parent=OuterRef("pk"))
    return (own_overdue_q(now) & ~Exists(parts)) | Q(Exists(parts.filter(own_overdue_q(now))))


def validate_rule(value: object) -> None:
    """Refuse a stored deadline that ``deadlines.rule_from_json`` cannot read, naming the key."""
    try:
        deadlines.rule_from_json(value)
    except deadlines.RuleError as exc:
        raise ValidationError(str(exc)) from None


def no_deadline() -> dict[str, str]:
    return {"kind": deadlines.RuleKind.NONE.value}


class Directive(models.Model):
    class DeadlineKind(models.TextChoices):
        DAYS_AFTER_ORDER = deadlines.RuleKind.DAYS_AFTER_ORDER.value, "Days after the Order"
        MONTHS_AFTER_ORDER = deadlines.RuleKind.MONTHS_AFTER_ORDER.value, "Months after the Order"
        YEARS_AFTER_ORDER = deadlines.RuleKind.YEARS_AFTER_ORDER.value, "Years after the Order"
        ON_DATE = deadlines.RuleKind.ON_DATE.value, "On a fixed date"
        AFTER_DIRECTIVE = deadlines.RuleKind.AFTER_DIRECTIVE.value, "After another directive is done"
        DAYS_FROM_EVENT = deadlines.RuleKind.DAYS_FROM_EVENT.value, "Days before or after an event"
        RECURRING = deadlines.RuleKind.RECURRING.value, "Recurring"
        NONE = deadlines.RuleKind.NONE.value, "No deadline"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="directives")
    # An order file's refs are at most 30 characters (orderfile.MAX_REF); an occurrence of a recurring
    # directive adds "#n" to its series' ref.
    ref = models.CharField(max_length=40, help_text='The section reference, e.g. "2(c)(i)".')
    position = models.PositiveIntegerField(default=0, help_text="Place in the Order's text, for sorting.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    agencies = models.ManyToManyField(Agency, through="Involvement", related_name="directives")

    # The rule, as deadlines.rule_to_json writes it; its kind again in a column of its own, which the
    # series sweep and the dating of chained deadlines filter on. Set both with ``set_rule``.
    deadline = models.JSONField(
        default=no_deadline, validators=[validate_rule], help_text="The deadline rule, e.g. {kind, days}."
    )
    deadline_kind = models.CharField(max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.NONE)
    event_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the deadline counts from: its event's, or when what it waits for was done",
    )
    # A recurring directive is a series: the directive the order file names is occurrence 1; each later
    # occurrence is a directive of its own (status, outcome, notices, history), linked to the first.
    series = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="occurrences"
    )
    occurrence = models.PositiveIntegerField(
        null=True, blank=True, help_text="Its place in its series, from 1; empty when not recurring."
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
    # Why the agency says it does not apply (not applicable only; the status change's note).
    status_reason = models.TextField(blank=True, help_text="Why not applicable, as the agency said.")

    # The review axis (docs/oversight.md): set by a reviewer's event, reset by every change of the claim.
    review = models.CharField(max_length=20, choices=Review.choices, default=Review.UNREVIEWED)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Honest outcomes: the Eastern day a completion was recorded, and why it was flagged for review
    # (recorded long after its claimed date, or dated before a completion recorded earlier); empty
    # when not flagged. Both are replayed from the history (proof.Replay).
    completion_recorded_on = models.DateField(
        null=True, blank=True, help_text="The day the completion was recorded (Eastern time)."
    )
    completion_flag = models.TextField(blank=True, help_text="Why the completion is flagged for review.")

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
            # One row per occurrence of a series, so a sweep run twice cannot create one twice.
            models.UniqueConstraint(fields=["series", "occurrence"], name="directive_occurrence_unique"),
            models.CheckConstraint(
                condition=Q(series__isnull=True) | Q(occurrence__gte=2),
                name="directive_later_occurrences_follow_the_first",
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
            # Every list pages through directives in the Order's sequence (queries.DIRECTIVE_SEQUENCE):
            # read in this order, a page deep in 100,000 directives is an index walk, not a sort of all.
            models.Index(fields=["order", "position", "ref"], name="directive_sequence_idx"),
            # advance_series finds the recurring series, and a completion the deadlines waiting for it.
            models.Index(
                fields=["deadline_kind"],
                name="directive_chained_kind_idx",
                condition=Q(deadline_kind__in=["after_directive", "recurring"]),
            ),
        ]

    def __str__(self) -> str:
        return f"EO {self.order.number} sec. {self.ref}: {self.title}"

    # --- The deadline rule ----------------------------------------------------------------------------
    @property
    def rule(self) -> deadlines.Rule:
        """Return the deadline rule (any kind of ``deadlines.Rule``)."""
        return deadlines.rule_from_json(self.deadline)

    def set_rule(self, rule: deadlines.Rule) -> None:
        """Store ``rule`` and its kind (the caller saves, through an action)."""
        self.deadline = deadlines.rule_to_json(rule)
        self.deadline_kind = rule.kind.value

    @property
    def event_name(self) -> str:
        """Return the event a days_from_event deadline (or a series' first) counts from; "" for none."""
        first = deadlines.first_rule(self.rule)
        return first.event if isinstance(first, deadlines.DaysFromEvent) else ""

    @property
    def is_rescinded(self) -> bool:
        return self.status == Status.RESCINDED

    @property
    def series_head(self) -> Directive:
        """Return the first occurrence of this directive's series (itself when it is the first or alone)."""
        return self.series if self.series is not None else self

    # --- Agencies, parts and evidence: ``with_agencies``' lists when it prefetched them -----------
    @property
    def involved(self) -> list[Involvement]:
        """Return the involvements, from ``with_agencies``' list when there is one."""
        rows: list[Involvement] | None = getattr(self, PREFETCHED_INVOLVEMENTS, None)
        return rows if rows is not None else list(self.involvements.all())

    @property
    def parts(self) -> list[Directive]:
        """Return the parts (children) in the Order's sequence, from ``with_agencies``' list if any."""
        rows: list[Directive] | None = getattr(self, PREFETCHED_PARTS, None)
        return rows if rows is not None else list(self.children.order_by("position", "ref"))

    @property
    def evidence(self) -> list[EvidenceFile]:
        """Return the evidence files, oldest first, from ``with_agencies``' list if any."""
        rows: list[EvidenceFile] | None = getattr(self, PREFETCHED_EVIDENCE, None)
        if rows is None:
            rows = list(self.evidence_files.select_related("uploaded_by").order_by("created", "id"))
        return rows

    def _involved(self, role: str) -> list[Agency]:
        rows = [i for i in self.involved if i.role == role]
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
        return bool(self.parts)

    # --- Derived state ----------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """Return whether the duty is still open (the model's form of ``OPEN``)."""
        return self.status not in CLOSED_STATUSES

    def is_own_overdue(self, now: dt.datetime) -> bool:
        return self.due_at is not None and now >= self.due_at and self.is_open

    def is_overdue(self, now: dt.datetime) -> bool:
        """Return whether an open part's deadline (or, with no parts, its own) passed (``overdue_q``)."""
        parts = self.parts
        if parts:
            return any(part.is_own_overdue(now) for part in parts)
        return self.is_own_overdue(now)

    def effective_due_on(self) -> dt.date | None:
        """Return the due date that counts now: a parent's earliest open part's, else its own."""
        parts = self.parts
        if not parts:
            return self.due_on
        return min((p.due_on for p in parts if p.is_open and p.due_on is not None), default=None)

    def days_overdue(self, now: dt.datetime) -> int | None:
        """Return the Eastern days since the due day ended while open; None when there is no deadline.

        A parent counts from its earliest open part's effective due date (``effective_due_on``).
        """
        due_on = self.effective_due_on()
        if due_on is None:
            return None if self.is_open or self.due_on is None else 0
        if not self.is_open:
            return 0
        return deadlines.days_overdue(due_on, now)

    def days_remaining(self, now: dt.datetime) -> int | None:
        """Return the Eastern days left to the (effective) due day while open and not overdue, else None."""
        due_on = self.effective_due_on()
        if due_on is None or not self.is_open or self.is_overdue(now):
            return None
        return deadlines.days_remaining(due_on, now)

    @property
    def days_late(self) -> int | None:
        """Return by how many days a completion missed the effective due date; None unless late."""
        # A late outcome has both dates; the checks say so to the type checker.
        if self.outcome != Outcome.LATE or self.completed_on is None or self.due_on is None:
            return None
        return (self.completed_on - self.due_on).days

    @property
    def is_claim(self) -> bool:
        """Return whether the status is a claim a reviewer may review (``REVIEWABLE_STATUSES``)."""
        return self.status in REVIEWABLE_STATUSES

    @property
    def verified_outcome(self) -> str | None:
        """Return the outcome once a reviewer verified the completion, else None (what the figures count)."""
        return self.outcome if self.review == Review.VERIFIED else None

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


def ref_covers(outer: str, ref: str) -> bool:
    """Return whether revoking ``outer`` revokes ``ref``: the same ref, or one written under it.

    ``"4(b)"`` covers 4(b)(i), 4(b)-2 (a second deadline of the paragraph) and 4(b)#3 (an occurrence);
    ``"4"`` covers 4(a) and 4.1, but not 41 or 4.10's sibling 40.
    """
    return ref == outer or (ref.startswith(outer) and ref[len(outer)] in "(.-#")


class OrderChange(models.Model):
    """What a loaded order does to an earlier one: revoke it (or some of its directives), or amend one.

    Kept as the order file says it ([[revokes]], [[amends]]), whether or not the earlier order is loaded
    yet: ``actions.load_order`` applies each one when both orders are loaded, whichever came first, and
    again to what a later load of the earlier order adds. What it did is in the affected directives'
    histories; this row is where it came from (the pages show it as provenance).
    """

    class Kind(models.TextChoices):
        REVOKE = "revoke", "Revokes"
        AMEND = "amend", "Amends"

    by_order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="changes_made")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    order_number = models.PositiveIntegerField(
        help_text="The earlier order's number; it may not be loaded yet."
    )
    ref = models.CharField(
        max_length=30, blank=True, help_text="The directive (with what is under it); empty: the whole order."
    )
    deadline = models.JSONField(
        null=True, blank=True, validators=[validate_rule], help_text="An amendment's new rule."
    )
    leads = models.JSONField(default=list, blank=True, help_text="An amendment's new leads, owner first.")
    consulted = models.JSONField(default=list, blank=True, help_text="An amendment's new consulted agencies.")
    note = models.TextField(blank=True)
    source = models.TextField(blank=True)
    review = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Place in the order file.")

    class Meta:
        ordering = ["by_order", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["by_order", "kind", "order_number", "ref"], name="order_change_unique"
            ),
        ]
        # Loading an order looks up what later orders do to it.
        indexes = [models.Index(fields=["order_number"], name="order_change_target_idx")]

    def __str__(self) -> str:
        target = f"EO {self.order_number}" + (f" sec. {self.ref}" if self.ref else "")
        return f"EO {self.by_order.number} {self.get_kind_display().lower()} {target}"

    @property
    def rule(self) -> deadlines.Rule | None:
        return deadlines.rule_from_json(self.deadline) if self.deadline is not None else None

    def covers(self, directive: Directive, ancestors: Sequence[str] = ()) -> bool:
        """Return whether this change names ``directive`` of its order (``ancestors``: its parents' refs)."""
        if self.kind == self.Kind.AMEND:
            return self.ref == directive.ref
        if not self.ref:
            return True
        return any(ref_covers(self.ref, ref) for ref in (directive.ref, *ancestors))


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
        indexes = [models.Index(fields=["directive", "-seq"], name="event_directive_seq_idx")]

    def __str__(self) -> str:
        return f"{self.directive.ref}: {self.get_kind_display()} at {self.created:%Y-%m-%d %H:%M}"


# The outbox (notices owed, and the emails that carry them) lives in its own module; importing it here
# registers its models with the app and keeps ``directives.models.Notification`` where callers find it.
from .attachments import EvidenceFile  # noqa: E402
from .extensions import ExtensionRequest  # noqa: E402
from .notices import Delivery, Notification, NotificationManager  # noqa: E402

# The tables of what reaches people outside the site (calendars, webhooks, preferences, open data).
from .outreach import (  # noqa: E402
    CalendarToken,
    DigestSlot,
    NotificationPreference,
    Publication,
    WebhookDelivery,
    WebhookSubscription,
)
from .runs import TaskRun  # noqa: E402 - when each periodic task last succeeded (/metrics)

__all__ = [
    "CLOSED_STATUSES",
    "FLAGGABLE",
    "OPEN",
    "REVIEWABLE_STATUSES",
    "VERDICTS",
    "CalendarToken",
    "Delivery",
    "DigestSlot",
    "Directive",
    "DirectiveEvent",
    "DirectiveQuerySet",
    "EvidenceFile",
    "ExtensionRequest",
    "Involvement",
    "Notification",
    "NotificationManager",
    "NotificationPreference",
    "Order",
    "OrderChange",
    "Outcome",
    "Publication",
    "Review",
    "Status",
    "TaskRun",
    "WebhookDelivery",
    "WebhookSubscription",
    "due_for_flagging_q",
    "no_deadline",
    "overdue_q",
    "own_overdue_q",
    "ref_covers",
    "validate_rule",
]
