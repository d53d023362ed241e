from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agencies import actions


class Command(BaseCommand):
    help = (
        "Create a personal API token for USERNAME and print its key alone on the last line. The key is "
        "shown only this once; send it as `Authorization: Token <key>`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--read-only", action="store_true", help="The token may read but not write.")
        parser.add_argument(
            "--expires-days",
            type=int,
            help=(
                "Expire after N days. Default: a read-write token lasts its longest, "
                f"API_TOKEN_MAX_DAYS_READ_WRITE ({settings.API_TOKEN_MAX_DAYS_READ_WRITE}) days; "
                "a read-only one never expires."
            ),
        )
        parser.add_argument("--name", help="What the token is for (default: 'created on the command line').")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist:
            raise CommandError(f"There is no user {options['username']!r}.") from None
        name = options["name"] or f"created on the command line on {timezone.now():%Y-%m-%d}"
        expires_days = options["expires_days"]
        if expires_days is None and not options["read_only"]:
            expires_days = settings.API_TOKEN_MAX_DAYS_READ_WRITE  # a read-write token must expire
        try:
            token, key = actions.create_api_token(
                user,
                actor=None,
                name=name,
                read_only=options["read_only"],
                expires_days=expires_days,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(m for ms in exc.message_dict.values() for m in ms)) from None
        scope = "read-only" if token.read_only else "read-write"
        expiry = f"expires {token.expiry:%Y-%m-%d %H:%M} UTC" if token.expiry else "never expires"
        self.stderr.write(f"{scope} token {token.token_key}... for {user.get_username()}, {expiry}:")
        self.stdout.write(key)
