"""Directives (what an order asks, of whom, by when) and the agencies' part in each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.query import ModelIterable

from agencies.models import Agency
from directives import deadlines

from .attachments import EvidenceFile
from .choices import CLOSED_STATUSES, FLAGGABLE, OPEN, REVIEWABLE_STATUSES, Outcome, Review, Status
from .orders import Order

# Where ``with_agencies`` leaves its lists on each row (see there): the agencies by role, each role's in
# order of position, the parts and the evidence files.
PREFETCHED_AGENCIES = "prefetched_agencies"
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

    # with_agencies' lists: None when not asked for, else whether the evidence files are among them.
    _lists_with_evidence: bool | None = None

    def with_agencies(self, *, evidence: bool = True, relatives: bool = True) -> DirectiveQuerySet:
        """Load everything a list shows, so it costs the same queries for 10 rows or 10,000.

        Once the rows are fetched, ``_load_lists`` reads their agencies, parts and (unless not
        ``evidence``) evidence files in one query each, as plain lists on each row, read by
        ``Directive.lead_agencies``, ``consulted_agencies``, ``parts`` and ``evidence`` (not through
        ``iterator()``, whose rows would read them one by one). Without ``relatives`` the order, the
        parent and the series' first occurrence are left out (a list that does not show them).
        """
        related = self.select_related("order", "parent", "series") if relatives else self.all()
        related._lists_with_evidence = evidence
        return related

    # Django's private hooks, as a queryset with state of its own overrides them: the clone keeps the
    # lists asked for, and the first fetch of model instances loads them.
    def _clone(self) -> DirectiveQuerySet:
        clone: DirectiveQuerySet = super()._clone()  # type: ignore[misc]  # private: not in the stubs
        clone._lists_with_evidence = self._lists_with_evidence
        return clone

    def _fetch_all(self) -> None:
        fetched = self._result_cache is not None
        super()._fetch_all()
        if not fetched and self._lists_with_evidence is not None and self._iterable_class is ModelIterable:
            _load_lists(self._result_cache or [], evidence=self._lists_with_evidence, using=self.db)


def _load_lists(directives: list[Directive], *, evidence: bool, using: str) -> None:
    """Put each directive's agencies by role, parts and (with ``evidence``) evidence files on it.

    One query each, for all the rows. Not Django's ``prefetch_related``, which built a model
    instance for every involvement and another for its agency, and matched them to their rows
    through the related managers: an agency here is one instance however many rows name it, and an
    involvement is its agency in its role's list (for the API list's page of 100, 4.7 ms of CPU
    instead of 7.3: docs/benchmarks.md). Explicit orderings keep the queries off the models' default
    orderings, which join the order table only to sort.
    """
    if not directives:
        return
    rows = {d.pk: d for d in directives}
    for d in directives:
        d.__dict__.update({PREFETCHED_AGENCIES: {}, PREFETCHED_PARTS: []})
        if evidence:
            d.__dict__[PREFETCHED_EVIDENCE] = []
    fields = [f.attname for f in Agency._meta.concrete_fields]  # the primary key first
    agencies: dict[int, Agency] = {}
    involvements = Involvement.objects.using(using).filter(directive_id__in=list(rows))
    involvements = involvements.order_by("role", "position")
    for directive_id, role, *agency in involvements.values_list(
        "directive_id", "role", *(f"agency__{name}" for name in fields)
    ):
        if agency[0] not in agencies:
            agencies[agency[0]] = Agency.from_db(using, fields, agency)
        rows[directive_id].__dict__[PREFETCHED_AGENCIES].setdefault(role, []).append(agencies[agency[0]])
    parts = Directive.objects.using(using).filter(parent_id__in=list(rows)).order_by("position", "ref")
    for part in parts.only("id", "ref", "parent_id", "position", "status", "due_on", "due_at"):
        rows[cast(int, part.parent_id)].__dict__[PREFETCHED_PARTS].append(part)  # a part: it has one
    if evidence:
        files = EvidenceFile.objects.using(using).filter(directive_id__in=list(rows))
        for file in files.select_related("uploaded_by").order_by("created", "id"):
            rows[file.directive_id].__dict__[PREFETCHED_EVIDENCE].append(file)


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


def effective_due_on_expression() -> Case:
    """Return the database form of ``Directive.effective_due_on``: a parent's earliest open part's due
    date (none when no open part has one), else its own."""
    parts = Directive.objects.filter(parent=OuterRef("pk"))
    earliest = (
        parts.filter(OPEN, due_on__isnull=False)
        .order_by()
        .values("parent")
        .annotate(at=Min("due_on"))
        .values("at")
    )
    return Case(
        When(Exists(parts), then=Subquery(earliest)), default=F("due_on"), output_field=models.DateField()
    )


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
            # The few directives a later order rescinded: the dashboard's history chart leaves their
            # events out by asking this index of each event's directive (publishing/charts.py).
            models.Index(fields=["id"], name="directive_rescinded_idx", condition=Q(status=Status.RESCINDED)),
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
        """Return the agencies in ``role``, by position, from ``with_agencies``' lists if any."""
        by_role: dict[str, list[Agency]] | None = self.__dict__.get(PREFETCHED_AGENCIES)
        if by_role is not None:
            return list(by_role.get(role, ()))
        # all(): a caller's own prefetch_related("involvements__agency") is used when there is one.
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
        """Return on time, late, flagged or disputed once completed (against the effective due date).

        None until completed. Disputed by a reviewer, it is disputed, neither on time nor late
        (``queries.DISPUTED``). Claimed on time with a completion flag and not verified by a reviewer, it
        is flagged, never on time (``queries.HONEST_ON_TIME`` counts the same way); verified, its dates
        decide.
        """
        if self.status != Status.COMPLETED or self.completed_on is None or self.due_on is None:
            return None
        if self.review == Review.DISPUTED:
            return Outcome.DISPUTED
        if self.completed_on > self.due_on:
            return Outcome.LATE
        if self.completion_flag and self.review != Review.VERIFIED:
            return Outcome.FLAGGED
        return Outcome.ON_TIME


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
