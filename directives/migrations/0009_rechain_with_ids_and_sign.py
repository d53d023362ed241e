"""Re-chain every order's events in the canonical form of ids, sign each chain's head, and refuse
TRUNCATE of the events table.

Until now the hash covered the actor's username and the agency's abbreviation, so renaming a user in
the admin broke every chain that user had acted in. The form is now the ids (directives/history.py).
This is a one-time re-chain, not a second form kept side by side: one form keeps the auditor's recipe
and the checker simple, and the old hashes proved nothing that the re-chain loses. Before it changes
anything, it checks every chain in the old form and stops, naming the event, if one does not verify,
so that a history tampered with before the migration is not laundered by it. Then, per order, oldest
first, each event gets the new hash (an event dated before the one it follows, which concurrent
writers could produce, is dated as that one) and the newest event is signed as one append from seq
1. Run it as the database's owner, with the signing key in the environment.
"""

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import migrations

from ledger import keys, pg
from ledger.chain import head_message

BATCH = 5000
DATE_KEYS = ("completed_on", "old_forecast_on", "new_forecast_on", "old_due_on", "new_due_on")
GENESIS = "0" * 64
TABLE = "directives_directiveevent"


def _instant(value):
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(content):
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def rechain(apps, schema_editor):
    Event = apps.get_model("directives", "DirectiveEvent")
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        # Before the rows are streamed: a table cannot be altered while a cursor reads it. The
        # migration is one transaction, so the trigger is off for nobody else.
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER", None)
    rows = Event.objects.order_by("order_id", "seq").values_list(
        "id", "order_id", "order__number", "seq", "directive__ref", "kind", "old_status", "new_status",
        "note", "evidence_url", *DATE_KEYS, "actor_id", "actor__username", "agency_id",
        "agency__abbreviation", "created", "prev_hash", "hash",
    )  # fmt: skip
    rows = rows.iterator(chunk_size=BATCH) if connection.vendor == "postgresql" else list(rows)
    ring = keys.keyring()
    updates: list[tuple[Any, ...]] = []
    current, old_prev, new_prev, last_created = None, GENESIS, GENESIS, None
    last: Any = None  # the chain's newest row so far (pk, number, seq, hash, created), or None

    def close_chain():
        if last is not None:
            _, number, seq, new_hash, _ = last
            signature = ring.sign(head_message(f"order:{number}", 1, seq, new_hash))
            updates[-1] = (*updates[-1][:4], 1, ring.signing_key_id, signature)

    for row in rows:
        (pk, order_id, number, seq, ref, kind, old_status, new_status, note, url, *rest) = row
        *dates, actor_id, username, agency_id, abbreviation, created, prev_hash, stored_hash = rest
        if order_id != current:
            close_chain()
            current, old_prev, new_prev, last_created, expected = order_id, GENESIS, GENESIS, None, 1
        else:
            expected = last[2] + 1
        days = {
            key: value.isoformat() if value else None for key, value in zip(DATE_KEYS, dates, strict=True)
        }
        common = {
            "order": number, "directive": ref, "kind": kind, "old_status": old_status,
            "new_status": new_status, "note": note, "evidence_url": url, **days, "seq": seq,
        }  # fmt: skip
        old = {**common, "actor": username, "agency": abbreviation, "created": _instant(created)}
        if (
            seq != expected
            or prev_hash != old_prev
            or _digest({**old, "prev_hash": prev_hash}) != stored_hash
        ):
            raise RuntimeError(
                f"Event {pk} (EO {number}, seq {seq}, directive {ref}) does not verify in the old form: the "
                "history was changed before this migration. Nothing was re-chained; restore the database "
                "from a backup that verifies (verify_history of the previous release names the event)."
            )
        if last_created is not None and created < last_created:
            created = last_created
        new_hash = _digest(
            {
                **common,
                "actor": actor_id,
                "agency": agency_id,
                "created": _instant(created),
                "prev_hash": new_prev,
            }
        )
        updates.append((pk, new_hash, new_prev, created, None, "", ""))
        old_prev, new_prev, last_created = stored_hash, new_hash, created
        last = (pk, number, seq, new_hash, created)
        if len(updates) >= BATCH:
            pending, keep = updates[:-1], updates[-1:]
            _update(connection, pending)
            updates[:] = keep
    close_chain()
    _update(connection, updates)
    if connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER", None)


def _update(connection, rows):
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor,
                f"UPDATE {TABLE} AS e SET hash = v.hash, prev_hash = v.prev_hash, created = v.created, "  # noqa: S608
                "signed_from = v.signed_from, key_id = v.key_id, signature = v.signature "
                "FROM (VALUES %s) AS v (id, hash, prev_hash, created, signed_from, key_id, signature) "
                "WHERE e.id = v.id",
                rows,
                template="(%s, %s, %s, %s::timestamptz, %s::integer, %s, %s)",
                page_size=len(rows),
            )
        else:
            cursor.executemany(
                f"UPDATE {TABLE} SET hash = %s, prev_hash = %s, created = %s, signed_from = %s, key_id = %s, "  # noqa: S608
                "signature = %s WHERE id = %s",
                [
                    (h, p, connection.ops.adapt_datetimefield_value(c), s, k, sig, pk)
                    for pk, h, p, c, s, k, sig in rows
                ],
            )


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in pg.trigger_sql(TABLE):
        schema_editor.execute(sql, None)


def not_append_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in pg.drop_trigger_sql(TABLE):
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0008_event_signatures"),
    ]

    operations = [
        migrations.RunPython(rechain, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(append_only, not_append_only),
    ]
