"""Writers at once, on PostgreSQL: the actions layer's row lock serialises them and loses nothing.

Real threads, each with its own database connection, write committed data (transactional tests), so
the locks are PostgreSQL's own. SQLite serialises every writer anyway; these tests are deselected
there.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from agencies.actions import create_api_token
from directives import actions, history
from directives.models import Directive, DirectiveEvent, Notification, Status

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
CHANGES_PER_THREAD = 25
OTHER = {Status.IN_PROGRESS: Status.BLOCKED, Status.BLOCKED: Status.IN_PROGRESS}


def run_in_threads(count: int, work) -> list:
    """Run ``work(n)`` for n in range(count) on ``count`` threads started together; return the results.

    Each thread closes its own database connection, or PostgreSQL would refuse to drop the test
    database at the end of the run.
    """
    start = threading.Barrier(count)

    def run(n: int):
        try:
            start.wait()
            return work(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_writers_of_one_directive_lose_no_change_and_double_none(directive, cisa_editor):
    target = directive("2(c)(ii)")
    events_before = DirectiveEvent.objects.count()
    last_before = target.events.order_by("-id").values_list("id", flat=True).first()

    def writer(n: int) -> None:
        """Make 25 valid status changes, alternating; retry with the other status when one is refused."""
        want = Status.IN_PROGRESS if n % 2 else Status.BLOCKED
        done = refused = 0
        while done < CHANGES_PER_THREAD:
            try:
                actions.change_status(target, want, actor=cisa_editor, note=f"writer {n}, change {done}")
                done += 1
            except ValidationError as exc:
                # Another writer got there first: the status is already what this one wanted.
                assert list(exc.message_dict) == ["status"], exc.message_dict
                assert "is already" in exc.message_dict["status"][0]
                refused += 1
                assert refused < 100 * CHANGES_PER_THREAD, "a writer made no progress"
            want = OTHER[want]

    run_in_threads(THREADS, writer)

    new = list(target.events.filter(id__gt=last_before).order_by("id"))
    assert len(new) == THREADS * CHANGES_PER_THREAD == 500
    assert {e.kind for e in new} == {DirectiveEvent.Kind.STATUS_CHANGED}
    # Serialised: each change starts from the status the one before it left, none was lost.
    previous = Status.NOT_STARTED
    for event in new:
        assert event.old_status == previous, f"event {event.pk} starts from a lost update"
        assert event.new_status == OTHER.get(previous, event.new_status)
        previous = event.new_status
    # Every writer's 25 changes are there, each once.
    writers = Counter(e.note.split(",")[0] for e in new)
    assert writers == {f"writer {n}": CHANGES_PER_THREAD for n in range(THREADS)}
    assert len({e.note for e in new}) == 500

    target.refresh_from_db()
    assert target.status == new[-1].new_status
    assert target.status_changed_at == new[-1].created
    # The refused attempts wrote nothing; the parent rolled up once, on the first change.
    rolled_up = DirectiveEvent.objects.filter(directive__ref="2(c)", id__gt=last_before)
    assert [(e.old_status, e.new_status) for e in rolled_up] == [(Status.NOT_STARTED, Status.IN_PROGRESS)]
    assert DirectiveEvent.objects.count() == events_before + 500 + 1
    assert_chain_verifies()


def assert_chain_verifies() -> None:
    """Assert that the Order's hash chain verifies and numbers every one of its events once, in turn."""
    report = history.verify(14409)
    assert report.ok, report.error
    assert report.events == DirectiveEvent.objects.count()
    seqs = list(DirectiveEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def update_every_leaf_at_once(order, actor, *, sweeping: bool) -> list:
    """Change each dated leaf's status 25 times, a thread per leaf, and return the leaves.

    With ``sweeping``, one more thread runs beat's sweeps over and over until the writers stop, then
    once more (an escalation skips a directive that an update holds locked; the next run owes it).
    """
    leaves = list(
        Directive.objects.filter(order=order, children__isnull=True, due_on__isnull=False).order_by("pk")
    )
    assert len(leaves) == 10
    finished: list[int] = []

    def sweep() -> None:
        actions.flag_overdue(actor=None)
        actions.send_reminders(actor=None)
        actions.escalate_overdue(actor=None)

    def work(n: int) -> None:
        if n == len(leaves):
            while len(finished) < len(leaves):
                sweep()
            return
        try:
            status = Status.IN_PROGRESS
            for change in range(CHANGES_PER_THREAD):
                actions.change_status(leaves[n], status, actor=actor, note=f"thread {n}, change {change}")
                status = OTHER[status]
        finally:
            finished.append(n)  # even when it failed, or the sweeping thread would never stop

    run_in_threads(len(leaves) + sweeping, work)
    if sweeping:
        sweep()
    return leaves


def test_writers_of_ten_directives_at_once_append_to_one_unbroken_chain(order, admin_user):
    events_before = DirectiveEvent.objects.count()
    leaves = update_every_leaf_at_once(order, admin_user, sweeping=False)

    changes = DirectiveEvent.objects.filter(actor=admin_user, kind=DirectiveEvent.Kind.STATUS_CHANGED)
    assert changes.count() == len(leaves) * CHANGES_PER_THREAD
    rolled_up = DirectiveEvent.objects.filter(note__startswith="Rolled up from its parts").count()
    assert rolled_up == 2  # 2(c) and 3 went from not started to in progress, once each
    assert DirectiveEvent.objects.count() == events_before + changes.count() + rolled_up
    assert_chain_verifies()


def test_the_sweeps_during_updates_of_every_directive_neither_deadlock_nor_double(order, admin_user):
    events_before = DirectiveEvent.objects.count()
    leaves = update_every_leaf_at_once(order, admin_user, sweeping=True)

    kinds = Counter(DirectiveEvent.objects.values_list("kind", flat=True))
    changes = DirectiveEvent.objects.filter(actor=admin_user, kind=DirectiveEvent.Kind.STATUS_CHANGED)
    assert changes.count() == len(leaves) * CHANGES_PER_THREAD
    # The ten dated leaves, each flagged exactly once (a parent, 2(c) or 3, is overdue through its parts,
    # which carry the flags); each owed an escalation exactly once (the history records an escalation
    # when it is sent, which no dispatcher does here).
    assert kinds[DirectiveEvent.Kind.FLAGGED_OVERDUE] == 10
    assert Notification.objects.filter(kind=Notification.Kind.ESCALATION).count() == 10
    rolled_up = DirectiveEvent.objects.filter(note__startswith="Rolled up from its parts").count()
    assert DirectiveEvent.objects.count() == events_before + changes.count() + 10 + rolled_up
    assert_chain_verifies()


# --- Two API writers with the same ETag ---------------------------------------------------------------


def request(live_server, key: str, path: str, *, body: dict | None = None, if_match: str | None = None):
    """Send one request to the live server; return (status, headers, parsed JSON body)."""
    headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if if_match is not None:
        headers["If-Match"] = if_match
    req = urllib.request.Request(f"{live_server.url}{path}", data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - the live server
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


ROUNDS = 10


def test_two_writers_with_the_same_etag_one_succeeds_and_the_other_gets_412(
    live_server, directive, cisa_editor, dhs_editor
):
    target = directive("2(c)(iii)")
    # Two people who may both update 2(c)(iii): a CISA editor and an editor of its department, DHS.
    keys = [
        create_api_token(user, actor=user, name="race", expires_days=1)[1]
        for user in (cisa_editor, dhs_editor)
    ]
    path = f"/api/v1/directives/{target.pk}/"
    status = Status.NOT_STARTED

    for round_ in range(ROUNDS):
        code, headers, body = request(live_server, keys[0], path)
        assert code == 200
        assert body["status"] == status
        etag = headers["ETag"]
        events_before = DirectiveEvent.objects.filter(directive=target).count()
        status = OTHER.get(status, Status.IN_PROGRESS)

        def write(n: int, etag=etag, status=status, round_=round_):
            return request(
                live_server,
                keys[n],
                f"{path}events/",
                body={"status": status, "note": f"round {round_}, writer {n}"},
                if_match=etag,
            )

        results = run_in_threads(2, write)

        assert sorted(code for code, _, _ in results) == [201, 412], results
        (winner,) = [r for r in results if r[0] == 201]
        (loser,) = [r for r in results if r[0] == 412]
        assert loser[2] == {"detail": [loser[2]["detail"][0]]}
        assert "was changed by someone else" in loser[2]["detail"][0]
        # The 412 carries the version the winner left, which is the one to retry with.
        assert loser[1]["ETag"] == winner[1]["ETag"]
        assert DirectiveEvent.objects.filter(directive=target).count() == events_before + 1
        assert Directive.objects.get(pk=target.pk).status == status

    notes = list(target.events.exclude(note="").order_by("id").values_list("note", flat=True))
    assert [note.split(",")[0] for note in notes[-ROUNDS:]] == [f"round {r}" for r in range(ROUNDS)]
