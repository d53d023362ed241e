"""Liveness and readiness probes for load balancers, Kubernetes, docker-compose and the load test.

``/healthz/`` (liveness) says only that this process answers: it touches no database or broker, so an
outage of either never makes an orchestrator restart every web server at once. ``/readyz/``
(readiness) says whether this server can do its work now: it is not shutting down (``DRAIN_FILE``, made
by Kubernetes' ``preStop`` before SIGTERM, so the Service stops sending here first), the database
answers, the broker answers, and every migration this code knows of is applied; otherwise 503 with the
checks that failed, so the load balancer sends traffic elsewhere until they pass again. Its ``detail``
counts what is stuck in the outbox (emails "sending" past their lease and its margin, notices left
"sending" after their emails): reported, never a reason to take a web server out. Neither reveals more
than a check's name and whether it passed (the reason goes to the log).
"""

from __future__ import annotations

import logging
from pathlib import Path

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from directives.models import Delivery, Notification

logger = logging.getLogger(__name__)

# A probe must answer within its own timeout (deploy/: 5 s), whatever hangs behind it.
BROKER_TIMEOUT_SECONDS = 2.0


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 while this process serves requests; check nothing else (liveness)."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database, the broker and the migrations are ready and this server is not
    shutting down; 503 naming what is not. ``detail`` counts what is stuck in the outbox."""
    checks = {"accepting": _accepting(), "database": _database(), "broker": _broker()}
    # Which migrations are applied is read from the database: unknown while it does not answer.
    checks["migrations"] = _migrations() if checks["database"] == "ok" else "unknown"
    detail = _outbox() if checks["database"] == "ok" else {}
    failed = [name for name, result in checks.items() if result != "ok"]
    if failed:
        body = {"status": "unready", "failed": failed, "checks": checks, "detail": detail}
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ready", "checks": checks, "detail": detail})


def _accepting() -> str:
    drain = settings.DRAIN_FILE
    if drain and Path(drain).exists():
        return "draining"
    return "ok"


def _outbox() -> dict[str, int]:
    now = timezone.now()
    try:
        stuck = {
            "outbox_emails_stuck_sending": Delivery.objects.stuck_sending(now).count(),
            "outbox_notices_left_sending": Notification.objects.left_sending(now).count(),
        }
    except DatabaseError as exc:
        logger.warning("readiness: cannot count the outbox: %s", exc)
        return {}
    if any(stuck.values()):
        logger.warning("readiness: the outbox has work stuck in sending: %s", stuck)
    return stuck


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("readiness: the database does not answer: %s", exc)
        return "unreachable"
    return "ok"


def _broker() -> str:
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        except redis.RedisError as exc:
            logger.warning("readiness: the broker does not answer: %s", exc)
            return "unreachable"
        finally:
            client.close()
        return "ok"
    # The embedded broker (one machine, `make run`): Celery's folder on this machine's disk, which
    # Celery creates as it starts; ready when it is there or can be made.
    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in")
    if isinstance(folder, str):
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            logger.warning("readiness: the broker's folder %s cannot be made: %s", folder, exc)
            return "unreachable"
    return "ok"


def _migrations() -> str:
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        logger.warning("readiness: cannot read the applied migrations: %s", exc)
        return "unknown"
    if plan:
        first = plan[0][0]
        logger.warning(
            "readiness: %d migrations are unapplied, the first %s.%s", len(plan), first.app_label, first.name
        )
        return "unapplied"
    return "ok"
