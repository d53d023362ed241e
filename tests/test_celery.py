"""Celery wiring: the beat schedule, settings from the environment, the embedded broker, thin tasks."""

import datetime as dt
import json
import os
import pickle
import subprocess
from pathlib import Path

import kombu.serialization
import pytest
import time_machine
from django.conf import settings
from kombu.exceptions import ContentDisallowed

from directives import tasks
from directives.models import Notification
from orderctl.celery import app
from tests import fresh_django

ROOT = Path(__file__).resolve().parent.parent
JULY_2_ENDS = dt.datetime(2026, 7, 3, 4, 0, tzinfo=dt.UTC)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with Django set up, under a clean local environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DATA_DIR")}
    return fresh_django.run(  # forked from a preloaded server (tests/fresh_django.py)
        "import django; django.setup()\n" + code,
        env={**base, "DJANGO_SETTINGS_MODULE": "orderctl.settings", **env},
        server_env=base,
        cwd=ROOT,
        timeout=120,
    )


def test_beat_runs_the_sweeps_the_webhook_sender_and_the_checkpoint_as_tasks_the_worker_has():
    tasks_run = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert tasks_run == {
        "directives.tasks.flag_overdue",
        "directives.tasks.send_reminders",
        "directives.tasks.advance_series",
        "directives.tasks.dispatch_notifications",
        "directives.tasks.dispatch_webhooks",
        "directives.tasks.sweep_outbox_leases",
        "directives.tasks.write_checkpoint",
    }
    app.loader.import_default_modules()
    assert tasks_run <= set(app.tasks)


def test_each_beat_interval_comes_from_its_variable_and_a_run_late_by_one_interval_expires():
    result = run_python(
        "import json; from orderctl.celery import app\n"
        "print(json.dumps({n: [e['schedule'], e['options']['expires']] "
        "for n, e in app.conf.beat_schedule.items()}))",
        FLAG_OVERDUE_EVERY_SECONDS="120",
        SEND_REMINDERS_EVERY_SECONDS="7200",
        ADVANCE_SERIES_EVERY_SECONDS="600",
        DISPATCH_NOTIFICATIONS_EVERY_SECONDS="45",
        DISPATCH_WEBHOOKS_EVERY_SECONDS="90",
        SWEEP_OUTBOX_EVERY_SECONDS="30",
        HISTORY_CHECKPOINT_EVERY_SECONDS="1800",
    )
    assert result.returncode == 0, result.stderr
    # The next run does the same work, so one that waited a whole interval in the queue is dropped.
    assert json.loads(result.stdout) == {
        "flag-overdue": [120.0, 120],
        "send-reminders": [7200.0, 7200],
        "advance-series": [600.0, 600],
        "dispatch-notifications": [45.0, 45],
        "dispatch-webhooks": [90.0, 90],
        "sweep-outbox-leases": [30.0, 30],
        "write-checkpoint": [1800.0, 1800],
    }


