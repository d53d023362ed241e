"""The shared cache, failing open: Redis while it answers, this process's memory while it does not.

The cache holds only counters and hints (API rate limits, calendar-feed rate limits, the outbox's
"the mail server took it" marks), never the only copy of anything. So a Redis that is down or frozen
must not take pages and the API down with it: every call has a short socket timeout, and a failed
call falls back to a local in-process cache, whose counters are per process (rate limits become
looser by the number of web processes, never stricter) until Redis answers again. After a failure
Redis is not asked again for ``RETRY_SECONDS``, so a frozen server costs one timeout per process
and pause, not one per request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0

# RedisCache's own methods; BaseCache's others (get_or_set, decr, ...) are made of these.
_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache that falls back to process memory when Redis is unreachable or slow."""

    def __init__(self, server: str, params: dict[str, Any]):
        super().__init__(server, params)
        self.local = LocMemCache(f"fail-open:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self.redis_down_until = 0.0

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self.redis_down_until:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except (RedisError, OSError) as exc:
                self.redis_down_until = time.monotonic() + RETRY_SECONDS
                logger.warning(
                    "the cache's Redis failed (%s: %s); using this process's memory for %.0f s",
                    type(exc).__name__,
                    exc,
                    RETRY_SECONDS,
                )
        return getattr(self.local, name)(*args, **kwargs)


def _fail_open(name: str) -> Any:
    def method(self: FailOpenRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}`` on Redis, or on this process's memory while Redis fails."
    return method


for _name in _METHODS:
    setattr(FailOpenRedisCache, _name, _fail_open(_name))
