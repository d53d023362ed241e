import datetime as dt
import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies import roles
from agencies.models import Agency, Membership
from directives import actions
from directives.models import Directive, DirectiveEvent, Order, Status

# One editor for each lead agency, ONCD (consulted only), and DHS, a department editing for CISA.
EDITOR_AGENCIES = ("CISA", "DHS", "TREASURY", "CNSS", "DOW", "OMB", "OPM", "NSA", "DOJ", "ONCD")
DEMO_NOTE = "Illustrative demo data, not official status: "

# (ref, editor, status, completed_on, note): public reports of medium or low confidence (order brief).
DEMO_UPDATES = (
    (
        "2(c)(i)",
        "cisa-editor",
        Status.COMPLETED,
        dt.date(2026, 6, 10),
        'CISA was reported to have issued BOD 26-04 "Prioritizing Security Updates Based on Risk" on '
        "2026-06-10 (medium confidence).",
    ),
    (
        "2(d)",
        "treasury-editor",
        Status.IN_PROGRESS,
        None,
        "the clearinghouse was reported operating in July 2026 (low confidence).",
    ),
    (
        "3(b)",
        "treasury-editor",
        Status.COMPLETED,
        dt.date(2026, 8, 4),
        "the Sec. 3 framework was reported complete on 2026-08-04, details classified (low confidence).",
    ),
)


class Command(BaseCommand):
    help = "Create demo users (admin, reviewer, editors of the lead agencies, DHS, ONCD) and demo statuses."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a known password; it refuses to run when DEBUG is off."
            )
        order = Order.objects.filter(number=14409).first()
        if order is None:
            raise CommandError(
                "Executive Order 14409 is not loaded: run `python manage.py load_order` first."
            )
        password = os.environ.get("DEMO_PASSWORD") or "demo"
        User = get_user_model()
        with transaction.atomic():
            admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.com"})
            admin.is_staff = admin.is_superuser = True
            admin.set_password(password)
            admin.save()
            reviewer, _ = User.objects.get_or_create(
                username="reviewer", defaults={"email": "reviewer@example.com", "first_name": "Oversight"}
            )
            reviewer.set_password(password)
            reviewer.save()
            roles.grant_reviewer(reviewer, actor=None)  # recorded in the access log, once
            for abbr in EDITOR_AGENCIES:
                agency = Agency.objects.get(abbreviation=abbr)
                username = f"{abbr.lower()}-editor"
                user, _ = User.objects.get_or_create(
                    username=username, defaults={"email": f"{username}@example.com"}
                )
                user.set_password(password)
                user.save()
                roles.set_membership(user, agency, Membership.Role.EDITOR, actor=None)
        applied = 0
        for ref, username, status, completed_on, note in DEMO_UPDATES:
            directive = Directive.objects.get(order=order, ref=ref)
            touched = directive.events.exclude(kind=DirectiveEvent.Kind.CREATED).exists()
            if touched or directive.status != Status.NOT_STARTED:
                continue  # never overwrite what someone (or an earlier seed) recorded
            actions.change_status(
                directive,
                status,
                actor=User.objects.get(username=username),
                note=DEMO_NOTE + note,
                completed_on=completed_on,
            )
            applied += 1
        self.stdout.write(
            f"Demo users ready (password from DEMO_PASSWORD, default 'demo'): admin, reviewer, "
            f"{', '.join(a.lower() + '-editor' for a in EDITOR_AGENCIES)}; "
            f"{applied} illustrative updates applied."
        )
