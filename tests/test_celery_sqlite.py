"""The embedded setup of `make run`: the web server and the worker write one SQLite file at once.

Separate processes against a real SQLite file, as in development (the test database is in memory,
so it cannot show this): WAL, IMMEDIATE transactions and the busy timeout must make every writer
wait its turn, never fail with "database is locked", and the sweeps must still flag each directive
once while notes are being written.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NOTES = 120
SWEEPS = 40

WRITER = f"""
import django; django.setup()
import sys
from directives import actions
from directives.models import Directive
d = Directive.objects.get(ref="2(c)(ii)")
for i in range({NOTES}):
    actions.add_note(d, f"note {{sys.argv[1]}}-{{i}}", actor=None)
"""

SWEEPER = f"""
import django; django.setup()
from directives import actions
for _ in range({SWEEPS}):
    actions.flag_overdue(actor=None)
    actions.send_reminders(actor=None)
    actions.escalate_overdue(actor=None)
    actions.dispatch_notifications()
"""

COUNT = """
import django; django.setup()
import json
from django.db import connection
from directives.models import DirectiveEvent, Notification
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode")
    mode = c.fetchone()[0]
print(json.dumps({
    "journal_mode": mode,
    "notes": DirectiveEvent.objects.filter(kind="note").count(),
    "flagged": DirectiveEvent.objects.filter(kind="flagged_overdue").count(),
    "overdue_notices": Notification.objects.filter(kind="overdue").count(),
}))
"""


def test_the_web_and_the_worker_write_at_once_without_database_is_locked(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="orderctl.settings",
        EMAIL_BACKEND=("django.core.mail.backends.locmem.EmailBackend"),
    )

    def run(*args: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    for command in (["manage.py", "migrate", "--no-input"], ["manage.py", "load_order"]):
        setup = run(*command)
        _, err = setup.communicate(timeout=120)
        assert setup.returncode == 0, err

    processes = [run("-c", WRITER, "a"), run("-c", WRITER, "b"), run("-c", SWEEPER)]
    for p in processes:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "database is locked" not in err

    counter = run("-c", COUNT)
    out, err = counter.communicate(timeout=60)
    assert counter.returncode == 0, err
    assert json.loads(out) == {
        "journal_mode": "wal",
        "notes": 2 * NOTES,
        "flagged": 10,  # the dated leaves; the parents 2(c) and Sec. 3 are overdue through them
        "overdue_notices": 10,
    }
