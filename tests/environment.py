"""The test suite's environment, set before pytest-django imports the settings (``-p tests.environment``).

Settings fail closed: with ``DEBUG`` unset they are production's, and refuse to start without a
``SECRET_KEY``. The suite runs as development does (``make run`` also sets ``DEBUG=true``), whether it
is started by ``make test`` or by a bare ``pytest``; tests of production settings start a fresh
interpreter with the environment they mean to test (tests/test_settings.py, test_security_deploy.py).
"""

import os

os.environ.setdefault("DEBUG", "true")
