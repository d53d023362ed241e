"""Faults, with everything real: a Celery worker and beat as processes of their own, a private Redis
server, PostgreSQL, and Django's file email backend writing every message to disk.

Three faults: Redis restarted while beat runs, a worker killed with SIGKILL in the middle of a send,
and beat down for three days. Afterwards every overdue directive is flagged once per deadline and
every notification owed was sent exactly once, counted by ``Message-ID`` in the mail files.

The Redis server is this test's own (a free loopback port of 8204-8210, no persistence), so stopping
it disturbs nobody. The worker and beat read the test database through ``DATABASE_URL``; the tests
are transactional, so what they commit is what the processes see. Beat runs every sweep each second
and a claimed notification's lease is 3 seconds, so a fault is over within seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.core.mail.backends import filebased
from django.db import connection
from django.utils import timezone

from directives import actions, deadlines, history
from directives.models import Delivery, Directive, DirectiveEvent, Notification
from load.run import free_port
from tests.test_celery_worker import editors, wait_for  # noqa: F401 - editors: a fixture, used by name

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
LEASE_SECONDS = 3
QUIET = ["--without-mingle", "--without-gossip"]  # one worker: nobody to synchronise with
MESSAGE_ID = re.compile(r"^Message-ID: <orderctl\.delivery\.(\d+)@", re.MULTILINE)


def without_faketime(env: dict[str, str]) -> dict[str, str]:
    """Return ``env`` without libfaketime's variables, for a server the test starts on the real clock."""
    return {k: v for k, v in env.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


class ArmedFileBackend(filebased.EmailBackend):
    """Django's file backend; once armed, the next send blocks until its worker is killed.

    The block comes before the message is written, where an SMTP server would not yet have accepted
    it, so the kill is deterministic: the interrupted delivery was not sent, and its one
    delivery comes after the lease. (A kill after the accept and before the "sent" mark would
    deliver it twice; the dispatcher documents that at-least-once window, and this test does not aim
    at it.) Only one send can take the arm: the file is renamed away atomically.
    """

    def send_messages(self, email_messages):
        control = Path(self.file_path).parent
        if email_messages:
            try:
                os.rename(control / "arm-block", control / "blocked")
            except FileNotFoundError:
                pass
            else:
                (control / "blocked").write_text(email_messages[0].extra_headers["Message-ID"])
                time.sleep(120)
                raise RuntimeError("the blocked send was never killed")
        return super().send_messages(email_messages)


def worker_database_url() -> str:
    """Return a DATABASE_URL naming the test database, for the worker and beat processes."""
    s = connection.settings_dict
    auth = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'])}"


class Services:
    """A private Redis, Celery workers and beat, each a process in a session of its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.mail = folder / "mail"
        self.mail.mkdir()
        self.redis_url = f"redis://127.0.0.1:{free_port()}/0"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ALLOW", "PYTEST"))}
        self.env.update(
            DEBUG="true",
            DATABASE_URL=worker_database_url(),
            DB_CONN_MAX_AGE="0",
            REDIS_URL=self.redis_url,
            DATA_DIR=str(folder / "data"),
            CELERY_BEAT_SCHEDULE_FILENAME=str(folder / "beat-schedule"),
            EMAIL_BACKEND=f"{__name__}.ArmedFileBackend",
            EMAIL_FILE_PATH=str(self.mail),
            FLAG_OVERDUE_EVERY_SECONDS="1",
            SEND_REMINDERS_EVERY_SECONDS="1",
            DISPATCH_NOTIFICATIONS_EVERY_SECONDS="1",
            NOTIFICATION_CLAIM_SECONDS=str(LEASE_SECONDS),
            LOG_LEVEL="INFO",
        )

    def _start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and redis-server, fixed arguments
            args,
            cwd=ROOT,
            env=self.env if env is None else env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_redis(self) -> None:
        server = shutil.which("redis-server")
        assert server, "redis-server is not installed (CI installs it with Redis)"
        port = self.redis_url.rsplit(":", 1)[1].split("/")[0]
        args = [server, "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no"]
        # Redis is the infrastructure, not the code under test: it keeps the real clock even when the suite
        # runs under faketime (`make test-future`), whose LD_PRELOAD its allocator does not survive.
        self._start("redis", [*args, "--dir", str(self.folder)], env=without_faketime(self.env))
        self.wait(lambda: "Ready to accept connections" in self.log("redis"), timeout=10, what="Redis")

    def start_worker(self, name: str) -> None:
        """Start a worker with one process (solo pool), so a SIGKILL ends whatever it was doing."""
        before = self.log(name).count(" ready.")
        celery = [sys.executable, "-m", "celery", "-A", "orderctl"]
        self._start(
            name,
            [*celery, "worker", "--pool=solo", "-n", f"{name}@%h", "--loglevel=INFO", *QUIET],
        )
        self.wait(lambda: self.log(name).count(" ready.") > before, timeout=30, what=f"{name} to be ready")

    def start_beat(self) -> None:
        self._start("beat", [sys.executable, "-m", "celery", "-A", "orderctl", "beat", "--loglevel=INFO"])

    def run_commands_at(self, instant: dt.datetime, *commands: str) -> None:
        """Run management commands in a process whose clock starts at ``instant`` (as beat did then)."""
        script = (
            "import sys, datetime, django, time_machine\n"
            "time_machine.travel(datetime.datetime.fromisoformat(sys.argv[1]), tick=True).start()\n"
            "django.setup()\n"
            "from django.core.management import call_command\n"
            "for command in sys.argv[2:]:\n"
            "    call_command(command)\n"
        )
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "orderctl.settings"}
        subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", script, instant.isoformat(), *commands],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def task_runs(self, task: str) -> int:
        """Return how many runs of ``task`` the workers finished, from their logs."""
        pattern = f"Task directives.tasks.{task}["
        return sum(
            line.count(pattern)
            for name in self.processes
            if name.startswith("worker")
            for line in self.log(name).splitlines()
            if "succeeded" in line
        )

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)

    def sent_message_ids(self) -> Counter:
        """Return how many times each delivery id was emailed, from every mail file."""
        return Counter(int(pk) for path in self.mail.iterdir() for pk in MESSAGE_ID.findall(path.read_text()))

    def wait_for_more_sweeps(self, rounds: int = 2) -> None:
        """Wait until every sweep ran ``rounds`` more times, to show that nothing more is sent."""
        tasks = ("flag_overdue", "send_reminders", "dispatch_notifications")
        target = {task: self.task_runs(task) + rounds for task in tasks}
        self.wait(
            lambda: all(self.task_runs(task) >= n for task, n in target.items()),
            timeout=30,
            what=f"{rounds} more runs of every sweep",
        )

    # Generous: on a loaded 2-core machine a worker's start-up and a broker reconnect take tens of seconds.
    def wait(self, condition, *, what: str, timeout: float = 150.0) -> None:
        """Wait for ``condition``; on timeout, fail with the end of every process's log."""
        try:
            wait_for(condition, timeout=timeout, what=what)
        except AssertionError as exc:
            tails = "".join(f"\n--- {name}.log\n{self.log(name)[-3000:]}" for name in self.processes)
            raise AssertionError(f"{exc}{tails}") from None


@pytest.fixture
def services(tmp_path, order):
    running = Services(tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def all_sent_once(services: Services) -> None:
    """Assert that every notification is marked sent and reached each of its recipients in exactly one
    email, that every email went out once, and that the history the sweeps wrote meanwhile verifies."""
    states = Counter(Notification.objects.values_list("state", flat=True))
    assert states == {Notification.State.SENT: Notification.objects.count()}, states
    sent = Delivery.objects.filter(state=Delivery.State.SENT)
    assert services.sent_message_ids() == dict.fromkeys(sent.values_list("pk", flat=True), 1)
    carried = Counter(sent.values_list("recipient", "notifications"))
    assert set(carried.values()) == {1}
    assert set(carried) == {(to, n.pk) for n in Notification.objects.all() for to in n.recipients}
    report = history.verify()
    assert report.ok, report.error
    assert report.events == DirectiveEvent.objects.count()


def flags_per_deadline() -> Counter:
    return Counter(
        DirectiveEvent.objects.filter(kind=DirectiveEvent.Kind.FLAGGED_OVERDUE).values_list(
            "directive__ref", "old_due_on"
        )
    )


def notices() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("directive__ref", "kind"))


def sent_count() -> int:
    return Notification.objects.filter(state=Notification.State.SENT).count()


@pytest.mark.usefixtures("editors", "reviewer")
def test_redis_restarted_while_beat_runs_loses_nothing_and_sends_nothing_twice(
    services, admin_user, directive
):
    dated = set(Directive.objects.trackable().filter(due_at__isnull=False).values_list("ref", flat=True))
    assert len(dated) == 10  # every one past due by the real clock; 2(c) and Sec. 3 count through their parts
    services.start_redis()
    services.start_worker("worker")
    services.start_beat()
    services.wait(lambda: sent_count() == 2 * len(dated), what="an overdue notice and an escalation each")

    services.stop("redis")
    # Beat keeps ticking and finds Redis gone; the queued nudges are lost. Meanwhile an administrator
    # moves 2(b)'s deadline to yesterday: it is overdue again, for its new deadline.
    services.wait(lambda: "Connection refused" in services.log("beat"), what="beat to miss Redis")
    yesterday = deadlines.local_date(timezone.now()) - dt.timedelta(days=1)
    actions.extend_deadline(directive("2(b)"), yesterday, actor=admin_user, justification="Renegotiated.")
    services.start_redis()

    services.wait(
        lambda: Notification.objects.filter(
            directive__ref="2(b)", due_on=yesterday, state=Notification.State.SENT
        ).exists(),
        what="2(b)'s notice for its new deadline once Redis is back",
    )
    services.wait_for_more_sweeps()

    assert services.alive("worker") and services.alive("beat"), "a process died with Redis"
    assert "Connection to broker lost" in services.log("worker")
    assert Notification.objects.count() == 2 * len(dated) + 1
    all_sent_once(services)
    flags = flags_per_deadline()
    assert set(flags.values()) == {1}
    assert sorted(day for ref, day in flags if ref == "2(b)") == [dt.date(2026, 7, 2), yesterday]
    assert {
        ref for ref, _ in flags
    } == dated  # parents are overdue through their parts, which carry the flags


@pytest.mark.usefixtures("editors", "reviewer")
def test_a_worker_killed_during_a_send_is_replaced_and_every_notice_goes_out_once(services):
    (services.folder / "arm-block").touch()
    services.start_redis()
    services.start_worker("worker")
    services.start_beat()
    blocked = services.folder / "blocked"
    services.wait(lambda: blocked.exists() and blocked.read_text(), what="a send to block")
    interrupted = Delivery.objects.get(pk=int(re.search(r"\.(\d+)@", blocked.read_text())[1]))
    assert interrupted.state == Delivery.State.SENDING

    services.stop("worker", signal.SIGKILL)
    assert services.processes["worker"].returncode == -signal.SIGKILL
    assert services.sent_message_ids()[interrupted.pk] == 0
    services.start_worker("worker-2")

    # An overdue notice and an escalation for each of the ten dated trackable items.
    services.wait(lambda: sent_count() == 20, what="every notice, the interrupted one after its lease")
    services.wait_for_more_sweeps()

    all_sent_once(services)
    interrupted.refresh_from_db()
    assert interrupted.attempts == 2
    assert interrupted.sent_at >= interrupted.sending_started_at
    assert "worker-2@" in services.log("worker-2")
    assert set(flags_per_deadline().values()) == {1}


@pytest.mark.usefixtures("editors", "reviewer")
def test_after_beat_was_down_for_three_days_every_flag_and_notice_is_caught_up_once(
    services, admin_user, directive
):
    now = timezone.now()
    today = deadlines.local_date(now)
    stopped = now - dt.timedelta(days=3)  # beat's last sweeps
    with time_machine.travel(stopped - dt.timedelta(hours=1), tick=False):
        for ref, day in (
            ("2(e)", today - dt.timedelta(days=2)),  # its deadline passes during the outage
            ("2(f)", today - dt.timedelta(days=9)),  # overdue before; 7 days overdue during the outage
            ("2(d)", today + dt.timedelta(days=6)),  # its 7-day reminder falls due today
            ("2(a)", today + dt.timedelta(days=4)),  # its 7-day reminder fell due two days ago
        ):
            actions.extend_deadline(directive(ref), day, actor=admin_user, justification="Test dates.")

    services.start_redis()
    services.run_commands_at(stopped, "flag_overdue", "send_reminders", "dispatch_notifications")
    late = {"2(b)", "2(c)(i)", "2(c)(ii)", "2(c)(iii)", "3(a)", "3(b)"}  # parents are told through parts
    before_outage = {(ref, "overdue") for ref in (*late, "2(f)")} | {(ref, "escalation") for ref in late}
    assert notices() == before_outage
    all_sent_once(services)

    # Three days later beat and a worker start again.
    services.start_worker("worker")
    services.start_beat()
    caught_up = {("2(e)", "overdue"), ("2(f)", "escalation"), ("2(d)", "reminder")}
    services.wait(
        lambda: sent_count() == len(before_outage) + len(caught_up),
        what="the flag, escalation and reminder that fell due during the outage",
    )
    services.wait_for_more_sweeps()

    assert notices() == before_outage | caught_up
    all_sent_once(services)
    # A reminder whose moment passed more than a day ago is dropped rather than sent stale.
    assert not Notification.objects.filter(directive__ref="2(a)").exists()
    flags = flags_per_deadline()
    assert set(flags.values()) == {1}
    # The trackable items are flagged; their parents 2(c) and Sec. 3 are overdue through them.
    overdue_now = Directive.objects.trackable().filter(due_at__lte=timezone.now()).exclude(status="completed")
    assert (
        {ref for ref, _ in flags} == set(overdue_now.values_list("ref", flat=True)) == late | {"2(e)", "2(f)"}
    )
    assert Notification.objects.get(directive__ref="2(d)").offset_days == -7
