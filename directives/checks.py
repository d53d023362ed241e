"""System checks for settings that would make the tracker wrong or unsafe."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility)
def check_time_zone(app_configs, **kwargs) -> list:
    """Deadlines are computed in America/New_York from UTC instants; anything else breaks them."""
    errors = []
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
def check_production_database(app_configs, **kwargs) -> list:
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return [
            Warning(
                "SQLite is the local development default; set DATABASE_URL to PostgreSQL in production.",
                id="orderctl.W001",
            )
        ]
    return []
