"""Reports as oversight writes them: an order's requirements graded by section, "as of" a date.

The state on that date is replayed from the history (``proof.Replay`` over the order's chain, up to
the end of the day in Eastern time), not read from today's rows: a report as of last June shows
what the record said then, whatever changed since. Grades follow GAO's wording (fully complete,
partially complete, not complete, not applicable); each row also says whether oversight had
verified, disputed or found no evidence for the agency's claim on that date, or whether it was only
claimed (the review axis, replayed by the same rules: docs/oversight.md). Each row gives its original
and effective due date, its days late and its extension trail: every extension granted by that day,
who asked for it, who approved it, the dates it moved between and when (US Eastern, the zone named),
and every request denied by that day, marked denied, with who asked, who denied it, when and why.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models

from directives import deadlines, history
from directives.history import proof
from directives.models import Directive, DirectiveEvent, Order, Review, Status
from directives.notices.notify import local_time
from directives.queries.public_status import DOUBTED_COMPLETION, public_status_of


class Grade(models.TextChoices):
    FULLY = "fully_complete", "Fully complete"
    PARTIALLY = "partially_complete", "Partially complete"
    NOT_COMPLETE = "not_complete", "Not complete"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# What each completion status counts as.
GRADE_OF_STATUS: dict[str, Grade] = {
    Status.NOT_STARTED: Grade.NOT_COMPLETE,
    Status.IN_PROGRESS: Grade.NOT_COMPLETE,
    Status.BLOCKED: Grade.NOT_COMPLETE,
    Status.PARTIALLY_COMPLETE: Grade.PARTIALLY,
    Status.COMPLETED: Grade.FULLY,
    # The agency says it does not apply; the row shows its reason (the status change's note).
    Status.NOT_APPLICABLE: Grade.NOT_APPLICABLE,
    # Revoked by a later order: the requirement no longer applies (its history says which order).
    Status.RESCINDED: Grade.NOT_APPLICABLE,
}
STATUS_LABELS = dict(Status.choices)
CLAIMED = "claimed"
# The "verified or claimed" column: a reviewer's verdict as of the date, or the agency's word alone.
BASIS_OF_REVIEW: dict[str, str] = {
    Review.UNREVIEWED: CLAIMED,
    Review.VERIFIED: "verified",
    Review.DISPUTED: "disputed",
    Review.NO_EVIDENCE_FOUND: "no evidence found",
}


# The zone the report's times are read in, and named in: the deadlines' own (US Eastern).
REPORT_ZONE = "America/New_York"
_REQUESTED = DirectiveEvent.Kind.EXTENSION_REQUESTED.value
_EXTENDED = DirectiveEvent.Kind.DEADLINE_EXTENDED.value
_DENIED = DirectiveEvent.Kind.EXTENSION_DENIED.value


APPROVED = "approved"
DENIED = "denied"


@dataclass(frozen=True)
class Extension:
    """A deadline extension granted by the report's date, or a request for one denied by then, as its
    history says: who asked for it (none when an administrator extended it directly), who decided it,
    the dates (before, and granted or asked for), when, and for a denial the reviewer's reason."""

    old_due_on: str | None
    new_due_on: str  # granted, or (denied) asked for and never in force
    requested_by: str  # the requester's user name; "" when no request preceded it
    decided_by: str  # the user name of who approved (or extended) or denied it, "the system" for none
    decided_at: dt.datetime
    decision: str = APPROVED  # APPROVED or DENIED
    reason: str = ""  # why it was denied, as the reviewer said; empty when approved

    @property
    def denied(self) -> bool:
        return self.decision == DENIED

    @property
    def old_due_day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.old_due_on) if self.old_due_on else None

    @property
    def new_due_day(self) -> dt.date:
        return dt.date.fromisoformat(self.new_due_on)

    @property
    def decided_time(self) -> str:
        """When it was decided, US Eastern, the zone named: "Sat 2026-06-20 12:00 EDT (America/New_York)"."""
        return local_time(self.decided_at, REPORT_ZONE)

    def text(self) -> str:
        """Return it as one phrase, as the CSV gives it."""
        if self.denied:
            return (
                f"denied: {self.new_due_on} asked for (due {self.old_due_on or 'none'}), requested by "
                f"{self.requested_by or 'unknown'}, denied by {self.decided_by} on {self.decided_time}: "
                f"{self.reason}"
            )
        asked = f"requested by {self.requested_by}" if self.requested_by else "extended without a request"
        return (
            f"{self.old_due_on or 'none'} to {self.new_due_on}, {asked}, approved by {self.decided_by} "
            f"on {self.decided_time}"
        )


