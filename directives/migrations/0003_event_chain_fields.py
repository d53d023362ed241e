"""Add the hash chain's columns to the events, empty for now: 0004 fills them, 0005 makes them required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0002_notification_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="directiveevent",
            name="order",
            field=models.ForeignKey(
                null=True,
                help_text="The chain the event is in.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="directives.order",
            ),
        ),
        migrations.AddField(
            model_name="directiveevent",
            name="seq",
            field=models.PositiveIntegerField(null=True, help_text="Place in the order's chain, from 1."),
        ),
        migrations.AddField(
            model_name="directiveevent",
            name="prev_hash",
            field=models.CharField(
                default="", max_length=64, help_text="The hash of the order's previous event."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="directiveevent",
            name="hash",
            field=models.CharField(
                default="", max_length=64, help_text="SHA-256 of the canonical content and prev_hash."
            ),
            preserve_default=False,
        ),
    ]
