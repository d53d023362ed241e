import contextlib
import gc
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives.history import proof
from directives.models import Order

# The proof builds a record (a dict) per event and keeps a state per directive: at CPython's default
# the youngest generation was collected every 700 new objects, about 1,500 times over 520,000 events,
# each collection also walking the states still alive. Collected every YOUNG_OBJECTS instead.
YOUNG_OBJECTS = 100_000


def collect_rarely() -> None:
    """Freeze what is loaded out of the collections and collect the young rarely, for this process."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, old)


@contextlib.contextmanager
def collecting_rarely() -> Iterator[None]:
    """``collect_rarely`` for the block, then the thresholds as they were: a process that runs the command
    among other work (``call_command`` in a task or a test) goes on collecting as it did."""
    before = gc.get_threshold()
    collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*before)


class Command(BaseCommand):
    # The proof reads the database and nothing else: Django's system checks (every model, URL and
    # setting) took over a second of a run before its first row was read.
    requires_system_checks: list[str] = []
    help = (
        "Prove the record: every order's hash chain and its signatures, every directive's state against "
        "its replayed history, the access log, and the newest checkpoints (the database's and those of "
        "--checkpoints files); name each order, directive and seq that does not match and exit with 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--order", type=int, metavar="NUMBER", help="only this executive order")
        parser.add_argument(
            "--checkpoints",
            type=Path,
            action="append",
            default=[],
            metavar="FILE",
            help=(
                "a file of checkpoints kept outside the database (JSON lines); may be repeated; "
                "default: HISTORY_CHECKPOINT_FILE when it is set"
            ),
        )

    def handle(self, *args: Any, order: int | None, checkpoints: list[Path], **options: Any) -> None:
        if order is not None and not Order.objects.filter(number=order).exists():
            raise CommandError(f"--order: no executive order {order} is loaded.")
        source = "--checkpoints"
        if not checkpoints and settings.HISTORY_CHECKPOINT_FILE:
            # The configured sink is what proves the newest events were not removed: read it unasked.
            checkpoints, source = [Path(settings.HISTORY_CHECKPOINT_FILE)], "HISTORY_CHECKPOINT_FILE"
        for path in checkpoints:
            if not path.is_file():
                raise CommandError(
                    f"{source}: {path} is not a readable file"
                    + (" (write_checkpoint writes the first)." if source != "--checkpoints" else ".")
                )
        started = time.perf_counter()
        try:
            with collecting_rarely():
                report = proof.verify(order, checkpoint_files=checkpoints)
        except UnicodeDecodeError as exc:
            raise CommandError(f"--checkpoints: not UTF-8 text ({exc.reason}).") from exc
        counted = f"{_count(report.events, 'event')} in {_count(report.orders, 'order')}"
        counted += f", {_count(report.directives, 'directive')}"
        if order is None:
            counted += f", {_count(report.access_entries, 'access log entry', 'access log entries')}"
        against = (
            "; against " + ", ".join(report.checkpoints) if report.checkpoints else "; no checkpoint yet"
        )
        seconds = time.perf_counter() - started
        # How fast, on stderr: stdout keeps the one verdict line scripts read.
        self.stderr.write(f"{seconds:.1f} s, {report.events / max(seconds, 1e-9):,.0f} events a second.")
        if not report.ok:
            self.stdout.write(f"Checked {counted}{against}.")
            problems = "\n".join(f"- {p}" for p in report.problems)
            raise CommandError(f"The history does not verify:\n{problems}", returncode=1)
        self.stdout.write(
            f"Verified {counted}{against}: every chain is intact and signed, every state matches."
        )


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"
