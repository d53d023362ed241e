"""Exporting: the whole record as JSON lines, from one snapshot, with a fresh signed checkpoint, sealed."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from agencies.models import Agency
from directives import history
from directives.history import proof
from directives.models import (
    Directive,
    DirectiveEvent,
    EvidenceFile,
    ExtensionRequest,
    Involvement,
    Notification,
    Order,
    OrderChange,
)
from ledger import audit

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

from .fileformat import (
    AGENCY_FIELDS,
    CHANGE_FIELDS,
    DIRECTIVE_FIELDS,
    EVIDENCE_FIELDS,
    EXTENSION_FIELDS,
    FORMAT,
    NOTIFICATION_FIELDS,
    ORDER_FIELDS,
    TYPES,
    VERSION,
    end_line,
    fields_of,
    new_digest,
    seal,
)


def export(out: SupportsWrite[str]) -> Counter[str]:
    """Write the whole record to ``out`` as JSON lines; return the count of each type written."""
    counts: Counter[str] = Counter()
    # Every byte before the end line, for the seal that the end line carries.
    digest = new_digest()

    def emit(text: str) -> None:
        out.write(text)
        digest.update(text.encode("utf-8"))

    def write(kind: str, record: dict[str, object]) -> None:
        emit(json.dumps({"type": kind, **record}, ensure_ascii=False, separators=(",", ":")) + "\n")
        counts[kind] += 1

    header = {"format": FORMAT, "version": VERSION, "exported_at": history.instant(timezone.now())}
    emit(json.dumps({"type": "header", **header}, separators=(",", ":")) + "\n")
    postgresql = connection.vendor == "postgresql"
    outermost = not connection.in_atomic_block
    # On PostgreSQL, one snapshot for the whole file, so that it never holds a notice whose event was
    # written after the events were read. Only the first statement of a transaction may ask for it:
    # inside a caller's transaction (a test's) the caller's isolation stands. SQLite's transactions
    # here take the write lock up front (IMMEDIATE), which would stop every writer during a backup.
    with transaction.atomic() if postgresql else contextlib.nullcontext():
        if postgresql and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # Signed from this snapshot's heads (on PostgreSQL), stored, and sent to the sinks on commit.
        _, checkpoint = proof.write_checkpoint()
        user_model = get_user_model()
        acted = set(DirectiveEvent.objects.exclude(actor=None).values_list("actor_id", flat=True).distinct())
        for pk, username in (
            user_model.objects.filter(pk__in=acted)
            .order_by("pk")
            .values_list("pk", user_model.USERNAME_FIELD)
        ):
            write("user", {"id": pk, "username": username})
        for agency in Agency.objects.select_related("parent").order_by("abbreviation"):
            write("agency", {**fields_of(agency, AGENCY_FIELDS), "parent": _abbreviation(agency.parent)})
        for order in Order.objects.order_by("number"):
            write("order", fields_of(order, ORDER_FIELDS))
        directives = (
            Directive.objects.select_related("order", "parent")
            .prefetch_related(
                models.Prefetch(
                    "involvements",
                    queryset=Involvement.objects.select_related("agency").order_by("role", "position"),
                )
            )
            .select_related("series")
            .order_by("order__number", "position", "ref")
        )
        for d in directives.iterator(chunk_size=2000):
            involvements = [
                {"agency": i.agency.abbreviation, "role": i.role, "position": i.position}
                for i in d.involvements.all()
            ]
            write(
                "directive",
                {
                    **fields_of(d, DIRECTIVE_FIELDS),
                    "order": d.order.number,
                    "parent": d.parent.ref if d.parent else None,
                    "series": d.series.ref if d.series else None,
                    "involvements": involvements,
                },
            )
        for stored in history.stored_events():
            write("event", stored.record)
        notifications = Notification.objects.select_related("directive__order", "event").order_by("id")
        for n in notifications.iterator(chunk_size=2000):
            write(
                "notification",
                {
                    **fields_of(n, NOTIFICATION_FIELDS),
                    "order": n.directive.order.number,
                    "directive": n.directive.ref,
                    "event_seq": n.event.seq if n.event else None,
                },
            )
        for change in OrderChange.objects.select_related("by_order").order_by("id"):
            write("change", {**fields_of(change, CHANGE_FIELDS), "by_order": change.by_order.number})
        requests = ExtensionRequest.objects.select_related("directive__order", "agency").order_by("id")
        for r in requests.iterator(chunk_size=2000):
            write(
                "extension",
                {
                    **fields_of(r, EXTENSION_FIELDS),
                    "order": r.directive.order.number,
                    "directive": r.directive.ref,
                    "requested_by": r.requested_by_id,
                    "agency": _abbreviation(r.agency),
                    "decided_by": r.decided_by_id,
                },
            )
        evidence = EvidenceFile.objects.select_related("directive__order", "event").order_by("id")
        for e in evidence.iterator(chunk_size=2000):
            write(
                "evidence",
                {
                    **fields_of(e, EVIDENCE_FIELDS),
                    "order": e.directive.order.number,
                    "directive": e.directive.ref,
                    "event_seq": e.event.seq,
                    "uploaded_by": e.uploaded_by_id,
                },
            )
        for entry in audit.records():
            write("access", entry)
        write("checkpoint", {k: v for k, v in checkpoint.items() if k != "type"})
    totals = {t: counts[t] for t in TYPES}
    out.write(end_line(totals, seal(digest.hexdigest(), totals)))
    return counts


def _abbreviation(agency: Agency | None) -> str | None:
    return agency.abbreviation if agency is not None else None