def test_a_message_that_json_cannot_carry_is_refused_when_queued(tmp_path):
    result = run_python(
        "from kombu.exceptions import EncodeError\n"
        "from orderctl.celery import app\n"
        "try:\n"
        "    app.send_task('directives.tasks.dispatch_notifications', args=[{1, 2}])\n"
        "except EncodeError as exc:\n"
        "    print('refused:', exc)\n",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused:"), result.stdout  # pickle would have carried a set
    assert not list((tmp_path / "celery" / "queue").iterdir())


def test_a_worker_refuses_a_pickled_message():
    # What a worker's consumer does with a message body, with the content types the settings accept.
    body = pickle.dumps({"task": "directives.tasks.flag_overdue"})
    with pytest.raises(ContentDisallowed):
        kombu.serialization.loads(
            body, "application/x-python-serialize", "binary", accept=app.conf.accept_content
        )


def test_time_limits_come_from_the_environment():
    result = run_python(
        "from orderctl.celery import app; print(app.conf.task_time_limit, app.conf.task_soft_time_limit)",
        CELERY_TASK_TIME_LIMIT="50",
        CELERY_TASK_SOFT_TIME_LIMIT="40",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["50", "40"]


def test_by_default_a_task_is_warned_before_it_is_killed_and_acknowledged_once_it_ran():
    # The soft limit raises inside the task, which can still roll back cleanly; the hard one kills it.
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    # Acknowledged after running, so a worker that dies mid-task leaves the message to another.
    assert app.conf.task_acks_late is True
    # One email exchange must fit many times in the dispatcher's lease.
    assert settings.EMAIL_TIMEOUT * 10 <= settings.NOTIFICATION_CLAIM_SECONDS


def test_intervals_and_reminder_offsets_come_from_the_environment():
    result = run_python(
        "import json; from django.conf import settings as s\n"
        "print(json.dumps([s.CELERY_BEAT_SCHEDULE['flag-overdue']['schedule'], s.REMINDER_OFFSETS_DAYS, "
        "s.ESCALATION_AFTER_DAYS]))",
        FLAG_OVERDUE_EVERY_SECONDS="120",
        REMINDER_OFFSETS_DAYS="1, 14,3",
        ESCALATION_AFTER_DAYS="10",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [120.0, [1, 3, 14], 10]


def test_a_bad_interval_or_offset_is_refused_naming_the_variable():
    result = run_python("", FLAG_OVERDUE_EVERY_SECONDS="0")
    assert result.returncode != 0
    assert "FLAG_OVERDUE_EVERY_SECONDS must be a positive number of seconds, not 0" in result.stderr
    result = run_python("", REMINDER_OFFSETS_DAYS="7,one")
    assert result.returncode != 0
    assert "REMINDER_OFFSETS_DAYS must be whole numbers of days" in result.stderr


def test_the_embedded_broker_keeps_every_folder_under_the_data_folder(tmp_path):
    result = run_python(
        "from directives import tasks\n"
        "from orderctl.celery import app\n"
        "print(app.conf.broker_url)\n"
        "tasks.dispatch_notifications.apply_async()\n",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "filesystem://localhost//"
    celery_dir = tmp_path / "celery"
    assert sorted(p.name for p in celery_dir.iterdir()) == ["control", "processed", "queue"]
    [message] = (celery_dir / "queue").iterdir()
    body = json.loads(message.read_text())
    assert body["headers"]["task"] == "directives.tasks.dispatch_notifications"
    assert (celery_dir / "control" / "celery.exchange").exists()


def test_the_tasks_call_the_actions_and_report_counts(order, cisa_editor, reviewer):
    with time_machine.travel(JULY_2_ENDS, tick=False):
        assert (
            tasks.flag_overdue() == 7
        )  # the seven trackable items due July 2 (parents are overdue through them)
        assert tasks.flag_overdue() == 0
        # CISA's three parts of 2(c) in one email to its editor; four others have nobody to tell yet.
        assert tasks.dispatch_notifications() == {
            "sent": 3,
            "emails": 1,
            "deferred": 0,
            "refused": 0,
            "unconfirmed": 0,
            "database_errors": 0,
            "waiting": 4,
            "cancelled": 0,
        }
    with time_machine.travel(JULY_2_ENDS + dt.timedelta(days=6), tick=False):
        assert tasks.send_reminders() == {"escalations": 7}
        assert tasks.send_reminders() == {"escalations": 0}
    assert Notification.objects.filter(kind=Notification.Kind.ESCALATION).count() == 7


def test_with_redis_only_beats_schedule_folder_is_created(tmp_path):
    # Nothing connects here: reading the configuration is enough to prepare the folders.
    result = run_python(
        "from orderctl.celery import app\nprint(app.conf.beat_schedule_filename)",
        DATA_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/5",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "celery" / "beat-schedule")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["celery"]
    assert list((tmp_path / "celery").iterdir()) == []
