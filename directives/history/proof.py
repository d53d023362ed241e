"""Proving the record: chains, signatures, state and checkpoints together (``verify_history``).

:func:`verify` checks, in one pass over the events and one over the directives:

1. every order's chain (``history.verify``): links, hashes, seq without gaps, time that never goes
   backwards, and signed appends that tile the chain up to its newest event;
2. every directive's state against its history, replayed from its events (:class:`Replay`): status,
   completion date, original and effective due dates (and the instant the due day ends), forecast
   and overdue flag; its title, agencies and parent (``definitions.py``); every directive of every
   order has its chain from its ``created`` event;
3. the access log's chain (``ledger/audit.py``);
4. the newest checkpoint in the database and the newest in each checkpoint file given: every chain
   it names must still hold its seq with its hash, so events removed since (the newest of a chain,
   a whole chain, or every event) are named by order, directive and seq.

Writing checkpoints (:func:`write_checkpoint`) is here too: the heads of every order's chain and of
the access log, signed, stored and sent to the sinks (``ledger/checkpoints.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Max, Q
from django.utils import timezone

from agencies import reconcile
from agencies.access import reviewer_emails
from directives import deadlines, history
from directives.history.columns import IsoDate
from directives.history.definitions import Definitions
from directives.models import VERDICTS, Directive, DirectiveEvent, EvidenceFile, Order, Review, Status
from ledger import audit, checkpoints
from ledger.models import AccessEvent, Checkpoint

MAX_PROBLEMS = 50
# The events that move a deadline through schedule._move_deadline (an amendment, when its dates differ).
MOVES = frozenset(
    {DirectiveEvent.Kind.DEADLINE_EXTENDED, DirectiveEvent.Kind.EVENT_DATED, DirectiveEvent.Kind.DEADLINE_SET}
)
# The kinds the replay tells apart, as plain strings read once: looking up ``DirectiveEvent.Kind.X`` in
# each comparison was two attribute reads per branch and event (half a million events in the benchmark).
_CREATED = DirectiveEvent.Kind.CREATED.value
_STATUS_CHANGED = DirectiveEvent.Kind.STATUS_CHANGED.value
_EVIDENCE_ADDED = DirectiveEvent.Kind.EVIDENCE_ADDED.value
_COMPLETION_FLAGGED = DirectiveEvent.Kind.COMPLETION_FLAGGED.value
_AMENDED = DirectiveEvent.Kind.AMENDED.value
_FLAGGED_OVERDUE = DirectiveEvent.Kind.FLAGGED_OVERDUE.value
_COMPLETED = Status.COMPLETED.value
_NOT_APPLICABLE = Status.NOT_APPLICABLE.value
_UNREVIEWED = Review.UNREVIEWED.value
_DEFINING = Definitions.KINDS


@dataclass
class Report:
    orders: int = 0
    events: int = 0
    directives: int = 0
    access_entries: int = 0
    checkpoints: list[str] = field(default_factory=list)  # what each checked checkpoint was
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


# --- Replaying each directive's state -----------------------------------------------------------------


@dataclass(slots=True)
class _State:
    status: str | None = None
    completed_on: str | None = None
    forecast_on: str | None = None
    original_due_on: str | None = None
    due_on: str | None = None
    flagged: bool = False
    review: str = Review.UNREVIEWED.value
    status_reason: str = ""
    completion_flag: str = ""
    last_seq: int = 0
    problem: str | None = None


class Replay:
    """Replay each directive's events into the state its row must have (as the actions write it).

    - ``created``: the status and due date it gives (original and effective), no forecast, no flag;
    - ``status_changed``: its old status must be the replayed one; the new status, and the completion
      date when completed (none otherwise);
    - any event whose old and new forecast differ: the new forecast (an update that keeps the
      forecast carries it twice; a roll-up, an extension or a sweep carries none);
    - ``deadline_extended``, ``event_dated`` (an event-relative deadline dated), ``deadline_set`` (a
      chained one dated by the directive it waits for) and ``amended`` when it moves the date: the new
      effective due date (and the original, when the deadline had none yet), the overdue flag cleared;
    - ``flagged_overdue``: the flag set;
    - the review axis (docs/oversight.md): ``verified``, ``disputed`` and ``no_evidence_found`` set the
      review; every ``status_changed`` resets it to unreviewed, keeps the reason of not applicable (its
      note) and clears the completion flag, which ``completion_flagged`` sets (its note).
      Notes, reminders, escalations, extension requests and denials, definition updates and attached
      evidence change none of these; an ``evidence_added`` event's note must describe its file's row
      (name, type, size and SHA-256: ``compare_evidence``).
    """

    def __init__(self) -> None:
        self.states: dict[int, _State] = {}
        # Each evidence_added event's id -> (its seq, its note), to check the file rows against.
        self.evidence: dict[int, tuple[int, str]] = {}
        # Titles, agencies and parents, from the events that set them (definitions.py).
        self.definitions = Definitions()

    def __call__(self, stored: history.Stored) -> None:
        """Replay the event ``stored`` (from ``history.stored_events``)."""
        r = stored.record
        self.event((r["order"], stored.directive_id, *(r[key] for key in history.RECORD_KEYS[2:])))

    def event(self, row: history.Row) -> None:
        """Replay the event of ``row`` (``history.verify`` passes each; the directive's id second)."""
        (_, directive_id, kind, old_status, new_status, note, _, completed_on, old_forecast_on,
         new_forecast_on, old_due_on, new_due_on, _, _, _, seq, _, event_id, _, _, _, _) = row  # fmt: skip
        state = self.states.get(directive_id)
        if state is None:
            state = self.states[directive_id] = _State()
            if kind != _CREATED:
                state.problem = f"seq {seq}: its history starts with a {kind} event, not created"
        state.last_seq = seq
        if kind == _EVIDENCE_ADDED:
            self.evidence[event_id] = (seq, note)
        elif kind in _DEFINING:
            self.definitions(directive_id, kind, note, seq)
        if state.problem is not None:
            return
        if kind == _CREATED:
            if state.status is not None:
                state.problem = f"seq {seq}: a second created event"
                return
            state.status = new_status
            state.original_due_on = state.due_on = new_due_on
        elif kind == _STATUS_CHANGED:
            if old_status != state.status:
                state.problem = (
                    f"seq {seq}: it changes the status from {old_status!r}, but the events "
                    f"before it leave {state.status!r}"
                )
                return
            state.status = new_status
            state.completed_on = completed_on if new_status == _COMPLETED else None
            state.review = _UNREVIEWED
            state.status_reason = note if new_status == _NOT_APPLICABLE else ""
            state.completion_flag = ""
        elif kind in VERDICTS:
            state.review = kind
        elif kind == _COMPLETION_FLAGGED:
            state.completion_flag = note
        elif kind in MOVES or (kind == _AMENDED and old_due_on != new_due_on):
            # schedule._move_deadline: the first date a deadline gets is its original.
            state.original_due_on = state.original_due_on or new_due_on
            state.due_on = new_due_on
            state.flagged = False
        elif kind == _FLAGGED_OVERDUE:
            state.flagged = True
        if old_forecast_on != new_forecast_on:
            state.forecast_on = new_forecast_on

    def compare(self, order_number: int | None, report: Report) -> None:
        """Compare every directive (of one order, or all) with its replay; add each difference."""
        directives = Directive.objects.all()
        if order_number is not None:
            directives = directives.filter(order__number=order_number)
        # A directive's state as compared, in COMPARED's order, its dates as ISO text (as replayed) and
        # its overdue flag as set or not: most directives match, so the row's slice and the replay's
        # tuple are compared whole, and only a difference is spelled out.
        rows = (
            directives.order_by("order__number", "id")
            .annotate(**{f"iso_{name}": IsoDate(name) for name in _DATES})
            .annotate(flagged=ExpressionWrapper(Q(overdue_flagged_at__isnull=False), BooleanField()))
            .values_list(*_COMPARED_COLUMNS)
            .iterator(chunk_size=5000)
        )
        # A due day's end, worked out once per date, in UTC as the rows' instants are: comparing two
        # instants of one tzinfo needs no UTC offset worked out per row.
        end_of_day: dict[str, dt.datetime] = {}
        get_state, get_end, count = self.states.get, end_of_day.get, 0
        for row in rows:
            count += 1
            state = get_state(row[0])
            if state is None or state.problem is not None:
                where = f"EO {row[1]}, directive {row[2]}"
                if state is None:
                    report.add(f"{where}: it has no events: its chain from created is missing")
                else:
                    where = f"{where}, seq {state.last_seq} (its newest event)"
                    report.add(f"{where}: its history cannot be replayed: {state.problem}")
                continue
            due_on = state.due_on
            expected_due_at = None
            if due_on:
                expected_due_at = get_end(due_on)
                if expected_due_at is None:
                    expected_due_at = end_of_day[due_on] = deadlines.end_of_day(
                        dt.date.fromisoformat(due_on)
                    ).astimezone(dt.UTC)
            stored, due_at = row[3:12], row[12]
            replayed = (
                state.status,
                state.completed_on,
                state.forecast_on,
                state.original_due_on,
                due_on,
                state.flagged,
                state.review,
                state.status_reason,
                state.completion_flag,
            )
            if stored == replayed and due_at == expected_due_at:
                continue
            number, ref = row[1], row[2]
            differs = []
            if stored != replayed:
                differs = [
                    f"{name} is {_show(value)} but its events say {_show(replayed_value)}"
                    for name, value, replayed_value in zip(COMPARED, stored, replayed, strict=True)
                    if value != replayed_value
                ]
            if not differs and due_at != expected_due_at:
                differs.append(
                    f"the due day ends at {_show(due_at and history.instant(due_at))}, not at the end of "
                    f"{state.due_on} Eastern"
                )
            if differs:
                where = f"EO {number}, directive {ref}, seq {state.last_seq} (its newest event)"
                report.add(f"{where}: the directive differs from its history: {'; '.join(differs)}")
        report.directives += count

    def compare_evidence(self, order_number: int | None, report: Report) -> None:
        """Compare every evidence file's row (of one order, or all) with the event that recorded it."""
        files = EvidenceFile.objects.select_related("directive__order").order_by("id")
        if order_number is not None:
            files = files.filter(directive__order__number=order_number)
        seen = set()
        for file in files.iterator(chunk_size=2000):
            seen.add(file.event_id)
            where = (
                f"EO {file.directive.order.number}, directive {file.directive.ref}, evidence file {file.pk}"
            )
            recorded = self.evidence.get(file.event_id)
            if recorded is None:
                report.add(
                    f"{where}: its event (id {file.event_id}) is not an evidence_added event of the chain"
                )
            elif recorded[1] != file.note:
                report.add(
                    f"{where}, seq {recorded[0]}: the file's row differs from its event: the row says "
                    f"{file.note!r}, the history {recorded[1]!r}"
                )
        for event_id, (seq, _) in self.evidence.items():
            if event_id not in seen:
                report.add(f"evidence_added event id {event_id} (seq {seq}) has no evidence file row")


# The dates ``Replay.compare`` compares, in COMPARED's order.
_DATES = ("completed_on", "forecast_on", "original_due_on", "due_on")
# The columns ``Replay.compare`` reads: a directive's id, order and ref, its state in COMPARED's order
# (the annotations of ``compare``), then its due instant.
_COMPARED_COLUMNS = (
    "id", "order__number", "ref", "status", *(f"iso_{name}" for name in _DATES), "flagged", "review",
    "status_reason", "completion_flag", "due_at",
)  # fmt: skip
# What ``Replay.compare`` compares, named as its report names them.
COMPARED = (
    "status", "completion date", "forecast", "original due date", "due date", "overdue flag", "review",
    "reason", "completion flag",
)  # fmt: skip


def _show(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "set" if value else "clear"
    return repr(value)


# --- Checkpoints --------------------------------------------------------------------------------------

ACCESS = audit.CHAIN


def heads() -> dict[str, dict[str, object]]:
    """Return the head of every order's chain and of the access log: seq, count, hash, label."""
    found: dict[str, dict[str, object]] = {}
    newest: Iterable[tuple[int, int, str, str]]
    if _distinct_on():
        newest = (
            DirectiveEvent.objects.order_by("order_id", "-seq")
            .distinct("order_id")
            .values_list("order__number", "seq", "hash", "directive__ref")
        )
    else:
        newest = []
        for number in Order.objects.values_list("number", flat=True):
            head = (
                DirectiveEvent.objects.filter(order__number=number)
                .order_by("-seq")
                .values_list("order__number", "seq", "hash", "directive__ref")
                .first()
            )
            if head:
                newest.append(head)
    for number, seq, event_hash, ref in newest:
        found[history.chain_name(number)] = {"seq": seq, "count": seq, "hash": event_hash, "label": ref}
    access = AccessEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if access:
        found[ACCESS] = {"seq": access[0], "count": access[0], "hash": access[1], "label": None}
    return found


def _distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def checkpoint_emails() -> list[str]:
    """Return the addresses checkpoints are emailed to ("reviewers" expands to the reviewers')."""
    addresses: list[str] = []
    for item in settings.HISTORY_CHECKPOINT_EMAIL:
        addresses += reviewer_emails() if item == "reviewers" else [item]
    return sorted(set(addresses))


def write_checkpoint(*, send: bool = True) -> tuple[Checkpoint, checkpoints.Line]:
    """Sign the heads of every chain, store the checkpoint, and (``send``) send it to the sinks on commit.

    The heads are read in the checkpoint's own transaction; a chain that grows meanwhile only makes
    the checkpoint a little older than its time says, never wrong.
    """
    now = timezone.now()
    with transaction.atomic():
        line = checkpoints.sign(heads(), now)
        return checkpoints.record(line, emails=checkpoint_emails(), send=send), line


def check_checkpoint(stored: checkpoints.Stored, report: Report) -> None:
    """Check that every chain ``stored`` names still holds its seq with its hash; add what does not."""
    line = stored.line
    when = f"the checkpoint of {line.get('created')} ({stored.source})"
    if stored.error is not None:
        report.add(f"{stored.source}: not a valid checkpoint: {stored.error}")
        return
    report.checkpoints.append(when)
    chains: dict[str, dict[str, Any]] = line["chains"]
    orders = {name: head for name, head in chains.items() if name.startswith("order:")}
    found: dict[tuple[int, int], str] = {}
    pairs = [(int(name.removeprefix("order:")), int(head["seq"])) for name, head in orders.items()]
    for start in range(0, len(pairs), 500):
        condition = Q()
        for number, seq in pairs[start : start + 500]:
            condition |= Q(order__number=number, seq=seq)
        found.update(
            {
                (number, seq): event_hash
                for number, seq, event_hash in DirectiveEvent.objects.filter(condition).values_list(
                    "order__number", "seq", "hash"
                )
            }
        )
    ends = dict(
        DirectiveEvent.objects.order_by()
        .values("order__number")
        .annotate(last=Max("seq"))
        .values_list("order__number", "last")
    )
    for name, head in sorted(orders.items(), key=lambda item: int(item[0].removeprefix("order:"))):
        number, seq = int(name.removeprefix("order:")), int(head["seq"])
        where = f"EO {number}, directive {head['label']}, seq {seq}"
        stored_hash = found.get((number, seq))
        if stored_hash is None:
            end = ends.get(number)
            now = f"the chain now ends at seq {end}" if end else "the database holds no event of this order"
            report.add(f"{where}: in {when}, but not in the database ({now}): events were removed")
        elif stored_hash != head["hash"]:
            report.add(
                f"{where}: {when} holds hash {head['hash']}, the database {stored_hash}: the chain was "
                "rewritten since"
            )
    access = chains.get(ACCESS)
    if access is not None:
        entry = AccessEvent.objects.filter(seq=access["seq"]).values_list("hash", flat=True).first()
        if entry is None:
            report.add(
                f"access log, seq {access['seq']}: in {when}, but not in the database: entries were removed"
            )
        elif entry != access["hash"]:
            report.add(
                f"access log, seq {access['seq']}: {when} holds another hash: the log was rewritten since"
            )


def check_not_behind(
    in_database: checkpoints.Stored | None, kept: checkpoints.Stored | None, report: Report
) -> None:
    """Report a checkpoint table emptied, or older than a file the same checkpoints were written to.

    Every checkpoint is stored in the table before it is sent to the file (``write_checkpoint``), so the
    file can never be ahead of the table: when it is, the table's newer rows were deleted, which is
    how a rewritten history would hide from its checkpoints.
    """
    if kept is None:
        return
    created = str(kept.line["created"])
    if in_database is None:
        report.add(
            f"the checkpoint table is empty, but {kept.source} holds the checkpoint of {created}: "
            "the database's checkpoints were removed"
        )
    elif str(in_database.line["created"]) < created:
        report.add(
            f"the database's newest checkpoint is of {in_database.line['created']}, older than "
            f"{kept.source}'s of {created}: newer checkpoints were removed from the database"
        )


def newest_valid(found: Iterable[checkpoints.Stored], report: Report) -> checkpoints.Stored | None:
    """Return the newest checkpoint that verifies (by its time); report each that does not."""
    newest = None
    for stored in found:
        if stored.error is not None:
            report.add(f"{stored.source}: not a valid checkpoint: {stored.error}")
        elif newest is None or str(stored.line["created"]) > str(newest.line["created"]):
            newest = stored
    return newest


# --- Everything ---------------------------------------------------------------------------------------


def verify(order_number: int | None = None, *, checkpoint_files: Sequence[Path] = ()) -> Report:
    """Check chains, state, the access log and checkpoints; return the counts and every problem found.

    Everything is read at one snapshot of the database (``history.one_snapshot``).
    """
    with history.one_snapshot(), history.collector_paused():
        return _verify(order_number, checkpoint_files)


def _verify(order_number: int | None, checkpoint_files: Sequence[Path]) -> Report:
    report = Report()
    replay = Replay()
    chains = history.verify(order_number, on_event=replay.event)
    report.orders, report.events = chains.orders, chains.events
    if chains.error is not None:
        report.add(chains.error.describe())
    else:
        replay.compare(order_number, report)
        replay.definitions.compare(order_number, report)
        replay.compare_evidence(order_number, report)
    if order_number is None:
        access_head, problem = audit.verify()
        report.access_entries = access_head.count
        if problem is not None:
            report.add(problem.describe())
        # Who may act, against the log of every change of it: a role written in SQL has no entry.
        for difference in reconcile.differences():
            report.add(f"access: {difference}")
    in_database = newest_valid(checkpoints.stored(), report)
    sources: list[checkpoints.Stored | None] = [in_database]
    for path in checkpoint_files:
        kept = newest_valid(checkpoints.read_file(path), report)
        check_not_behind(in_database, kept, report)
        sources.append(kept)
    for stored in sources:
        if stored is None:
            continue
        if order_number is not None:
            chains_of_order = {
                k: v for k, v in stored.line["chains"].items() if k == history.chain_name(order_number)
            }
            stored = checkpoints.Stored({**stored.line, "chains": chains_of_order}, stored.source, None)
        check_checkpoint(stored, report)
    return report
