from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ledger import keys


class Command(BaseCommand):
    help = (
        "Signing keys of the history: `generate` prints a new private key (for HISTORY_SIGNING_KEY) and "
        "its public key; `public` prints every trusted public key with its key id, for auditors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["generate", "public"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "generate":
            private, public = keys.generate()
            self.stderr.write(
                "Keep the private key secret and outside the database (HISTORY_SIGNING_KEY or a file named "
                "by HISTORY_SIGNING_KEY_FILE). When it replaces a key, add the old public key to "
                "HISTORY_TRUSTED_KEYS so that what the old key signed still verifies."
            )
            self.stdout.write(f"HISTORY_SIGNING_KEY={private}")
            self.stdout.write(f"# public key {public} (key id {keys.key_id(keys.parse_public(public))})")
            return
        ring = keys.keyring()
        for key_id, trusted in sorted(ring.trusted.items()):
            role = "signs now" if key_id == ring.signing_key_id else "earlier key, still trusted"
            self.stdout.write(f"{key_id} {keys.public_text(trusted)}  # {role}")
