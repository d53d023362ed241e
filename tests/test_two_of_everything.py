"""Two of everything: two web servers, two Celery workers and, by mistake, two beat schedulers, with a
load generator writing status updates through both web servers, for several sweep cycles.

Everything is real and a process of its own: gunicorn twice, ``celery worker`` twice, ``celery beat``
twice (each with its own schedule file, every sweep each second), a private Redis (the broker and the
shared cache), the test's PostgreSQL database, and an SMTP server started by the test that counts every
email by ``Message-ID``. Afterwards every overdue directive is flagged exactly once, every notification
went out in exactly one email per recipient, every write the load generator was told succeeded is in
the history, and the history's chain verifies.

It runs wherever the suite runs on PostgreSQL (CI sets DATABASE_URL); its Redis is its own.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from agencies import actions as agency_actions
from directives import history
from directives.models import Delivery, Directive, DirectiveEvent, Involvement, Notification, Status
from directives.models.notices import EVENT_NOTICE_KINDS
from directives.notices import notify
from tests.fault_servers import SmtpSink, ephemeral_ports
from tests.test_celery_worker import LEADS, editors  # noqa: F401 - editors: a fixture, used by name
from tests.test_faults import QUIET, Services, flags_per_deadline, sent_count

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]

WRITES_PER_WRITER = 30


def post(url: str, token: str, body: dict[str, str]) -> int:
    request = urllib.request.Request(  # noqa: S310 - our own loopback servers
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - likewise
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class LoadGenerator:
    """One thread per lead agency's editor, writing notes and status changes to directives of its own
    (each directive to one writer, so every write is valid), alternating between the web servers."""

    def __init__(self, servers: list[str]):
        User = get_user_model()
        self.servers = servers
        self.writers: list[tuple[str, dict[int, str]]] = []
        taken: set[int] = set()
        for abbr in LEADS:
            user = User.objects.get(username=f"{abbr.lower()}-editor")
            _, token = agency_actions.create_api_token(user, actor=user, name="load", expires_days=1)
            statuses = dict(
                Directive.objects.trackable()
                .filter(involvements__agency__abbreviation=abbr, involvements__role=Involvement.Role.LEAD)
                .exclude(pk__in=taken)
                .values_list("pk", "status")
            )
            taken |= set(statuses)
            if statuses:
                self.writers.append((token, statuses))
        self.answers: Counter[tuple[str, int]] = Counter()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, args=writer) for writer in self.writers]

    def _write(self, token: str, statuses: dict[int, str]) -> None:
        servers = itertools.cycle(self.servers)
        directives = itertools.cycle(statuses)
        for n in range(WRITES_PER_WRITER):
            server, pk = next(servers), next(directives)
            if n % 3 == 1:
                body = {"note": "Drafting the plan."}
            else:  # a change of status: never the one it has (that is refused, rightly)
                new = Status.BLOCKED if statuses[pk] == Status.IN_PROGRESS else Status.IN_PROGRESS
                body = {"status": new, "note": "Status from the load generator."}
            status = post(f"{server}/api/v1/directives/{pk}/events/", token, body)
            if status == 201 and "status" in body:
                statuses[pk] = body["status"]
            with self.lock:
                self.answers[(server, status)] += 1

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=120)
            assert not thread.is_alive(), "a writer hung"


@pytest.mark.usefixtures("editors", "reviewer")
def test_two_web_servers_two_workers_and_two_beats_flag_once_send_once_and_keep_the_chain(tmp_path):
    dated = set(Directive.objects.trackable().filter(due_at__isnull=False).values_list("ref", flat=True))
    sink = SmtpSink().start()
    services = Services(tmp_path)
    services.env.update(sink.settings(timeout=10))
    celery = [sys.executable, "-m", "celery", "-A", "orderctl"]
    try:
        services.start_redis()
        servers = []
        for n, port in zip((1, 2), ephemeral_ports(2), strict=True):
            services._start(
                f"web-{n}",
                [sys.executable, "-m", "gunicorn", "orderctl.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--no-control-socket"],
            )  # fmt: skip
            servers.append(f"http://127.0.0.1:{port}")
        for n in (1, 2):
            services._start(
                f"worker-{n}",
                [*celery, "worker", "--pool=solo", "-n", f"worker-{n}@%h", "--loglevel=INFO", *QUIET],
            )
        for n in (1, 2):
            services.wait(
                lambda n=n: " ready." in services.log(f"worker-{n}"), timeout=90, what=f"worker-{n}"
            )
        for n in (1, 2):  # by mistake: two schedulers, each with a schedule file of its own
            services._start(
                f"beat-{n}",
                [*celery, "beat", "--loglevel=INFO", "--schedule", str(tmp_path / f"beat-{n}-schedule")],
            )
        for n in (1, 2):
            services.wait(
                lambda n=n: "Booting worker" in services.log(f"web-{n}"), timeout=60, what=f"web-{n}"
            )
        load = LoadGenerator(servers)
        load.start()
        load.join()
        services.wait(lambda: sent_count() == 2 * len(dated), what="an overdue notice and an escalation each")
        services.wait_for_more_sweeps(rounds=3)
    finally:
        services.stop_all()
        sink.stop()

    # Every process took part.
    for server in servers:
        assert load.answers[(server, 201)] > 0, f"{server} served no write"
    for n in (1, 2):
        assert "Sending due task" in services.log(f"beat-{n}")
        assert "succeeded" in services.log(f"worker-{n}")
    # Every write was answered 201 and is in the history, once.
    assert set(status for _, status in load.answers) == {201}, load.answers
    writes = sum(load.answers.values())
    assert writes == WRITES_PER_WRITER * len(load.writers)
    load_notes = ["Drafting the plan.", "Status from the load generator."]
    assert DirectiveEvent.objects.filter(note__in=load_notes).count() == writes
    # Every overdue directive flagged once; parents are flagged and told through their parts.
    flags = flags_per_deadline()
    assert set(flags.values()) == {1}
    assert {ref for ref, _ in flags} == dated  # parents are overdue through their parts
    # Every deadline notification sent; every email once at the mail server, each recipient told once.
    # The notices of the status changes, which nobody here asked for, are cancelled, never sent.
    deadline_notices = Notification.objects.exclude(kind__in=EVENT_NOTICE_KINDS)
    assert Counter(deadline_notices.values_list("state", flat=True)) == {
        Notification.State.SENT: 2 * len(dated)
    }
    asked_by_nobody = Notification.objects.filter(kind__in=EVENT_NOTICE_KINDS)
    assert set(asked_by_nobody.values_list("state", flat=True)) <= {Notification.State.CANCELLED}
    sent = Delivery.objects.filter(state=Delivery.State.SENT)
    assert sink.message_ids == {notify.message_id(d): 1 for d in sent}
    carried = Counter(sent.values_list("recipient", "notifications"))
    assert set(carried.values()) == {1}
    assert set(carried) == {(to, n.pk) for n in Notification.objects.all() for to in n.recipients}
    # The history the web servers, workers and beats wrote at once verifies.
    report = history.verify()
    assert report.ok, report.error
    assert report.events == DirectiveEvent.objects.count()
