from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Agency
from directives import actions
from directives.orderfile import OrderFileError, parse_order_file

BUNDLED = Path(__file__).resolve().parents[2] / "orders"


class Command(BaseCommand):
    help = "Validate an order file and create or update the order, its agencies and directives."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help=f"order files (TOML); default: every file in {BUNDLED}",
        )

    def handle(self, *args: Any, paths: list[str], **options: Any) -> None:
        files = [Path(p) for p in paths] or sorted(BUNDLED.glob("*.toml"))
        if not files:
            raise CommandError(f"No order files given and none found in {BUNDLED}.")
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{path}: cannot read the file: {exc.strerror}") from None
            known = frozenset(Agency.objects.values_list("abbreviation", flat=True))
            try:
                spec = parse_order_file(text, known_agencies=known)
                order, report = actions.load_order(spec)
            except OrderFileError as exc:
                problems = "\n".join(f"  - {p}" for p in exc.problems)
                raise CommandError(f"{path}: nothing was loaded:\n{problems}") from None
            except ValidationError as exc:
                problems = "\n".join(f"  - {k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                raise CommandError(f"{path}: nothing was loaded:\n{problems}") from None
            self.stdout.write(f"{path.name}: Executive Order {order.number}: {report.summary()}")
