"""The Celery application, configured from Django's settings (``CELERY_*``).

Run a worker with ``celery -A orderctl worker`` and the scheduler with ``celery -A orderctl beat``;
the schedule itself is ``CELERY_BEAT_SCHEDULE`` in the settings.
"""

import logging
import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import beat_init

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
