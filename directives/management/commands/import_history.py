from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives.operations import backup


class Command(BaseCommand):
    help = (
        "Restore a file written by export_history into an empty database: validate it completely, "
        "write it in one transaction, and verify every chain before committing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--accept-unsealed",
            action="store_true",
            help=(
                "restore a file of version 2 or 3, which carries no seal over its records: its events are "
                "still proven by their signatures and each directive's state by its events; the rest "
                "(titles, names, order details, notices) is taken as the file says"
            ),
        )

    def handle(self, *args: Any, file: Path, accept_unsealed: bool = False, **options: Any) -> None:
        held = {kind: n for kind, n in backup.existing_records().items() if n}
        if held:
            raise CommandError(str(backup.NotEmpty(held)))
        try:
            # newline="": the seal covers the file's bytes, its line endings included.
            with file.open(encoding="utf-8", newline="") as lines:
                validated = backup.read(lines, accept_unsealed=accept_unsealed)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
        except backup.BackupError as exc:
            raise CommandError(f"{file} cannot be restored; nothing was written:\n{exc}") from exc
        try:
            report = backup.restore(validated)
        except backup.NotEmpty as exc:  # something was written since the first check
            raise CommandError(str(exc)) from exc
        except backup.BackupError as exc:
            raise CommandError(f"{file} cannot be restored; nothing was written:\n{exc}") from exc
        self.stdout.write(
            f"Restored {backup.describe_counts(validated.counts())}. Verified "
            f"{backup.describe_counts({'event': report.events})} in "
            f"{backup.describe_counts({'order': report.orders})}: every chain is "
            "intact and signed, every state matches."
        )
