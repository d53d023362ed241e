from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives import actions
from directives.models import Order


class Command(BaseCommand):
    help = "Publish an order as open data (its public page and JSON/CSV feeds), or withdraw it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", type=int, help="the executive order's number, e.g. 14409")
        parser.add_argument("--withdraw", action="store_true", help="close the public page and feeds")

    def handle(self, *args: Any, number: int, withdraw: bool, **options: Any) -> None:
        order = Order.objects.filter(number=number).first()
        if order is None:
            raise CommandError(f"number: no executive order {number} is loaded.")
        if withdraw:
            done = actions.unpublish_order(order, actor=None)
            self.stdout.write(
                f"EO {number} withdrawn from open data." if done else f"EO {number} was not published."
            )
        else:
            publication = actions.publish_order(order, actor=None)
            self.stdout.write(
                f"EO {number} published as open data since {publication.published_at:%Y-%m-%d %H:%M} UTC."
            )
