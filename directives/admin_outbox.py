"""The outbox in the admin: every email and what became of it, and the ones that need a person.

Read-only: the dispatcher alone writes these rows. Nothing is ever given up, so an email the mail
server keeps refusing stays here, retried, and the list says so at the top.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Delivery


class NeedsAttention(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", f"Unsent after {settings.NOTIFICATION_MAX_ATTEMPTS} or more tries")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> QuerySet[Delivery]:
        if self.value() == "yes":
            return queryset & Delivery.objects.needing_attention()
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """The notification emails: recipient, state, tries, and the mail server's last answer. Read-only."""

    list_display = ("created", "recipient", "state", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("state", NeedsAttention)
    search_fields = ("recipient",)
    ordering = ("-id",)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        stuck = Delivery.objects.needing_attention()
        count = stuck.count()
        if count:
            latest = stuck.order_by("-id").values_list("last_error", flat=True).first()
            self.message_user(
                request,
                f"{count} email{'s' if count != 1 else ''} still unsent after "
                f"{settings.NOTIFICATION_MAX_ATTEMPTS} or more tries; they keep being retried. "
                f"Latest error: {latest}",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False
