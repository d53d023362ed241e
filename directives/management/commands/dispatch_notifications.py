from typing import Any

from django.core.management.base import BaseCommand

from directives import actions


class Command(BaseCommand):
    help = (
        "Send every notification that is due through the email backend (what the worker does every "
        "minute and whenever a sweep owes new ones); failures are retried with backoff."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = actions.dispatch_notifications()
        self.stdout.write(report.summary() + ".")
