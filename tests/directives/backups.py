"""Helpers the backup tests share: run a command, count every record a restore writes, read a file."""

from __future__ import annotations

import io
import json

from django.contrib.auth import get_user_model
from django.core.management import call_command

from agencies.models import Agency
from directives.models import Directive, DirectiveEvent, Involvement, Notification, Order

User = get_user_model()


def command(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def everything() -> dict[str, int]:
    """Count every record a restore writes, to prove that a refused one wrote nothing."""
    return {
        "agencies": Agency.objects.count(),
        "orders": Order.objects.count(),
        "directives": Directive.objects.count(),
        "involvements": Involvement.objects.count(),
        "events": DirectiveEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "users": User.objects.count(),
    }


def lines_of(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]