@dataclass(frozen=True)
class ReportRow:
    section: str
    ref: str
    title: str
    leads: str
    status: str
    status_label: str
    completed_on: str | None
    due_on: str | None  # effective on that date (an approved extension moves it)
    grade: Grade
    review: str  # Review's value as of the date (a new claim resets it to unreviewed)
    reason: str  # why not applicable, as the agency said then; empty otherwise
    original_due_on: str | None = None  # as computed at load; never moved
    days_late: int | None = None  # past the effective due date: when completed, or as of the date
    extensions: tuple[Extension, ...] = ()  # granted or denied by the date, oldest first
    # Why the completion was flagged for review (recorded long after its date, or back-dated), as of the
    # date; "" when not flagged. An unverified flagged completion never reads plain "Completed".
    completion_flag: str = ""

    @property
    def extended(self) -> bool:
        return self.original_due_on is not None and self.due_on != self.original_due_on

    # The row's days as dates, for what people read (the page's ``|date``, the PDF's weekday_date); the
    # fields above stay ISO 8601, as the CSV gives them.
    @property
    def completed_day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.completed_on) if self.completed_on else None

    @property
    def due_day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.due_on) if self.due_on else None

    @property
    def original_due_day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.original_due_on) if self.original_due_on else None

    @property
    def basis(self) -> str:
        """Return "verified", "disputed", "no evidence found" or "claimed" (not reviewed as of the date)."""
        return BASIS_OF_REVIEW.get(self.review, CLAIMED)

    @property
    def verified(self) -> bool:
        return self.review == Review.VERIFIED

    @property
    def public_status(self) -> str:
        """Return the status the CSV gives: a completion oversight doubted by the date is never
        ``completed`` but ``completion_disputed`` (or ``completion_no_evidence_found``), as the page's
        label and the status export say it (``public_status``)."""
        return public_status_of(self.status, self.review)


@dataclass
class Report:
    order: Order
    as_of: dt.date
    rows: list[ReportRow] = field(default_factory=list)
    # Later occurrences of a recurring duty not made yet on that date.
    not_yet_tracked: int = 0

    def extended_rows(self) -> list[ReportRow]:
        """Return the rows with an extension granted, or a request denied, by the date (the trail)."""
        return [row for row in self.rows if row.extensions]

    def sections(self) -> list[tuple[str, dict[Grade, int], int]]:
        """Return each section with its count of each grade and its total, in the order's sequence."""
        out: dict[str, dict[Grade, int]] = {}
        for row in self.rows:
            counts = out.setdefault(row.section, dict.fromkeys(Grade, 0))
            counts[row.grade] += 1
        return [(section, counts, sum(counts.values())) for section, counts in out.items()]

    def totals(self) -> dict[Grade, int]:
        counts = dict.fromkeys(Grade, 0)
        for row in self.rows:
            counts[row.grade] += 1
        return counts

    def verified_totals(self) -> dict[Grade, int]:
        """Return how many requirements of each grade a reviewer had verified as of the date."""
        counts = dict.fromkeys(Grade, 0)
        for row in self.rows:
            counts[row.grade] += row.verified
        return counts

    def total_cells(self) -> list[tuple[Grade, str]]:
        """Return each grade's total as the tables' last row says it: "12 (verified 9)"."""
        verified = self.verified_totals()
        return [(grade, f"{count} (verified {verified[grade]})") for grade, count in self.totals().items()]

    def summary(self) -> str:
        """Return the totals as one sentence: "fully complete 12 (verified 9), partially complete 1 ..."."""
        return ", ".join(f"{grade.label.lower()} {cell}" for grade, cell in self.total_cells())


