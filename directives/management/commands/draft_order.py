"""`python manage.py draft_order PATH`: draft an order file (TOML) from an executive order's text."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directives.drafting import KINDS, DraftError, draft


class Command(BaseCommand):
    help = (
        "Draft an order file from an executive order's text (plain text, Markdown, the whitehouse.gov page "
        "as HTML or Markdown, Federal Register XML). Writes TOML to --output or standard output; loads "
        "nothing. Review the draft, then load it with load_order."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the order's text, or - to read standard input")
        parser.add_argument(
            "--number", help="the order's number, when the text lacks it (whitehouse.gov pages)"
        )
        parser.add_argument("--signed-on", help="the signing date, YYYY-MM-DD, when the text lacks it")
        parser.add_argument("--title", help="the order's title, instead of the one in the text")
        parser.add_argument(
            "--kind",
            choices=KINDS,
            help="the kind of presidential document, when the text does not make it clear",
        )
        parser.add_argument("--output", "-o", help="write the TOML to this file instead of standard output")

    def handle(
        self,
        *args: Any,
        path: str,
        number: str | None,
        signed_on: str | None,
        title: str | None,
        kind: str | None,
        output: str | None,
        **options: Any,
    ) -> None:
        name = "standard input" if path == "-" else path
        order_number = None
        if number is not None:
            if not number.isdigit() or int(number) <= 0:
                raise CommandError(f"--number: {number!r} is not an executive order's number (e.g. 14409)")
            order_number = int(number)
        signed = None
        if signed_on is not None:
            try:
                signed = dt.date.fromisoformat(signed_on)
            except ValueError:
                raise CommandError(f"--signed-on: {signed_on!r} is not a date written YYYY-MM-DD") from None
        data = self._read(path)
        if b"\x00" in data[:65536]:
            raise CommandError(f"{name}: the input is binary, not text; give the order as text, HTML or XML")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{name}: cannot be decoded as UTF-8 (byte {exc.start}); save the text as UTF-8 and try again"
            ) from None
        try:
            result = draft(
                text,
                filename=None if path == "-" else Path(path).name,
                number=order_number,
                signed_on=signed,
                title=title,
                kind=kind,
            )
        except DraftError as exc:
            raise CommandError(f"{name}: {exc}") from None
        if output:
            try:
                Path(output).write_text(result.toml, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"--output: cannot write {output}: {exc.strerror}") from None
        else:
            self.stdout.write(result.toml, ending="")
        to_review = sum(1 for d in result.directives if d.review) + sum(1 for a in result.amends if a.review)
        self.stderr.write(
            f"Drafted EO {result.order.number}: {len(result.directives)} directives, {len(result.amends)} "
            f"amendments, {len(result.revokes)} revocations; {to_review} to review"
            + (f"; written to {output}" if output else "")
            + "."
        )

    @staticmethod
    def _read(path: str) -> bytes:
        if path == "-":
            return sys.stdin.buffer.read()
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            return file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read: {exc.strerror}") from None
