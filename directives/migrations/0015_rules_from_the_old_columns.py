"""Write each directive's rule, kept until now in deadline_kind/days/event/ongoing, as the JSON rule.

The old columns knew three kinds: days after the Order (with ``ongoing``), days from an event, and none.
"""

from django.db import migrations


def old_rule(kind: str, days: int | None, event: str, ongoing: bool) -> dict:
    """Return the rule the old columns held, as ``deadlines.rule_to_json`` writes it."""
    if kind == "days_after_order":
        rule = {"kind": kind, "days": days}
        return {**rule, "ongoing": True} if ongoing else rule
    if kind == "days_from_event":
        return {"kind": kind, "days": days, "event": event}
    return {"kind": "none"}


def forwards(apps, schema_editor):
    Directive = apps.get_model("directives", "Directive")
    rows = Directive.objects.only("deadline_kind", "deadline_days", "deadline_event", "deadline_ongoing")
    changed = []
    for d in rows.iterator(chunk_size=2000):
        d.deadline = old_rule(d.deadline_kind, d.deadline_days, d.deadline_event, d.deadline_ongoing)
        d.deadline_kind = d.deadline["kind"]
        changed.append(d)
        if len(changed) == 2000:
            Directive.objects.bulk_update(changed, ["deadline", "deadline_kind"])
            changed = []
    Directive.objects.bulk_update(changed, ["deadline", "deadline_kind"])


def backwards(apps, schema_editor):
    Directive = apps.get_model("directives", "Directive")
    for d in Directive.objects.only("deadline").iterator(chunk_size=2000):
        rule = d.deadline
        if rule["kind"] not in ("days_after_order", "days_from_event", "none"):
            raise RuntimeError(
                f"directive {d.pk} has a {rule['kind']} deadline, which the old columns cannot hold"
            )
        Directive.objects.filter(pk=d.pk).update(
            deadline_kind=rule["kind"],
            deadline_days=rule.get("days"),
            deadline_event=rule.get("event", ""),
            deadline_ongoing=rule.get("ongoing", False),
        )


class Migration(migrations.Migration):
    dependencies = [("directives", "0014_every_rule_series_rescinded_order_changes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
