"""Prepare the production smoke test's scratch database, run inside the image's own process.

``python manage.py shell -c "from tests.smoke_setup import main; main()"``, with the production
settings: creates the personas of the access table (``tests/access_table.py``) with the password in
``SMOKE_PASSWORD`` and the table's sample objects, clears the application's keys from its Redis
database, and prints the sample values as one JSON line after ``SMOKE``.
"""

import dataclasses
import json
import os

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from agencies import roles
from agencies.models import Agency, Membership
from tests.access_samples import create_samples

# persona -> (username, the agency it edits for): the suite's personas (tests/conftest.py).
ACCOUNTS = {
    "cisa": ("cisa-editor", "CISA"),
    "treasury": ("treasury-editor", "TREASURY"),
    "oncd": ("oncd-editor", "ONCD"),
    "reviewer": ("reviewer", None),
    "admin": ("admin", None),
}


def main() -> None:
    """Create the personas and samples, clear the cache, and print what the test needs."""
    password = os.environ["SMOKE_PASSWORD"]
    User = get_user_model()
    users = {}
    with transaction.atomic():
        for persona, (username, agency) in ACCOUNTS.items():
            admin = persona == "admin"
            user = User.objects.create_user(
                username, f"{username}@example.com", password, is_staff=admin, is_superuser=admin
            )
            # Through the one write path, so the access log holds them (verify_history reconciles).
            if agency:
                roles.set_membership(
                    user, Agency.objects.get(abbreviation=agency), Membership.Role.EDITOR, actor=None
                )
            if persona == "reviewer":
                roles.grant_reviewer(user, actor=None)
            users[persona] = user
        samples = create_samples(users)
    # Rate-limit counters of earlier runs (for 127.0.0.1, kept an hour) would throttle this one's
    # anonymous requests; a new deployment starts with an empty cache. Only the cache's keys go.
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = redis.Redis.from_url(settings.REDIS_URL)
    stale = list(client.scan_iter(f"{prefix}:*"))
    if stale:
        client.delete(*stale)
    usernames = {persona: username for persona, (username, _) in ACCOUNTS.items()}
    print("SMOKE", json.dumps({"usernames": usernames, "samples": dataclasses.asdict(samples)}))
