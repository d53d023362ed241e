"""System checks for settings that would make the tracker wrong or unsafe."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.compatibility)
def check_time_zone(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Deadlines are computed in America/New_York from UTC instants; anything else breaks them."""
    errors: list[CheckMessage] = []
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        errors.append(
            Error(
                "TIME_ZONE must be 'UTC' and USE_TZ True: stored instants are UTC and deadlines end in "
                "America/New_York, converted explicitly.",
                id="orderctl.E001",
            )
        )
    return errors


@register(Tags.database, deploy=True)
def check_production_database(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return [
            Warning(
                "SQLite is the local development default; set DATABASE_URL to PostgreSQL in production.",
                id="orderctl.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_checkpoint_sinks(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Checkpoints kept only in the database do not survive its owner (docs/history-proof.md)."""
    if (
        settings.HISTORY_CHECKPOINT_FILE
        or settings.HISTORY_CHECKPOINT_WEBHOOK
        or settings.HISTORY_CHECKPOINT_EMAIL
    ):
        return []
    return [
        Warning(
            "No checkpoint sink outside the database: set HISTORY_CHECKPOINT_FILE, "
            "HISTORY_CHECKPOINT_WEBHOOK or HISTORY_CHECKPOINT_EMAIL, or removing the newest events "
            "cannot be detected.",
            id="orderctl.W002",
        )
    ]


@register(Tags.security, deploy=True)
def check_separation_of_duties(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """A reviewer verifying their own claim makes the verified counts worthless (docs/oversight.md)."""
    if settings.SEPARATION_OF_DUTIES:
        return []
    return [
        Warning(
            "SEPARATION_OF_DUTIES is off: one person holding both roles can verify their own claims and "
            "approve their own extension requests.",
            id="orderctl.W003",
        )
    ]
