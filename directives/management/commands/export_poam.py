from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from directives.models import Order
from directives.publishing import oscal


class Command(BaseCommand):
    help = "Print an order's open directives as an OSCAL plan of action and milestones (JSON, OSCAL 1.1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", type=int, help="the executive order's number, e.g. 14409")

    def handle(self, *args: Any, number: int, **options: Any) -> None:
        order = Order.objects.filter(number=number).first()
        if order is None:
            raise CommandError(f"number: no executive order {number} is loaded.")
        self.stdout.write(oscal.to_json(oscal.plan_of_action(order, timezone.now())))
