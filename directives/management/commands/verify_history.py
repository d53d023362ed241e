from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives import history
from directives.models import Order


class Command(BaseCommand):
    help = (
        "Check every order's hash chain of events (or one order's); name the first event that does not "
        "match and exit with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--order", type=int, metavar="NUMBER", help="only this executive order")

    def handle(self, *args, order: int | None, **options) -> None:
        if order is not None and not Order.objects.filter(number=order).exists():
            raise CommandError(f"--order: no executive order {order} is loaded.")
        report = history.verify(order)
        counted = f"{_count(report.events, 'event')} in {_count(report.orders, 'order')}"
        if report.error is not None:
            self.stdout.write(f"Checked {counted}, up to the first mismatch.")
            raise CommandError(f"The history does not verify: {report.error.describe()}", returncode=1)
        self.stdout.write(f"Verified {counted}: every chain is intact.")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
