"""When each periodic task last succeeded: what an operator alerts on when a sweep stops running."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


class TaskRun(models.Model):
    """One row per periodic task, its last success; written by the worker (orderctl/celery.py)."""

    task = models.CharField(max_length=200, unique=True, help_text="The task's name, as beat sends it.")
    last_succeeded_at = models.DateTimeField(help_text="When it last finished without an error.")

    class Meta:
        ordering = ["task"]

    def __str__(self) -> str:
        return f"{self.task}: {self.last_succeeded_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, task: str, at: dt.datetime | None = None) -> None:
        """Record that ``task`` succeeded ``at`` (now): one upsert, safe with several workers at once."""
        cls.objects.update_or_create(task=task, defaults={"last_succeeded_at": at or timezone.now()})