def parse_as_of(raw: str | None, order: Order, today: dt.date) -> dt.date:
    """Return the report's date from the query parameter (default ``today``), or raise ValidationError.

    The error names the parameter ``as_of``: not a date, before the order was signed, or in the future.
    """
    if raw is None or raw.strip() == "":
        return today
    try:
        as_of = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError({"as_of": [f"Enter a date as YYYY-MM-DD, not {raw[:40]!r}."]}) from None
    if as_of < order.signed_on:
        raise ValidationError(
            {"as_of": [f"Executive Order {order.number} was signed on "
                       f"{deadlines.weekday_date(order.signed_on)}: choose that date or later."]}
        )  # fmt: skip
    if as_of > today:
        raise ValidationError(
            {
                "as_of": [
                    f"The record holds nothing after today ({deadlines.weekday_date(today)}, Eastern time)."
                ]
            }
        )
    return as_of


def section_of(ref: str) -> str:
    """Return the section a ref is in: its leading number ("2(c)(i)" -> "2"), else the ref itself."""
    match = re.match(r"\d+", ref)
    return match.group() if match else ref


def build(order: Order, as_of: dt.date) -> Report:
    """Return ``order``'s report as of the end of ``as_of`` (Eastern), replayed from its history."""
    cutoff = history.instant(deadlines.end_of_day(as_of))
    replay = proof.Replay()
    trail = _Trail()
    for stored in history.stored_events(order.number):
        # Canonical instants sort as text, and a chain's time never goes backwards: stop at the first after.
        if stored.record["created"] >= cutoff:
            break
        replay(stored)
        trail(stored)
    extensions = trail.extensions()
    report = Report(order=order, as_of=as_of)
    directives = (
        Directive.objects.filter(order=order)
        .trackable()
        .prefetch_related("involvements__agency")
        .order_by("position", "ref")
    )
    for directive in directives:
        state = replay.states.get(directive.pk)
        if state is not None and state.status is not None and state.problem is None:
            status, completed_on, due_on = state.status, state.completed_on, state.due_on
            review, reason, flag = state.review, state.status_reason, state.completion_flag
        elif directive.series_id is None:
            # The order's own duties ran from its signing, though the tracker held them only from its
            # first event: until then each stood not started, due on its original date.
            status, completed_on, review, reason, flag = Status.NOT_STARTED, None, Review.UNREVIEWED, "", ""
            due_on = directive.original_due_on.isoformat() if directive.original_due_on else None
        else:
            report.not_yet_tracked += 1
            continue
        report.rows.append(
            ReportRow(
                section=section_of(directive.ref),
                ref=directive.ref,
                title=directive.title,
                leads=", ".join(a.abbreviation for a in directive.lead_agencies),
                status=status,
                status_label=_label(status, review, flag),
                completed_on=completed_on,
                due_on=due_on,
                grade=GRADE_OF_STATUS.get(status, Grade.NOT_COMPLETE),
                review=review,
                reason=reason,
                original_due_on=directive.original_due_on.isoformat() if directive.original_due_on else None,
                days_late=_days_late(status, completed_on, due_on, as_of),
                extensions=extensions.get(directive.pk, ()),
                completion_flag=flag,
            )
        )
    return report


# One decision of the trail as the history gives it: the dates before and after (or asked for), the
# requester's and the decider's user ids, when (canonical instant), APPROVED or DENIED, and the reason.
_Decision = tuple[str | None, str, int | None, int | None, str, str, str]


