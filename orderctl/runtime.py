"""How a serving process runs Python: the garbage collector tuned for requests that build many objects.

CPython collects its youngest generation after every 700 new container objects (dicts, lists, model
instances). A page of 100 directives from the API builds about 25,000, each of them short-lived: with
the default that was six collections a request and, on the 100,000-directive data set, about a
quarter of the request's time (``docs/benchmarks.md``). Collected every ``YOUNG_OBJECTS`` instead,
the request pays for one or two. What the process loaded on start (Django, the apps, the URL and
template caches) lives as long as the process: ``gc.freeze()`` takes it out of every collection.

``orderctl/wsgi.py`` calls :func:`tune_gc` once the application is loaded; ``make bench``'s benchmarks of
requests call it too (``bench/runtime.py``), so they time the app as gunicorn runs it.
"""

from __future__ import annotations

import gc

YOUNG_OBJECTS = 10_000


def tune_gc() -> None:
    """Freeze what is loaded so far out of the collections, and collect the young less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, old)
