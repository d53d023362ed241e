"""Make the chain's columns required, (order, seq) unique, and on PostgreSQL the events append-only.

The trigger fires for each row of an UPDATE or DELETE; TRUNCATE, which only the test runner's flush
and a deliberate restore procedure use, fires no row trigger and still works.
"""

import django.db.models.deletion
from django.db import migrations, models

FUNCTION = "directives_directiveevent_append_only"
TRIGGER = "directives_directiveevent_append_only"
TABLE = "directives_directiveevent"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'directive events are append-only'; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0004_event_chain_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="directiveevent",
            name="order",
            field=models.ForeignKey(
                help_text="The chain the event is in.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="directives.order",
            ),
        ),
        migrations.AlterField(
            model_name="directiveevent",
            name="seq",
            field=models.PositiveIntegerField(help_text="Place in the order's chain, from 1."),
        ),
        migrations.AddConstraint(
            model_name="directiveevent",
            constraint=models.UniqueConstraint(fields=("order", "seq"), name="event_order_seq_unique"),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
