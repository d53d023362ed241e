from typing import Any

from django.core.management.base import BaseCommand, CommandError

from directives.history import proof
from ledger import checkpoints


class Command(BaseCommand):
    help = (
        "Sign a checkpoint of every chain's head now, store it, and send it to the configured sinks "
        "(HISTORY_CHECKPOINT_FILE, _WEBHOOK, _EMAIL); exit with 1 if a sink did not take it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint, line = proof.write_checkpoint(send=False)
        results = checkpoints.deliver(line, emails=proof.checkpoint_emails())
        self.stdout.write(
            f"Checkpoint {checkpoint.pk} of {line['created']}: {len(line['chains'])} chains signed by key "
            f"{line['key_id']}; stored in the database"
            + "".join(f", sent to the {sink}" for sink, error in results.items() if error is None)
            + "."
        )
        failed = {sink: error for sink, error in results.items() if error is not None}
        if failed:
            raise CommandError(
                "; ".join(f"the {sink} sink did not take it: {error}" for sink, error in failed.items()),
                returncode=1,
            )
        if not results:
            self.stderr.write(
                "No sink outside the database is configured (HISTORY_CHECKPOINT_FILE, _WEBHOOK, _EMAIL): "
                "this checkpoint does not survive the database's owner."
            )
