"""The outbox in the admin: every email and what became of it, and the ones that need a person.

Read-only: the dispatcher alone writes these rows. An email the mail server keeps deferring stays
here, retried; one it refused (5xx) or never answered stays here with its reply; the list says how many
need a person at the top, with the dispatchers' counts so far (``outbox_counts``).
"""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from directives.models import Delivery
from directives.notices import outbox_counts


class NeedsAttention(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (
                "yes",
                f"Refused, unconfirmed, or unsent after {settings.NOTIFICATION_MAX_ATTEMPTS} or more tries",
            )
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> QuerySet[Delivery]:
        if self.value() == "yes":
            return queryset & Delivery.objects.needing_attention()
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """The notification emails: recipient, state, tries, and the mail server's last answer. Read-only."""

    list_display = (
        "created",
        "recipient",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "queue_id",
        "last_error",
    )
    list_filter = ("state", NeedsAttention)
    search_fields = ("recipient", "queue_id")
    ordering = ("-id",)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        stuck = Delivery.objects.needing_attention()
        count = stuck.count()
        if count:
            by_state = dict(stuck.values_list("state").annotate(n=Count("id")).order_by())
            unsent = by_state.get(Delivery.State.PENDING, 0) + by_state.get(Delivery.State.SENDING, 0)
            latest = stuck.order_by("-id").values_list("last_error", flat=True).first()
            self.message_user(
                request,
                f"{count} email{'s' if count != 1 else ''} need{'' if count != 1 else 's'} attention: "
                f"{by_state.get(Delivery.State.REFUSED, 0)} refused by the mail server, "
                f"{by_state.get(Delivery.State.UNCONFIRMED, 0)} unconfirmed, {unsent} still unsent after "
                f"{settings.NOTIFICATION_MAX_ATTEMPTS} or more tries (they keep being retried). "
                f"Latest error: {latest}",
                messages.WARNING,
            )
        totals = outbox_counts.totals()
        self.message_user(
            request,
            f"Dispatch so far: {totals['sent']} sent, {totals['deferred']} deferred (4xx or server down), "
            f"{totals['refused']} refused (5xx), {totals['unconfirmed']} unconfirmed, "
            f"{totals['database_error']} database errors.",
            messages.INFO,
        )
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False
