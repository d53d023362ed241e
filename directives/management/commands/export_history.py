from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from directives.operations import backup


class Command(BaseCommand):
    help = (
        "Write the whole record (agencies, orders, directives, the events with their hash chains, "
        "notifications) as JSON lines, for import_history to restore."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, metavar="FILE", help="write here instead of to stdout")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        if output is None:
            backup.export(self.stdout)
            return
        # Written beside the target and renamed, so that a failed export never leaves half a backup
        # under the name of a whole one.
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            counts = backup.export(out)
        partial.replace(output)
        self.stderr.write(f"Wrote {output}: {backup.describe_counts(dict(counts)) or 'an empty database'}.")
