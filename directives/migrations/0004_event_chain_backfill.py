"""Chain the events that exist already: per order, oldest first (by created, then id), as the chain
would have been built had it existed; see ``directives/history.py`` for the canonical form."""

from django.db import migrations

from directives import history

BATCH = 5000


def chain_existing_events(apps, schema_editor):
    Event = apps.get_model("directives", "DirectiveEvent")
    connection = schema_editor.connection
    rows = Event.objects.order_by("directive__order_id", "created", "id").values_list(
        "id", "directive__order_id", "directive__order__number", "directive__ref", "kind", "old_status",
        "new_status", "note", "evidence_url", *history.DATE_KEYS, "actor__username",
        "agency__abbreviation", "created",
    )  # fmt: skip
    # PostgreSQL streams through a server-side cursor while the updates go out; SQLite cannot read a
    # table safely while the same connection writes it, so there the (small) history is read first.
    rows = rows.iterator(chunk_size=BATCH) if connection.vendor == "postgresql" else list(rows)
    pending: list[tuple] = []
    current, seq, prev_hash = None, 0, history.GENESIS
    for pk, order_id, number, ref, kind, old_status, new_status, note, url, *rest in rows:
        *dates, actor, agency, created = rest
        if order_id != current:
            current, seq, prev_hash = order_id, 0, history.GENESIS
        seq += 1
        content = {
            "order": number, "directive": ref, "kind": kind, "old_status": old_status,
            "new_status": new_status, "note": note, "evidence_url": url,
            **{key: history.day(value) for key, value in zip(history.DATE_KEYS, dates, strict=True)},
            "actor": actor, "agency": agency, "created": history.instant(created), "seq": seq,
            "prev_hash": prev_hash,
        }  # fmt: skip
        event_hash = history.digest(content)
        pending.append((pk, order_id, seq, prev_hash, event_hash))
        prev_hash = event_hash
        if len(pending) >= BATCH:
            _update(connection, Event._meta.db_table, pending)
            pending = []
    _update(connection, Event._meta.db_table, pending)


def _update(connection, table: str, rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            # One statement per batch: executemany would cost a round trip per event.
            execute_values(
                cursor.cursor,
                f"UPDATE {qn(table)} AS e SET order_id = v.order_id, seq = v.seq, prev_hash = v.prev_hash, "  # noqa: S608
                f"hash = v.hash FROM (VALUES %s) AS v (id, order_id, seq, prev_hash, hash) WHERE e.id = v.id",
                rows,
                page_size=len(rows),
            )
        else:
            cursor.executemany(
                f"UPDATE {qn(table)} SET order_id = %s, seq = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
                [
                    (order_id, seq, prev_hash, event_hash, pk)
                    for pk, order_id, seq, prev_hash, event_hash in rows
                ],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0003_event_chain_fields"),
    ]

    operations = [
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop, elidable=False),
    ]
