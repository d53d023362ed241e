from typing import Any

from django.core.management.base import BaseCommand

from directives import actions
from directives.models import Directive


class Command(BaseCommand):
    help = (
        "Make the next occurrence of every recurring directive whose current one is completed or past its "
        "due day (what beat runs every 15 minutes); idempotent, so running it again makes nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = actions.advance_series(actor=None)
        for d in Directive.objects.filter(id__in=created).select_related("order").order_by("pk"):
            self.stdout.write(f"made: EO {d.order.number} sec. {d.ref} (due {d.due_on})")
        self.stdout.write(f"{len(created)} occurrence{'s' if len(created) != 1 else ''} made.")
