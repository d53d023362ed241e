import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger import audit


class Command(BaseCommand):
    help = (
        "Write the access log (memberships, reviewer grants, user flags and names, tokens, lockouts) as "
        "JSON lines, each entry with its hash and signature, after checking its chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, metavar="FILE", help="write here instead of to stdout")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        head, problem = audit.verify()
        if problem is not None:
            raise CommandError(f"The access log does not verify: {problem.describe()}", returncode=1)
        lines = (
            json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n" for entry in audit.records()
        )
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8") as out:
            out.writelines(lines)
        partial.replace(output)
        self.stderr.write(f"Wrote {output}: {head.count:,} access log entries, verified.")
