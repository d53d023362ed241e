"""WSGI entry point, used by gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from orderctl.runtime import tune_gc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderctl.settings")

application = get_wsgi_application()
tune_gc()  # what the application loaded stays for good; requests collect less often (runtime.py)
