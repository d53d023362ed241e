"""Restoring a validated backup into the empty database, in one transaction, verified before it commits."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction

from agencies.audit import RESTORED
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
from ledger import checkpoints
from ledger.models import AccessEvent, Checkpoint

from .fileformat import (
    AGENCY_FIELDS,
    CHANGE_FIELDS,
    DIRECTIVE_FIELDS,
    EVENT_FIELDS,
    EVIDENCE_FIELDS,
    EXTENSION_FIELDS,
    MODELS,
    NOTIFICATION_FIELDS,
    ORDER_FIELDS,
    Backup,
    BackupError,
)


def existing_records() -> dict[str, int]:
    """Return the count of each kind of record the database holds already (all zero when empty)."""
    # Checkpoints are statements about records, not records: beat may have written one of the empty
    # database already.
    return {
        kind: model._default_manager.count() for kind, model in MODELS.items() if kind != "checkpoint"
    } | {"involvement": Involvement.objects.count()}


def describe_counts(counts: dict[str, int]) -> str:
    """Return e.g. "1 agency, 13 directives" for a count of records by kind."""
    singular = {"access": "access log entry", "evidence": "evidence file"}
    plural = {"agency": "agencies", "access": "access log entries", "evidence": "evidence files"}
    return ", ".join(
        f"{n:,} {singular.get(kind, kind) if n == 1 else plural.get(kind, kind + 's')}"
        for kind, n in counts.items()
        if n or kind not in ("user", "change", "extension", "evidence", "access", "checkpoint")
    )


class NotEmpty(Exception):
    """The database holds records already; ``held`` counts them by kind."""

    def __init__(self, held: dict[str, int]):
        super().__init__(
            f"The database is not empty (it holds {describe_counts(held)}); import_history restores only "
            "into an empty database. Nothing was written."
        )
        self.held = held


@transaction.atomic
def restore(backup: Backup) -> proof.Report:
    """Write a validated backup into the empty database in one transaction; return the verification.

    Raise ``NotEmpty`` (nothing written) when the database holds any record already.
    """
    held = {kind: n for kind, n in existing_records().items() if n}
    if held:
        raise NotEmpty(held)
    records = {kind: [line.values for line in lines] for kind, lines in backup.records.items()}

    _restore_users(backup)

    agency_ids = {v["abbreviation"]: v["id"] for v in records["agency"]}
    Agency.objects.bulk_create(
        Agency(**{k: v[k] for k in AGENCY_FIELDS}, parent_id=agency_ids.get(v["parent"]))
        for v in records["agency"]
    )
    order_ids = {v["number"]: v["id"] for v in records["order"]}
    _create_keeping_timestamps(Order, [Order(**{k: v[k] for k in ORDER_FIELDS}) for v in records["order"]])
    directive_ids = {(v["order"], v["ref"]): v["id"] for v in records["directive"]}
    _create_keeping_timestamps(
        Directive,
        [
            Directive(
                **{k: v[k] for k in DIRECTIVE_FIELDS},
                order_id=order_ids[v["order"]],
                parent_id=directive_ids.get((v["order"], v["parent"])),
                series_id=directive_ids.get((v["order"], v["series"])),
            )
            for v in records["directive"]
        ],
    )
    Involvement.objects.bulk_create(
        Involvement(
            directive_id=v["id"], agency_id=agency_ids[i["agency"]], role=i["role"], position=i["position"]
        )
        for v in records["directive"]
        for i in v["involvements"]
    )
    events = sorted(records["event"], key=lambda v: (v["order"], v["seq"]))
    history.append(
        [
            history.NewEvent(
                id=v["id"],
                directive_id=directive_ids[v["order"], v["directive"]],
                order_id=order_ids[v["order"]],
                directive_ref=v["directive"],
                **{k: v[k] for k in EVENT_FIELDS if k != "id"},
                created=v["created"],
                actor_id=v["actor"],
                agency_id=v["agency"],
                signed_from=v["signed_from"],
                key_id=v["key_id"],
                signature=v["signature"],
            )
            for v in events
        ]
    )
    event_ids = {(v["order"], v["seq"]): v["id"] for v in events}
    Notification.objects.bulk_create(
        Notification(
            **{k: v[k] for k in NOTIFICATION_FIELDS},
            directive_id=directive_ids[v["order"], v["directive"]],
            event_id=event_ids[v["order"], v["event_seq"]] if v["event_seq"] is not None else None,
        )
        for v in records["notification"]
    )
    OrderChange.objects.bulk_create(
        OrderChange(**{k: v[k] for k in CHANGE_FIELDS}, by_order_id=order_ids[v["by_order"]])
        for v in records["change"]
    )
    ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            **{k: v[k] for k in EXTENSION_FIELDS},
            directive_id=directive_ids[v["order"], v["directive"]],
            requested_by_id=v["requested_by"],
            agency_id=agency_ids[v["agency"]] if v["agency"] is not None else None,
            decided_by_id=v["decided_by"],
        )
        for v in records["extension"]
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            **{k: v[k] for k in EVIDENCE_FIELDS},
            directive_id=directive_ids[v["order"], v["directive"]],
            event_id=event_ids[v["order"], v["event_seq"]],
            uploaded_by_id=v["uploaded_by"],
        )
        for v in records["evidence"]
    )
    AccessEvent.objects.bulk_create(
        AccessEvent(
            id=v["id"],
            seq=v["seq"],
            kind=v["kind"],
            actor_id=v["actor"],
            subject_id=v["subject"],
            agency_id=v["agency"],
            detail=json.dumps(v["detail"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            created=v["created_at"],
            prev_hash=v["prev_hash"],
            hash=v["hash"],
            signed_from=v["signed_from"],
            key_id=v["key_id"],
            signature=v["signature"],
        )
        for v in records["access"]
    )
    for v in records["checkpoint"]:
        line = {"type": checkpoints.TYPE, **{k: v[k] for k in ("created", "key_id", "chains", "signature")}}
        checkpoints.record(line, emails=[], send=False)
    _reset_sequences()
    report = proof.verify()
    if not report.ok:
        # The file was checked before writing; this would mean the database changed what it stored
        # (a collation, a truncated text): refuse the restore rather than keep a record that fails.
        raise BackupError([f"after the restore, {problem}" for problem in report.problems])
    return report


def _restore_users(backup: Backup) -> None:
    """Create the file's users that are missing, inactive and without a password, keeping their ids.

    The hashes cover user ids, so a user of the file must keep its id: one whose id or username is
    taken here by someone else is refused, naming both.
    """
    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    wanted = {line.values["id"]: (line.number, line.values["username"]) for line in backup.records["user"]}
    by_id = dict(user_model.objects.filter(pk__in=wanted).values_list("pk", username_field))
    by_name = dict(
        user_model.objects.filter(**{f"{username_field}__in": [u for _, u in wanted.values()]}).values_list(
            username_field, "pk"
        )
    )
    errors = []
    for pk, (number, username) in sorted(wanted.items()):
        if pk in by_id and by_id[pk] != username:
            errors.append(
                f"line {number} (user {pk}): field 'id': user {pk} is {by_id[pk]!r} in this database, "
                f"{username!r} in the file"
            )
        elif pk not in by_id and username in by_name:
            errors.append(
                f"line {number} (user {pk}): field 'username': {username!r} is user {by_name[username]} in "
                f"this database, user {pk} in the file"
            )
        elif pk not in by_id:
            user = user_model(pk=pk, **{username_field: username}, is_active=False)
            user.set_unusable_password()
            setattr(user, RESTORED, True)  # the file's access log holds its creation already
            user.save()
    if errors:
        raise BackupError(errors)


def _create_keeping_timestamps(model: type[models.Model], objs: list[models.Model]) -> None:
    """Insert ``objs`` keeping their ``auto_now``/``auto_now_add`` times, which a save would replace."""
    stamped = [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    times = {obj.pk: {name: getattr(obj, name) for name in stamped} for obj in objs}
    model._default_manager.bulk_create(objs, batch_size=2000)
    for obj in objs:
        for name, value in times[obj.pk].items():
            setattr(obj, name, value)
    # bulk_update writes the values given, without the fields' pre_save.
    model._default_manager.bulk_update(objs, stamped, batch_size=2000)


def _reset_sequences() -> None:
    """Move the id sequences past the restored ids (PostgreSQL; SQLite follows the largest id itself)."""
    statements = connection.ops.sequence_reset_sql(
        no_style(),
        [
            get_user_model(),
            Agency,
            Order,
            Directive,
            Involvement,
            DirectiveEvent,
            Notification,
            OrderChange,
            ExtensionRequest,
            EvidenceFile,
            AccessEvent,
            Checkpoint,
        ],
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
