"""``/metrics`` for Prometheus: django-prometheus's request, database and cache metrics, and ours.

Ours are read from the database when Prometheus scrapes, so every web server (and every gunicorn
worker) answers the same numbers: the outbox's depth by state, the age of its oldest pending notice,
its emails by state and what stuck in "sending", when each periodic task last succeeded, and how many
directives are overdue. The dispatchers' outcomes (sent, deferred, refused, unconfirmed, database
errors) are counters kept in the shared cache (``outbox_counts``). What to alert on: docs/operations.md.

The endpoint is off unless ``METRICS_TOKEN`` is set, and then answers only a request that brings it
(``Authorization: Bearer <token>``): the numbers say how late the agencies are.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator

import prometheus_client
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from directives.models import Delivery, Directive, Notification, TaskRun, overdue_q
from directives.notices import outbox_counts

logger = logging.getLogger(__name__)

# The outbox's rows still to be sent: what "depth" counts.
WAITING_STATES = (Notification.State.PENDING, Notification.State.SENDING)


class OrderctlCollector(Collector):
    """Our gauges, each computed from the database at scrape time (a handful of indexed counts)."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        up = GaugeMetricFamily("orderctl_database_up", "1 when the database answered this scrape's queries")
        try:
            families = list(self._families())
        except DatabaseError as exc:
            logger.warning("metrics: the database does not answer: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families
        events = CounterMetricFamily(
            "orderctl_outbox_events",
            "Emails by what the mail server (or the database) did at each attempt, since counting began",
            labels=["outcome"],
        )
        for outcome, n in outbox_counts.totals().items():
            events.add_metric([outcome], n)
        yield events

    def _families(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        notices = GaugeMetricFamily(
            "orderctl_outbox_notifications", "Notifications in the outbox by state", labels=["state"]
        )
        by_state = dict(Notification.objects.values_list("state").annotate(n=Count("id")).order_by())
        for state in Notification.State.values:
            notices.add_metric([state], by_state.get(state, 0))
        yield notices

        depth = GaugeMetricFamily(
            "orderctl_outbox_depth", "Notifications and emails owed and not yet sent", labels=["kind"]
        )
        depth.add_metric(["notification"], sum(by_state.get(state, 0) for state in WAITING_STATES))
        depth.add_metric(
            ["delivery"], Delivery.objects.filter(state__in=[s.value for s in WAITING_STATES]).count()
        )
        yield depth

        emails = GaugeMetricFamily(
            "orderctl_outbox_deliveries", "Emails in the outbox by state", labels=["state"]
        )
        email_states = dict(Delivery.objects.values_list("state").annotate(n=Count("id")).order_by())
        for state in Delivery.State.values:
            emails.add_metric([state], email_states.get(state, 0))
        yield emails

        attention = GaugeMetricFamily(
            "orderctl_outbox_needing_attention",
            "Emails a person must look at: refused, unconfirmed, or unsent after NOTIFICATION_MAX_ATTEMPTS",
        )
        attention.add_metric([], Delivery.objects.needing_attention(now).count())
        yield attention

        stuck = GaugeMetricFamily(
            "orderctl_outbox_stuck_sending",
            "Emails 'sending' past their lease and its margin, notices left 'sending' after their emails",
            labels=["kind"],
        )
        stuck.add_metric(["delivery"], Delivery.objects.stuck_sending(now).count())
        stuck.add_metric(["notification"], Notification.objects.left_sending(now).count())
        yield stuck

        oldest = Notification.objects.filter(state__in=[s.value for s in WAITING_STATES]).aggregate(
            oldest=Min("created")
        )["oldest"]
        age = GaugeMetricFamily(
            "orderctl_outbox_oldest_pending_age_seconds",
            "Age of the oldest notification not yet sent (0 when none waits)",
        )
        age.add_metric([], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
        yield age

        last = GaugeMetricFamily(
            "orderctl_task_last_success_timestamp_seconds",
            "When each periodic task last succeeded, Unix time (0: never since the database was made)",
            labels=["task"],
        )
        runs = dict(TaskRun.objects.values_list("task", "last_succeeded_at"))
        scheduled = {str(entry["task"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        for task in sorted(scheduled | set(runs)):
            at = runs.get(task)
            last.add_metric([task], at.timestamp() if at else 0.0)
        yield last

        overdue = GaugeMetricFamily(
            "orderctl_directives_overdue", "Directives overdue now (tracked items: parts, not their parents)"
        )
        overdue.add_metric([], Directive.objects.trackable().filter(overdue_q(now)).count())
        yield overdue


_ours = CollectorRegistry(auto_describe=False)
_ours.register(OrderctlCollector())


def _authorized(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Answer the exposition text to a scrape that brings METRICS_TOKEN; 404 while it is unset."""
    if not settings.METRICS_TOKEN:
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    if not _authorized(request):
        response = HttpResponse("A bearer token is required.", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # gunicorn's workers each count their own requests: read them all from the shared folder.
        library: CollectorRegistry = CollectorRegistry()
        multiprocess.MultiProcessCollector(library)  # type: ignore[no-untyped-call]  # untyped in prometheus_client
    else:
        library = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(library) + prometheus_client.generate_latest(_ours)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
