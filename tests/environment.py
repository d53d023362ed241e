"""The test suite's environment, set before pytest-django imports the settings (``-p tests.environment``).

Settings fail closed: with ``DEBUG`` unset they are production's, and refuse to start without a
``SECRET_KEY``. The suite runs as development does (``make run`` also sets ``DEBUG=true``), whether it
is started by ``make test`` or by a bare ``pytest``; tests of production settings start a fresh
interpreter with the environment they mean to test (tests/test_settings.py, test_security_deploy.py).

Under pytest-xdist (``make test`` runs ``-n``) each worker gets what would otherwise be shared between
them: its own Redis database (REDIS_URL's number plus the worker's: a test that purges the queue or
counts keys sees only its own) and its own DATA_DIR (the Celery broker's folders, evidence files, mail).
pytest-django already gives each worker its own test database (``test_<name>_gw0``, ...).
"""

import atexit
import os
import shutil
import tempfile
import urllib.parse

os.environ.setdefault("DEBUG", "true")

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... in a worker, unset otherwise
if _worker.startswith("gw"):
    _index = int(_worker.removeprefix("gw"))
    if _redis := os.environ.get("REDIS_URL"):
        _url = urllib.parse.urlsplit(_redis)
        _db = int(_url.path.strip("/") or 0) + _index
        os.environ["REDIS_URL"] = urllib.parse.urlunsplit(_url._replace(path=f"/{_db}"))
    if "DATA_DIR" not in os.environ:
        os.environ["DATA_DIR"] = _data = tempfile.mkdtemp(prefix=f"orderctl-test-{_worker}-")
        atexit.register(shutil.rmtree, _data, ignore_errors=True)
