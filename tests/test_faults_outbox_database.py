"""The outbox when the database goes away inside an SMTP exchange, and across a deploy's SIGTERM:
each email sent once, none lost."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from directives import actions
from directives.models import Delivery, Notification
from directives.notices import notify
from tests.fault_servers import SmtpSink, TcpProxy, wait_until
from tests.test_celery_worker import editors  # noqa: F401 - a fixture, used by name
from tests.test_faults import QUIET, Services, worker_database_url
from tests.test_faults_outbox import ROOT

# --- The database goes away inside the SMTP exchange ---------------------------------------------------


class Dispatcher:
    """``manage.py dispatch_notifications`` in a process of its own, its database behind ``proxy``."""

    def __init__(self, folder: Path, proxy: TcpProxy, sink: SmtpSink, redis_url: str, lease: int):
        url = worker_database_url()
        host_port = url.rsplit("@", 1)[1].split("/", 1)[0]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ALLOW", "PYTEST"))}
        self.env.update(
            DEBUG="true",
            DATABASE_URL=url.replace(host_port, f"127.0.0.1:{proxy.port}"),
            DB_CONN_MAX_AGE="0",
            REDIS_URL=redis_url,
            DATA_DIR=str(folder / "data"),
            NOTIFICATION_CLAIM_SECONDS=str(lease),
            LOG_LEVEL="INFO",
            **sink.settings(timeout=10),
        )
        self.log = folder / "dispatcher.log"

    def run(self) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "manage.py", "dispatch_notifications"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        with self.log.open("a") as log:
            log.write(done.stdout + done.stderr)
        return done


@pytest.fixture
def owed(order, editors, reviewer):  # noqa: F811 - editors: the fixture imported above
    """The notices the order owes by the real clock: several emails, to the lead editors and the reviewer."""
    actions.flag_overdue(actor=None)
    actions.escalate_overdue(actor=None)
    actions.plan_deliveries()
    assert Delivery.objects.count() >= 3
    return Delivery.objects.count()


@pytest.fixture
def private_redis(tmp_path):
    services = Services(tmp_path)
    services.start_redis()
    yield services.redis_url
    services.stop_all()


def cut_once(proxy: TcpProxy, *, seconds: float) -> Callable[[str], None]:
    """Return an SMTP hook that takes the database away for ``seconds`` when the first email arrives."""

    def on_message(message_id: str) -> None:
        if not proxy.outages:
            proxy.cut_for(seconds)

    return on_message


def all_sent_once(sink: SmtpSink, count: int) -> None:
    sent = Delivery.objects.filter(state=Delivery.State.SENT)
    assert sent.count() == count
    assert sink.message_ids == {notify.message_id(d): 1 for d in sent}
    assert set(Notification.objects.values_list("state", flat=True)) == {Notification.State.SENT}


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_sent_mark_waits_out_a_database_outage_and_nothing_is_sent_twice(owed, tmp_path, private_redis):
    s = connection.settings_dict
    proxy = TcpProxy(s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)).start()
    # The database goes away for 3 s right after the server took the first email, before its answer.
    sink = SmtpSink(on_message=cut_once(proxy, seconds=3)).start()
    try:
        done = Dispatcher(tmp_path, proxy, sink, private_redis, lease=60).run()
    finally:
        sink.stop()
        proxy.cut()
    assert done.returncode == 0, done.stderr[-3000:]
    assert proxy.outages == 1
    assert "the database failed" in done.stderr  # the mark was retried ...
    all_sent_once(sink, owed)  # ... and landed: every email once


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_database_outage_longer_than_the_dispatcher_waits_still_sends_nothing_twice(
    owed, tmp_path, private_redis
):
    s = connection.settings_dict
    proxy = TcpProxy(s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)).start()
    sink = SmtpSink(on_message=cut_once(proxy, seconds=5)).start()
    # A 2-second lease: the dispatcher waits 1 s for the database, then dies with the email unmarked.
    dispatcher = Dispatcher(tmp_path, proxy, sink, private_redis, lease=2)
    try:
        first = dispatcher.run()
        assert first.returncode != 0
        assert "OperationalError" in first.stderr
        wait_until(lambda: proxy.listener is not None, timeout=10, what="the database to come back")
        stranded = Delivery.objects.get(state=Delivery.State.SENDING)
        assert stranded.handed_over_at is not None
        wait_until(
            lambda: Delivery.objects.filter(
                pk=stranded.pk, next_attempt_at__lte=dt.datetime.now(dt.UTC)
            ).exists(),
            timeout=10,
            what="the lease to end",
        )
        second = dispatcher.run()
    finally:
        sink.stop()
        proxy.cut()
    assert second.returncode == 0, second.stderr[-3000:]
    assert "took it before; marked sent, not resent" in second.stderr
    all_sent_once(sink, owed)


# --- A deploy: SIGTERM to a worker in the middle of a batch ----------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_sigterm_finishes_the_email_in_hand_releases_the_rest_and_a_new_worker_sends_them_once(
    owed, tmp_path
):
    sink = SmtpSink(delay=1.5).start()  # each email takes 1.5 s: a batch in progress when SIGTERM comes
    services = Services(tmp_path)
    services.env.update(sink.settings(timeout=10), NOTIFICATION_CLAIM_SECONDS="600")
    celery = [sys.executable, "-m", "celery", "-A", "orderctl"]
    try:
        services.start_redis()
        # As compose runs it: a prefork pool, the dispatch in a child process; SIGTERM to the main one only.
        worker = services._start(
            "worker", [*celery, "worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO", *QUIET]
        )
        services.wait(lambda: " ready." in services.log("worker"), timeout=60, what="the worker")
        services.start_beat()
        services.wait(lambda: sink.received.is_set(), timeout=60, what="the first email")
        os.kill(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)  # a 10-minute lease or the whole batch would take far longer
        services.stop("beat")
        assert worker.returncode == 0, services.log("worker")[-3000:]
        assert "dispatch loops stop after the email in hand" in services.log("worker")
        sent = Delivery.objects.filter(state=Delivery.State.SENT).count()
        assert 1 <= sent < owed
        assert sum(sink.message_ids.values()) == sent
        # Nothing is held for the lease: what was claimed and not sent is due again now.
        assert not Delivery.objects.filter(state=Delivery.State.SENDING).exists()

        services.start_worker("worker-2")
        services.start_beat()
        services.wait(
            lambda: Delivery.objects.filter(state=Delivery.State.SENT).count() == owed,
            timeout=60,
            what="the rest, sent by the new worker",
        )
    finally:
        services.stop_all()
        sink.stop()
    all_sent_once(sink, owed)
