from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Min
from django.utils import timezone

from directives.models import Delivery, Notification


class Command(BaseCommand):
    help = (
        "Count the notification outbox by state, and fail (exit status 1) when an email needs a person: "
        "still unsent after NOTIFICATION_MAX_ATTEMPTS tries, or refused by the mail server or unconfirmed in "
        "the last NOTIFICATION_ATTENTION_DAYS days (docs/faults.md)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        for model in (Notification, Delivery):
            counts = dict(model.objects.values_list("state").annotate(n=Count("id")).order_by())
            shown = ", ".join(f"{state} {counts.get(state, 0)}" for state in model.State.values)
            self.stdout.write(f"{model._meta.verbose_name_plural}: {shown}")
        unsent = Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.SENDING])
        oldest = unsent.aggregate(oldest=Min("created"))["oldest"]
        if oldest is not None:
            self.stdout.write(f"oldest unsent email: {int((now - oldest).total_seconds())} s old")
        stuck = Delivery.objects.needing_attention(now)
        count = stuck.count()
        if count:
            by_state = dict(stuck.values_list("state").annotate(n=Count("id")).order_by())
            unsent = by_state.get(Delivery.State.PENDING, 0) + by_state.get(Delivery.State.SENDING, 0)
            latest = stuck.order_by("-id").values_list("last_error", flat=True).first()
            raise CommandError(
                f"{count} emails need attention: {unsent} still unsent after "
                f"{settings.NOTIFICATION_MAX_ATTEMPTS} or more tries (retried for ever), "
                f"{by_state.get(Delivery.State.REFUSED, 0)} refused by the mail server, "
                f"{by_state.get(Delivery.State.UNCONFIRMED, 0)} unconfirmed; see the admin's Deliveries. "
                f"Latest error: {latest}"
            )
        self.stdout.write("no email needs attention")
