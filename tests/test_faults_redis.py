"""Redis down or frozen: pages and the API keep serving.

The cache (rate limits of the API and the calendar feeds) is Redis, through ``orderctl.cache``'s
fail-open backend with short socket timeouts; when Redis stops answering, each process counts in its
own memory until it answers again. The Redis here is the test's own server, stopped outright and then
frozen with SIGSTOP (it accepts connections and never replies: the worse case). Requests run in a
thread with a deadline so that a hang fails the test rather than hanging the suite; each thread has
caches of its own, as each web process does.
"""

from __future__ import annotations

import os
import shutil
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.db import connection
from django.test import Client
from django.urls import reverse

from agencies import actions as agency_actions
from tests.fault_servers import wait_until
from tests.test_faults import Services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]

# Far above one short socket timeout (0.5 s), far below forever: a hang or a 500 fails, not slowness.
DEADLINE_SECONDS = 15


@pytest.fixture
def private_redis(tmp_path, settings):
    services = Services(tmp_path)
    services.start_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "orderctl.cache.FailOpenRedisCache",
            "LOCATION": services.redis_url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield services
    process = services.processes["redis"]
    if process.poll() is None:
        os.kill(process.pid, signal.SIGCONT)
    services.stop_all()


@pytest.fixture
def clients(cisa_editor):
    _, key = agency_actions.create_api_token(cisa_editor, actor=cisa_editor, name="faults", expires_days=30)
    page = Client()
    page.force_login(cisa_editor)
    return {"api": Client(HTTP_AUTHORIZATION=f"Token {key}"), "page": page}


def answers(clients, directive) -> dict[str, int]:
    """Return the status of a page, an API read and an API write, each within the deadline."""

    def run() -> dict[str, int]:
        try:
            return {
                "page": clients["page"].get(reverse("directive_list")).status_code,
                "api read": clients["api"].get("/api/v1/directives/").status_code,
                "api write": clients["api"]
                .post(
                    f"/api/v1/directives/{directive('2(c)(ii)').pk}/events/",
                    {"note": "Still on it."},
                    content_type="application/json",
                )
                .status_code,
            }
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=DEADLINE_SECONDS)


def _pings(server: redis.Redis) -> bool:
    try:
        return bool(server.ping())
    except redis.RedisError:
        return False


OK = {"page": 200, "api read": 200, "api write": 201}


def test_the_api_and_pages_keep_serving_with_redis_stopped_then_frozen_and_use_it_again_after(
    private_redis, clients, directive, caplog
):
    server = redis.Redis.from_url(private_redis.redis_url)
    assert answers(clients, directive) == OK
    assert any(b"throttle" in key for key in server.scan_iter()), "the rate limit counts in Redis"

    private_redis.stop("redis")
    assert answers(clients, directive) == OK
    assert "the cache's Redis failed (ConnectionError" in caplog.text

    private_redis.start_redis()
    wait_until(lambda: _pings(server), timeout=10, what="Redis to be back")
    caplog.clear()
    os.kill(private_redis.processes["redis"].pid, signal.SIGSTOP)  # frozen: connects, never answers
    assert answers(clients, directive) == OK
    assert "the cache's Redis failed (TimeoutError" in caplog.text

    os.kill(private_redis.processes["redis"].pid, signal.SIGCONT)
    server.flushdb()
    assert answers(clients, directive) == OK
    assert any(b"throttle" in key for key in server.scan_iter()), "back on Redis once it answers"
