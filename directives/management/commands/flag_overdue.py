from typing import Any

from django.core.management.base import BaseCommand

from directives import actions
from directives.models import Directive

LIST_AT_MOST = 200  # an operator reads a list; beyond this a count says enough


class Command(BaseCommand):
    help = (
        "Flag every open directive whose deadline has passed (what beat runs every 15 minutes); "
        "idempotent, so running it again flags nothing new."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = actions.flag_overdue(actor=None)
        listed = Directive.objects.filter(id__in=flagged[:LIST_AT_MOST]).select_related("order")
        for d in listed.order_by("order", "position"):
            self.stdout.write(f"flagged overdue: EO {d.order.number} sec. {d.ref} (due {d.due_on})")
        if len(flagged) > LIST_AT_MOST:
            self.stdout.write(f"... and {len(flagged) - LIST_AT_MOST} more")
        self.stdout.write(f"{len(flagged)} directive{'s' if len(flagged) != 1 else ''} flagged overdue.")
