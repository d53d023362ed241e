"""The outbox never gives up (issue 16): an attempt in flight is recorded, and rows given up are requeued.

Emails and notices marked ``failed`` by the old dispatcher (which gave up after NOTIFICATION_MAX_ATTEMPTS)
are due again: an email back to ``pending``, its notices back to ``sending``; a notice that had nobody to
tell back to ``pending``. Their attempt counts stay, so they show as needing attention.
"""

from django.db import migrations, models
from django.utils import timezone


def requeue_failed(apps, schema_editor):
    Delivery = apps.get_model("directives", "Delivery")
    Notification = apps.get_model("directives", "Notification")
    now = timezone.now()
    Delivery.objects.filter(state="failed").update(state="pending", next_attempt_at=now)
    failed = Notification.objects.filter(state="failed")
    failed.filter(deliveries__isnull=False).update(state="sending")
    failed.update(state="pending", next_attempt_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0019_evidence_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="handed_over_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Set just before the email goes to the mail server: an attempt in flight whose "
                "outcome was not recorded yet. A claim that finds it set checks whether the server took it "
                "before sending again.",
                null=True,
            ),
        ),
        migrations.RunPython(requeue_failed, migrations.RunPython.noop, elidable=True),
    ]
