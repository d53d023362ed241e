"""The Celery application, configured from Django's settings (``CELERY_*``).

Run a worker with ``celery -A orderctl worker`` and the scheduler with ``celery -A orderctl beat``;
the schedule itself is ``CELERY_BEAT_SCHEDULE`` in the settings.
"""

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import beat_init, task_failure, task_postrun, task_prerun, task_success

from agencies.logs import current_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderctl.settings")

logger = logging.getLogger(__name__)

app = Celery("orderctl")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The filesystem transport's folder options; kombu creates none of them except the last level of
# `control_folder`, so a fresh clone's first publish or worker start would fail without this.
_FILESYSTEM_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def create_data_folders(sender: Celery, source: Any, **kwargs: Any) -> None:
    """Create the folders Celery writes to once the configuration is read, in every process.

    Beat's schedule file needs its folder whatever the broker; the embedded broker needs its own.
    """
    if source.beat_schedule_filename:
        Path(source.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)
    if not str(source.broker_url).startswith("filesystem:"):
        return
    options = source.broker_transport_options or {}
    for key in _FILESYSTEM_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@beat_init.connect
def run_sweeps_on_start(sender: Any, **kwargs: Any) -> None:
    """Queue every scheduled sweep once when beat starts.

    An interval schedule first fires one interval after start, so a fresh install (or a beat back
    from an outage without its schedule file) would wait 15 minutes to flag what is already overdue.
    The sweeps are idempotent, so running them early never doubles anything.
    """
    for name, entry in app.conf.beat_schedule.items():
        logger.info("beat started: queueing %s now", name)
        app.send_task(entry["task"], **entry.get("options", {}))


# --- What each task did, for the log and for /metrics ------------------------------------------------
# A task's log lines carry its id where a request's carry the request id (agencies.logs).
@task_prerun.connect
def name_the_task_in_the_log(task_id: str, **kwargs: Any) -> None:
    """Put the task's id on every line it logs."""
    current_request_id.set(task_id)


@task_postrun.connect
def forget_the_task_in_the_log(**kwargs: Any) -> None:
    current_request_id.set("-")


def ids_of(values: Iterable[object]) -> list[object]:
    """Return the ids among a task's arguments as they are; anything else only by its type's name.

    Our tasks take ids (house style 5); whatever else one is given is not copied into the log.
    """
    return [
        value
        if isinstance(value, int | None) or (isinstance(value, str) and _ID.fullmatch(value))
        else type(value).__name__
        for value in values
    ]


_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


@task_failure.connect
def log_the_failure(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Iterable[object] = (),
    kwargs: dict[str, object] | None = None,
    **more: Any,
) -> None:
    """Log a failed task with its name, its id, the ids it was given and the exception's type."""
    logger.error(
        "task %s failed: %s",
        getattr(sender, "name", sender),
        type(exception).__name__,
        extra={
            "task": getattr(sender, "name", str(sender)),
            "task_id": task_id,
            "arg_ids": ids_of(args or ()),
            "kwarg_ids": dict(zip((kwargs or {}), ids_of((kwargs or {}).values()), strict=True)),
            "exception": type(exception).__name__,
        },
    )


@task_success.connect
def record_the_success(sender: Any = None, **kwargs: Any) -> None:
    """Record when each periodic task last succeeded (``TaskRun``; /metrics reads it)."""
    name = str(getattr(sender, "name", ""))
    if name in {entry["task"] for entry in app.conf.beat_schedule.values()}:
        from directives.models import TaskRun

        TaskRun.record(name)
