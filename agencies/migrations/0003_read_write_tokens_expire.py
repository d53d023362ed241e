"""Give every read-write API token an expiry within API_TOKEN_MAX_DAYS_READ_WRITE of this migration.

Read-write tokens must expire from now on (migration 0004 makes the database refuse one that does not).
Tokens created before that could live forever or for up to API_TOKEN_MAX_DAYS. Rather than break the
scripts that hold them at once, each such token now expires API_TOKEN_MAX_DAYS_READ_WRITE days (90 by
default) after this migration runs, or earlier if it already did; it is listed in the log, so that its
owner can be told to replace it. Read-only tokens keep their expiry. Reversing keeps the new expiries.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import migrations
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger("agencies.migrations")


def cap_read_write_expiry(apps, schema_editor) -> None:
    APIToken = apps.get_model("agencies", "APIToken")
    cap = timezone.now() + dt.timedelta(days=settings.API_TOKEN_MAX_DAYS_READ_WRITE)
    capped = APIToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=cap), read_only=False)
    for token in capped.select_related("user").order_by("created"):
        logger.warning(
            "Read-write API token %s (%s) of %s now expires %s UTC (it was %s)",
            token.token_key,
            token.name,
            # A historical model has no get_username(); orderctl's users are Django's, with a username.
            getattr(token.user, "username", token.user_id),
            f"{cap:%Y-%m-%d %H:%M}",
            f"{token.expiry:%Y-%m-%d %H:%M} UTC" if token.expiry else "never",
        )
    capped.update(expiry=cap)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_api_token"),
    ]

    operations = [
        migrations.RunPython(cap_read_write_expiry, migrations.RunPython.noop, elidable=False),
    ]
