"""Celery: the broker, the worker, the beat schedule; reminders, escalation and the outbox's timings."""

from django.core.exceptions import ImproperlyConfigured

from .core import DATA_DIR
from .environment import env_bool, env_int, env_list, env_seconds, env_str

# --- Celery ---------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# A shared cache keeps per-token rate limits true across gunicorn workers; a process's own memory
# cache is enough for one local process. Redis down or frozen must not take the site down: short socket
# timeouts, and the cache falls back to process memory while Redis fails (orderctl/cache.py).
REDIS_TIMEOUT_SECONDS = float(env_str("REDIS_TIMEOUT_SECONDS", "0.5"))
CACHES = {
    "default": (
        {
            "BACKEND": "orderctl.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "orderctl",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_DATA_DIR = DATA_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A web request that queues a task (an early nudge of the dispatcher, logged if lost) must not hang
    # on a frozen Redis: connecting and each command give up after a few seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"socket_connect_timeout": 2, "socket_timeout": 5}
else:
    # Embedded default: Celery's filesystem transport, every folder under the data folder.
    # The explicit host only spares a "No hostname was supplied" warning on every connection.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker and beat log through LOGGING (settings.operations: JSON in production, with the task's id),
# not through Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(CELERY_DATA_DIR / "beat-schedule")
)


def _beat(task: str, every_env: str, default_seconds: int) -> dict[str, object]:
    every = env_seconds(every_env, default_seconds)
    # A run that waited longer than its own interval in the queue (broker or worker down) is dropped:
    # the next one does the same work, so an outage never leaves a pile of identical sweeps behind.
    return {"task": task, "schedule": float(every), "options": {"expires": every}}


# Every sweep is idempotent and catches up by comparing instants, so these are latencies, not
# correctness settings. Beat also runs all three once when it starts (orderctl/celery.py).
CELERY_BEAT_SCHEDULE = {
    "flag-overdue": _beat("directives.tasks.flag_overdue", "FLAG_OVERDUE_EVERY_SECONDS", 15 * 60),
    "send-reminders": _beat("directives.tasks.send_reminders", "SEND_REMINDERS_EVERY_SECONDS", 60 * 60),
    # The next occurrence of each recurring directive once the current one is due or done.
    "advance-series": _beat("directives.tasks.advance_series", "ADVANCE_SERIES_EVERY_SECONDS", 15 * 60),
    "dispatch-notifications": _beat(
        "directives.tasks.dispatch_notifications", "DISPATCH_NOTIFICATIONS_EVERY_SECONDS", 60
    ),
    # Emails whose dispatcher died holding them go back to the queue once their lease ends.
    "sweep-outbox-leases": _beat("directives.tasks.sweep_outbox_leases", "SWEEP_OUTBOX_EVERY_SECONDS", 60),
    # A signed checkpoint of every chain's head, in the database and to the sinks above.
    # Webhook deliveries planned by the dispatcher above (actions/webhooks.py).
    "dispatch-webhooks": _beat("directives.tasks.dispatch_webhooks", "DISPATCH_WEBHOOKS_EVERY_SECONDS", 60),
    "write-checkpoint": _beat(
        "directives.tasks.write_checkpoint", "HISTORY_CHECKPOINT_EVERY_SECONDS", 60 * 60
    ),
}

# --- Reminders, escalation and the notification outbox
try:
    # Days before a deadline that its lead agencies' editors are reminded, e.g. "7,1".
    REMINDER_OFFSETS_DAYS = sorted({int(d) for d in env_list("REMINDER_OFFSETS_DAYS", ["7", "1"])})
except ValueError:
    raise ImproperlyConfigured("REMINDER_OFFSETS_DAYS must be whole numbers of days, e.g. '7,1'") from None
if not all(0 < d <= 365 for d in REMINDER_OFFSETS_DAYS):
    raise ImproperlyConfigured("REMINDER_OFFSETS_DAYS must be between 1 and 365 days")
# Overdue by this many days (as the dashboards count them) -> one notice to the oversight reviewers.
ESCALATION_AFTER_DAYS = env_int("ESCALATION_AFTER_DAYS", 7)
if ESCALATION_AFTER_DAYS < 1:
    raise ImproperlyConfigured("ESCALATION_AFTER_DAYS must be at least 1")
# Honest outcomes (docs/oversight.md): a completion recorded more than this many days after the date
# it claims is flagged for an oversight reviewer, showing both dates.
COMPLETION_RECORDED_LATE_DAYS = env_int("COMPLETION_RECORDED_LATE_DAYS", 7)
if COMPLETION_RECORDED_LATE_DAYS < 0:
    raise ImproperlyConfigured("COMPLETION_RECORDED_LATE_DAYS must be 0 or more days")
# Separation of duties (docs/oversight.md): nobody reviews a claim they recorded or decides an extension
# they asked for, whatever roles they hold. Turning it off is for a one-person trial; the deploy check
# warns about it.
SEPARATION_OF_DUTIES = env_bool("SEPARATION_OF_DUTIES", True)
# A failed send is retried for ever, nothing is given up (docs/faults.md): every NOTIFICATION_RETRY_SECONDS
# while the mail server is unreachable, else after NOTIFICATION_RETRY_SECONDS * 2**(attempts - 1), at most
# 6 hours. After NOTIFICATION_MAX_ATTEMPTS tries an email "needs attention" (the admin, outbox_status).
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 10)
NOTIFICATION_RETRY_SECONDS = env_seconds("NOTIFICATION_RETRY_SECONDS", 60)
# How long a claimed row is reserved for the dispatcher that claimed it. A dispatcher killed while
# sending leaves its row claimed; after this lease another one sends it again. It must be far longer
# than one SMTP exchange (EMAIL_TIMEOUT) or a slow send could be doubled by a second dispatcher.
NOTIFICATION_CLAIM_SECONDS = env_seconds("NOTIFICATION_CLAIM_SECONDS", 600)
# An email the mail server refused (5xx) or left unconfirmed "needs attention" for this many days.
NOTIFICATION_ATTENTION_DAYS = env_int("NOTIFICATION_ATTENTION_DAYS", 7)
