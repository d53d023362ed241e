"""Integration: a real Celery worker on the local Redis runs what beat queues when it starts.

Runs when REDIS_URL is set (CI sets it), on PostgreSQL too when DATABASE_URL is set. The worker runs
in a thread of this process (celery.contrib.testing), so it uses the test database and Django's
locmem email backend; everything between (Redis, the task protocol, on-commit queueing) is real.
"""

import re
import time
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection

from agencies.models import Agency, Membership
from directives.models import Delivery, Directive, Notification
from orderctl.celery import app, run_sweeps_on_start

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LEADS = ("CNSS", "DOW", "CISA", "TREASURY", "OMB", "OPM", "NSA")
# A directive an email tells about: "Executive Order 14409, sec. 2(c)(ii): ..."
REF = re.compile(r"Executive Order \d+, sec\. ([0-9a-z()]+):")


def wait_for(condition, *, timeout: float = 60.0, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def finished_tasks():
    """Yield a Counter of task names the worker finished; close the worker thread's connection after each."""
    finished: Counter = Counter()

    def on_postrun(task=None, **kwargs):
        finished[task.name.rsplit(".", 1)[-1]] += 1
        connection.close()  # the worker thread's own connection; the test database is dropped later

    task_postrun.connect(on_postrun, weak=False)
    yield finished
    task_postrun.disconnect(on_postrun)


@pytest.fixture
def worker(order, finished_tasks):
    app.control.purge()  # messages left in this Redis database by earlier runs are not this test's
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"):
        yield
    app.control.purge()


@pytest.fixture
def editors(order):
    User = get_user_model()
    for abbr in LEADS:
        user = User.objects.create_user(f"{abbr.lower()}-editor", f"{abbr.lower()}-editor@example.com", "pw")
        Membership.objects.create(
            user=user, agency=Agency.objects.get(abbreviation=abbr), role=Membership.Role.EDITOR
        )


def test_beat_start_flags_every_overdue_directive_and_sends_each_one_email(
    editors, reviewer, worker, finished_tasks
):
    # Today (the real clock) every dated directive of EO 14409 is past due: all are open here. The ten
    # trackable ones are told about; the parents 2(c) and Sec. 3 through their parts.
    dated = set(Directive.objects.trackable().filter(due_at__isnull=False).values_list("ref", flat=True))
    assert len(dated) == 10

    run_sweeps_on_start(sender=None)
    wait_for(
        lambda: Notification.objects.filter(state=Notification.State.SENT).count() == 2 * len(dated),
        what="an overdue notice and an escalation per directive to be sent",
    )
    flagged = set(Directive.objects.filter(overdue_flagged_at__isnull=False).values_list("ref", flat=True))
    assert flagged == dated  # parents are overdue through their parts, which carry the flags

    # Each email goes to one person; every (person, directive) pair owed was carried exactly once.
    assert all(len(m.to) == 1 for m in mail.outbox)
    carried = Counter((m.to[0], ref) for m in mail.outbox for ref in REF.findall(str(m.body)))
    owed = Counter((to, n.directive.ref) for n in Notification.objects.all() for to in n.recipients)
    assert carried == owed
    assert {to for to, ref in owed} == {f"{abbr.lower()}-editor@example.com" for abbr in LEADS} | {
        "reviewer@example.com"
    }
    assert ("cisa-editor@example.com", "2(c)(ii)") in owed

    # Beat restarts: every sweep runs again, and nothing is sent twice.
    before = finished_tasks.copy()
    run_sweeps_on_start(sender=None)
    wait_for(
        lambda: (
            finished_tasks["flag_overdue"] == before["flag_overdue"] + 1
            and finished_tasks["send_reminders"] == before["send_reminders"] + 1
            and finished_tasks["dispatch_notifications"] > before["dispatch_notifications"]
        ),
        what="the second round of sweeps",
    )
    assert len(mail.outbox) == Delivery.objects.filter(state=Delivery.State.SENT).count()
    assert set(Counter(m.extra_headers["Message-ID"] for m in mail.outbox).values()) == {1}