class _Trail:
    """Collect each directive's extension trail from its events: a ``deadline_extended`` event is an
    extension granted, decided by its actor; an ``extension_denied`` event a request denied, by its
    actor, with the reason its note gives. The ``extension_requested`` event before either that asked
    for that date (and was not decided since) names who asked."""

    def __init__(self) -> None:
        self.asked: dict[int, tuple[str, int | None]] = {}  # directive -> (date asked for, by whom)
        self.decided: dict[int, list[_Decision]] = {}

    def __call__(self, stored: history.Stored) -> None:
        r, pk = stored.record, stored.directive_id
        if r["kind"] == _REQUESTED:
            self.asked[pk] = (r["new_due_on"], r["actor"])
        elif r["kind"] in (_DENIED, _EXTENDED):
            asked = self.asked.pop(pk, None)
            requester = asked[1] if asked is not None and asked[0] == r["new_due_on"] else None
            denied = r["kind"] == _DENIED
            self.decided.setdefault(pk, []).append(
                (
                    r["old_due_on"],
                    r["new_due_on"],
                    requester,
                    r["actor"],
                    r["created"],
                    DENIED if denied else APPROVED,
                    r["note"] if denied else "",
                )
            )

    def extensions(self) -> dict[int, tuple[Extension, ...]]:
        """Return each directive's trail, oldest first, people by their user names."""
        ids = {
            person
            for moves in self.decided.values()
            for _, _, requester, decider, *_ in moves
            for person in (requester, decider)
            if person is not None
        }
        names = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
        return {
            pk: tuple(
                Extension(
                    old_due_on=old,
                    new_due_on=new,
                    requested_by=names.get(requester, "") if requester is not None else "",
                    decided_by=names.get(decider, "") if decider is not None else "the system",
                    decided_at=dt.datetime.fromisoformat(created),
                    decision=decision,
                    reason=reason,
                )
                for old, new, requester, decider, created, decision, reason in moves
            )
            for pk, moves in self.decided.items()
        }


FLAGGED_LABEL = "Completed, flagged for review"


def _label(status: str, review: str, flag: str = "") -> str:
    """Return the words for ``status`` as of the date: a completion oversight doubted never reads
    "Completed" (``public_status``), nor one flagged for review that no reviewer had verified (as the
    dashboard's chart says it); its grade stays the claim's, its basis says the review."""
    if status == Status.COMPLETED and review in DOUBTED_COMPLETION:
        return DOUBTED_COMPLETION[review][1]
    if status == Status.COMPLETED and flag and review != Review.VERIFIED:
        return FLAGGED_LABEL
    return STATUS_LABELS.get(status, status)


def _days_late(status: str, completed_on: str | None, due_on: str | None, as_of: dt.date) -> int | None:
    """Return the days past the effective due date: to the completion, or while open to ``as_of``."""
    if due_on is None:
        return None
    due = dt.date.fromisoformat(due_on)
    if status == Status.COMPLETED and completed_on is not None:
        late = (dt.date.fromisoformat(completed_on) - due).days
    elif status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED, Status.PARTIALLY_COMPLETE):
        late = (as_of - due).days
    else:
        return None
    return max(late, 0)


CSV_HEADER = (
    "order", "as_of", "section", "ref", "title", "lead_agencies", "status", "completed_on",
    "original_due_on", "due_on", "days_late", "grade", "verified_or_claimed", "reason", "completion_flag",
    "extensions",
)  # fmt: skip


def csv_text(report: Report) -> str:
    """Return the report's rows as CSV, one directive a line, with a header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_rows(report))
    return out.getvalue()


def _csv_rows(report: Report) -> Iterable[list[str]]:
    for row in report.rows:
        yield [
            str(report.order.number), report.as_of.isoformat(), row.section, row.ref, _safe(row.title),
            row.leads, row.public_status, row.completed_on or "", row.original_due_on or "", row.due_on or "",
            "" if row.days_late is None else str(row.days_late), row.grade.label, row.basis,
            _safe(row.reason), _safe(row.completion_flag),
            "; ".join(extension.text() for extension in row.extensions),
        ]  # fmt: skip


def _safe(text: str) -> str:
    """Return ``text`` so that a spreadsheet does not run it as a formula (OWASP CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
