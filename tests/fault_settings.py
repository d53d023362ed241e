"""Production's settings for a web server a fault test starts, with static files served unhashed.

Everything else is production's (DEBUG off, secrets from the environment); only the manifest storage,
which needs a ``collectstatic`` run the fault tests have no reason to wait for, is the plain one.
"""

from orderctl.settings import *  # noqa: F403 - all of production's settings, one changed below
from orderctl.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
