"""How many emails each dispatch outcome has had, across every worker: for ``/metrics`` and the admin.

Counted in the shared cache (Redis), as counters that only grow, one per outcome; a dispatcher in any
process adds to the same numbers. The cache is a second line, never a reason to fail a send: a count
lost while Redis is away is logged (the log line of the event itself is the record).
"""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

# What the mail server (or the database) did to one email; the label of ``orderctl_outbox_events_total``.
OUTCOMES = ("sent", "deferred", "refused", "unconfirmed", "database_error")
_KEY = "outbox:events:{}"


def count(outcome: str) -> None:
    """Add one to ``outcome``'s counter."""
    key = _KEY.format(outcome)
    try:
        # Never expires: a counter that went back to nothing would look like a reset to Prometheus,
        # which copes, but the admin's totals would lie.
        if cache.add(key, 1, timeout=None) is False:
            cache.incr(key)
    except Exception:  # the cache is down: the event's own log line stands
        logger.warning("could not count an outbox %s in the cache", outcome, exc_info=True)


def totals() -> dict[str, int]:
    """Return every outcome's count so far (0 for one never seen or while the cache is away)."""
    try:
        found = cache.get_many([_KEY.format(o) for o in OUTCOMES])
    except Exception:
        logger.warning("could not read the outbox counts from the cache", exc_info=True)
        found = {}
    return {o: int(found.get(_KEY.format(o), 0)) for o in OUTCOMES}
