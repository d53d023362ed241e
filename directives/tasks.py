"""Celery tasks: thin wrappers that take no arguments and call the actions.

Beat runs them on ``CELERY_BEAT_SCHEDULE`` (settings). Every one is idempotent, so a duplicate
delivery (``acks_late``, a restarted worker, beat's start-up run) does no harm.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init, worker_shutting_down
from django.conf import settings

from . import actions

logger = logging.getLogger(__name__)

# A warm shutdown (SIGTERM from a deploy) lets the task in hand finish; the dispatch loop, which may have
# minutes of sending left, is told to stop after the email in hand. Celery signals the main process;
# a prefork pool's children hear it from the main process as SIGUSR2 (handler installed below).
_STOP_SIGNAL = signal.SIGUSR2


@worker_shutting_down.connect
def stop_dispatching(sig: str = "", how: str = "", exitcode: int = 0, **kwargs: Any) -> None:
    """Tell this process's dispatch loops, and the pool's child processes, to stop after the email in hand."""
    logger.info("worker shutting down (%s): dispatch loops stop after the email in hand", how or sig)
    actions.request_stop()
    from billiard.process import active_children

    for child in active_children():
        if child.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, _STOP_SIGNAL)


@worker_process_init.connect
def listen_for_stop(**kwargs: Any) -> None:
    """In a pool child: stop the dispatch loops when the main process relays a warm shutdown."""
    signal.signal(_STOP_SIGNAL, lambda signum, frame: actions.request_stop())


@shared_task
def flag_overdue() -> int:
    """Flag the directives whose deadline passed; return how many this run flagged."""
    flagged = actions.flag_overdue(actor=None)
    if flagged:
        logger.info("flagged %d overdue directives", len(flagged))
    return len(flagged)


@shared_task
def advance_series() -> int:
    """Make the next occurrence of every recurring directive whose current one is due or done."""
    created = actions.advance_series(actor=None)
    if created:
        logger.info("made %d occurrences of recurring directives", len(created))
    return len(created)


@shared_task
def send_reminders() -> dict[str, int]:
    """Owe the due reminders and escalations; return how many of each this run owed."""
    reminded = actions.send_reminders(actor=None)
    escalated = actions.escalate_overdue(actor=None)
    counts = {f"reminders_{days}d": len(ids) for days, ids in reminded.items()}
    counts["escalations"] = len(escalated)
    if reminded or escalated:
        logger.info("owed reminders and escalations: %s", counts)
    return counts


@shared_task
def dispatch_notifications() -> dict[str, int]:
    """Send the due notifications; hand over to a fresh task when more are left than time allows."""
    # Stop claiming at half the soft limit: one send is bounded by EMAIL_TIMEOUT, far below the rest.
    report = actions.dispatch_notifications(max_seconds=settings.CELERY_TASK_SOFT_TIME_LIMIT / 2)
    counts = report.counts()
    if any(counts.values()):
        logger.info("dispatched notifications: %s", report.summary())
    if report.more:
        actions.queue_dispatch()
    return counts


@shared_task
def sweep_outbox_leases() -> dict[str, int]:
    """Return to the queue the emails whose dispatcher died holding them; settle notices left behind."""
    done = actions.sweep_expired_leases()
    if any(done.values()):
        logger.info("outbox sweep: %s", done)
    return done


@shared_task
def write_checkpoint() -> int:
    """Sign and store a checkpoint of every chain's head and send it to the sinks; return its id."""
    from directives.history import proof

    checkpoint, line = proof.write_checkpoint()
    logger.info("checkpoint %s of %s: %d chains", checkpoint.pk, line["created"], len(line["chains"]))
    return checkpoint.pk


@shared_task
def dispatch_webhooks() -> dict[str, int]:
    """Send the due webhook deliveries (planned by ``dispatch_notifications``); return what happened."""
    report = actions.dispatch_webhooks(max_seconds=settings.CELERY_TASK_SOFT_TIME_LIMIT / 2)
    counts = {
        "delivered": len(report.delivered),
        "failed": len(report.failed),
        "gave_up": len(report.gave_up),
        "disabled": len(report.disabled),
    }
    if any(counts.values()):
        logger.info("dispatched webhooks: %s", report.summary())
    return counts
