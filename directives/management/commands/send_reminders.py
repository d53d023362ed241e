from typing import Any

from django.core.management.base import BaseCommand

from directives import actions
from directives.models import Directive

LIST_AT_MOST = 200  # an operator reads a list; beyond this a count says enough


class Command(BaseCommand):
    help = (
        "Owe the reminders due before open deadlines and the escalations of long-overdue directives "
        "(what beat runs hourly); idempotent. The emails go out with dispatch_notifications."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = actions.send_reminders(actor=None)
        escalated = actions.escalate_overdue(actor=None)
        for days, ids in sorted(reminded.items()):
            for ref in self._refs(ids):
                self.stdout.write(f"reminder ({days} day{'s' if days != 1 else ''} before): {ref}")
        for ref in self._refs(escalated):
            self.stdout.write(f"escalation: {ref}")
        total = sum(len(ids) for ids in reminded.values())
        self.stdout.write(f"{total} reminders and {len(escalated)} escalations owed.")

    def _refs(self, ids: list[int]) -> list[str]:
        directives = Directive.objects.filter(id__in=ids[:LIST_AT_MOST]).select_related("order")
        refs = [
            f"EO {d.order.number} sec. {d.ref} (due {d.due_on})"
            for d in directives.order_by("order", "position")
        ]
        if len(ids) > LIST_AT_MOST:
            refs.append(f"... and {len(ids) - LIST_AT_MOST} more")
        return refs
