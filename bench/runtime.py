"""What every benchmark does first: Django set up, then ``DEBUG`` off for the whole run.

``make bench`` loads the development settings (the data set is signed with the development history
key, and static files are served without a manifest), then every script turns ``DEBUG`` off before
its first request or query, as production runs: no query log, no template debugging. The query counts
a benchmark prints come from a separate pass with ``CaptureQueriesContext``, never from a timed one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderctl.settings")


def setup(*, web: bool = False) -> None:
    """Set Django up and turn ``DEBUG`` off, before any template engine or query reads it.

    With ``web`` (the requests' benchmarks), tune the garbage collector as ``orderctl/wsgi.py`` does for
    gunicorn (``orderctl.runtime``): the app and its baselines run in this one process, so both are
    timed as the web server runs them. The sweep (a Celery task) runs with CPython's default
    collector, as its process does; ``bench/verify.py`` tunes it as ``verify_history`` does.
    """
    import django
    from django.conf import settings

    from orderctl.runtime import tune_gc

    django.setup()
    settings.DEBUG = False
    if web:
        tune_gc()


def check_production_mode() -> None:
    """Refuse to time anything with ``DEBUG`` on or the query log kept."""
    from django.conf import settings
    from django.db import connection

    assert not settings.DEBUG, "DEBUG must be off while timing"
    assert not connection.queries_logged, "the query log must be off while timing"


def spread(ratios: list[float]) -> str:
    """Return the 10th to the 90th percentile of per-round ratios, as text ("1.02-1.31")."""
    ordered = sorted(ratios)
    low = ordered[int(0.1 * (len(ordered) - 1))]
    high = ordered[round(0.9 * (len(ordered) - 1))]
    return f"{low:.2f}-{high:.2f}"
