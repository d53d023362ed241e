"""Admin for webhooks (subscriptions through the actions, the delivery log read-only) and publishing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from agencies.access import signed_in
from directives.actions import publishing, webhooks
from directives.models import Notification, Order
from directives.models.outreach import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionForm(forms.ModelForm[WebhookSubscription]):
    url = forms.URLField(max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        choices=Notification.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=Notification.Kind.values,
    )

    class Meta:
        model = WebhookSubscription
        fields = ("name", "url", "format", "agency", "order", "kinds", "active")

    def _post_clean(self) -> None:
        """Validate through the actions (on save), not the model: nothing is written here."""

    def clean(self) -> None:
        """Name the field of a bad scope or address on the form; the actions check both again on save."""
        super().clean()
        data = self.cleaned_data
        problems: dict[str, list[str]] = {}
        # A new subscription names its scope; a saved one's scope is read-only (not in the form).
        adding = self.instance.pk is None
        if adding and (bool(data.get("agency")) == bool(data.get("order"))):
            problems["agency"] = ["Name exactly one agency or one order."]
        if data.get("url"):
            problem = webhooks.url_problem(data["url"])
            if problem:
                problems["url"] = [problem]
        for field, messages_ in problems.items():
            for message in messages_:
                self.add_error(field, message)


class WebhookDeliveryInline(admin.TabularInline[WebhookDelivery, WebhookSubscription]):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ("created", "notification", "state", "attempts", "response_status", "delivered_at", "last_error")
    readonly_fields = fields
    ordering = ("-id",)
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: WebhookSubscription | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WebhookSubscription | None = None) -> bool:
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin[WebhookSubscription]):
    """Subscriptions are created, changed and deleted through ``actions.webhooks`` (the access log)."""

    form = WebhookSubscriptionForm
    list_display = ("name", "format", "agency", "order", "user", "active", "consecutive_failures", "created")
    list_filter = ("format", "active")
    # Never the signing secret: it is shown once, when made (below, or POST .../rotate-secret/ in the API).
    readonly_fields = (
        "previous_secret_until",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created",
        "created_by",
    )
    inlines = (WebhookDeliveryInline,)
    actions = ("send_test",)

    @admin.action(description="Send a signed test message and show the answer")
    def send_test(
        self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]
    ) -> HttpResponseRedirect | None:
        """Send each a signed sample and say what its receiver answered; from a subscription's page
        (its button, ``back_to=change``), go back to that page."""
        subscriptions = list(queryset)
        for subscription in subscriptions:
            try:
                sent = webhooks.send_test_webhook(subscription, actor=signed_in(request.user))
            except PermissionDenied as error:
                self.message_user(request, f"{subscription.name}: {error}", messages.ERROR)
                continue
            said = f"HTTP {sent.status}" if sent.status is not None else "no answer"
            self.message_user(
                request,
                f"{subscription.name}: {said}. {sent.answer}".strip(),
                messages.SUCCESS if sent.ok else messages.ERROR,
            )
        if request.POST.get("back_to") == "change" and len(subscriptions) == 1:
            return HttpResponseRedirect(
                reverse("admin:directives_webhooksubscription_change", args=[subscriptions[0].pk])
            )
        return None

    def get_readonly_fields(
        self, request: HttpRequest, obj: WebhookSubscription | None = None
    ) -> tuple[str, ...]:
        scope = ("agency", "order") if obj is not None else ()
        return (*scope, *self.readonly_fields) if obj is not None else ()

    def get_fields(
        self, request: HttpRequest, obj: WebhookSubscription | None = None
    ) -> list[str | list[str] | tuple[str, ...]]:
        fields: list[str | list[str] | tuple[str, ...]] = [
            "name",
            "url",
            "format",
            "agency",
            "order",
            "kinds",
            "active",
        ]
        return fields + list(self.readonly_fields) if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form: Any, change: Any) -> None:
        data = form.cleaned_data
        try:
            if change:
                saved = webhooks.update_webhook(
                    WebhookSubscription.objects.get(pk=obj.pk),
                    actor=signed_in(request.user),
                    name=data["name"],
                    url=data["url"],
                    format=data["format"],
                    kinds=list(data["kinds"]),
                    active=data["active"],
                )
            else:
                saved = webhooks.create_webhook(
                    actor=signed_in(request.user),
                    name=data["name"],
                    url=data["url"],
                    format=data["format"],
                    agency=data.get("agency"),
                    order=data.get("order"),
                    kinds=list(data["kinds"]),
                )
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied(str(error)) from None
        obj.pk = saved.pk
        if not change:
            messages.warning(
                request,
                f"The signing secret of {saved.name}, shown this once: {saved.secret} "
                "(a new one: POST /api/v1/webhooks/{id}/rotate-secret/).".replace("{id}", str(saved.pk)),
            )

    def delete_model(self, request: HttpRequest, obj: WebhookSubscription) -> None:
        webhooks.delete_webhook(obj, actor=signed_in(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        for subscription in queryset:
            webhooks.delete_webhook(subscription, actor=signed_in(request.user))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    """The delivery log: what went where, when, and what the receiver answered. Read-only."""

    list_display = ("created", "subscription", "notification", "state", "attempts", "response_status")
    list_filter = ("state",)
    list_select_related = ("subscription", "notification__directive")
    ordering = ("-id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False


@admin.action(description="Publish as open data")
def publish(modeladmin: admin.ModelAdmin[Order], request: HttpRequest, queryset: QuerySet[Order]) -> None:
    for order in queryset:
        publishing.publish_order(order, actor=signed_in(request.user))
    modeladmin.message_user(request, "Published: the public page and feeds are open.", messages.SUCCESS)


@admin.action(description="Withdraw from open data")
def unpublish(modeladmin: admin.ModelAdmin[Order], request: HttpRequest, queryset: QuerySet[Order]) -> None:
    for order in queryset:
        publishing.unpublish_order(order, actor=signed_in(request.user))
    modeladmin.message_user(request, "Withdrawn: the public page and feeds answer 404.", messages.SUCCESS)
