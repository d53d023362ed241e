from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from directives.models import Order
from directives.publishing.export import directives_for_export, status_rows, to_csv, to_json


class Command(BaseCommand):
    help = "Print the status of every directive as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--order", type=int, metavar="NUMBER", help="only this executive order")

    def handle(self, *args: Any, format: str, order: int | None, **options: Any) -> None:
        if order is not None and not Order.objects.filter(number=order).exists():
            raise CommandError(f"--order: no executive order {order} is loaded.")
        rows = status_rows(directives_for_export(order), timezone.now())
        self.stdout.write(
            to_csv(rows) if format == "csv" else to_json(rows), ending="" if format == "csv" else "\n"
        )
