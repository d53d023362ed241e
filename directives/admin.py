"""Admin for orders and directives. Status changes go through the actions; events are read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from . import actions
from .models import Directive, DirectiveEvent, Involvement, Order, Status

# Links without a scheme are https (Django 6's default, chosen now to silence its transition warning).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("number", "title", "signed_on", "federal_register_citation")
    readonly_fields = ("number", "signed_on", "created", "updated")
    search_fields = ("number", "title")

    # An order is what its file says (load_order); an edit here would bypass validation and history.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


class InvolvementInline(admin.TabularInline):
    model = Involvement
    extra = 0
    can_delete = False
    readonly_fields = ("agency", "role", "position")

    def has_add_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False  # agencies follow the order file (load_order)

    def has_change_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = DirectiveEvent
    extra = 0
    can_delete = False
    fields = ("created", "kind", "old_status", "new_status", "note", "actor", "agency")
    readonly_fields = fields
    ordering = ("-seq",)

    def has_add_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False


class DirectiveUpdateForm(forms.ModelForm):
    """The admin's update form: its fields are handed to ``actions.record_update``, never saved directly."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=actions.MAX_NOTE_LENGTH
    )
    evidence_url = forms.URLField(required=False, assume_scheme="https", max_length=actions.MAX_URL_LENGTH)

    class Meta:
        model = Directive
        fields = ("status", "completed_on", "forecast_on")


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    form = DirectiveUpdateForm
    list_display = ("ref", "title", "order", "due_on", "status", "overdue_flagged_at")
    list_filter = ("order", "status")
    search_fields = ("ref", "title", "summary")
    readonly_fields = (
        "order",
        "ref",
        "parent",
        "title",
        "summary",
        "deadline_kind",
        "deadline_days",
        "deadline_ongoing",
        "original_due_on",
        "due_on",
        "due_at",
        "status_changed_at",
        "overdue_flagged_at",
    )
    inlines = (InvolvementInline, EventInline)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("order", "parent")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # directives come from order files (load_order)

    def has_delete_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Directive, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        original = Directive.objects.get(pk=obj.pk)
        kwargs: dict = {"note": data.get("note", ""), "evidence_url": data.get("evidence_url", "")}
        if data["status"] != original.status:
            kwargs["status"] = data["status"]
            if data["status"] == Status.COMPLETED and data.get("completed_on"):
                kwargs["completed_on"] = data["completed_on"]
        if data.get("forecast_on") != original.forecast_on:
            kwargs["forecast_on"] = data.get("forecast_on")
        if not any((kwargs.get("status"), "forecast_on" in kwargs, kwargs["note"], kwargs["evidence_url"])):
            return
        try:
            actions.record_update(original, actor=request.user, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            request._orderctl_refused = True
            self.message_user(request, f"Nothing was saved: {'; '.join(_messages(exc))}", messages.ERROR)

    def response_change(self, request: HttpRequest, obj: Directive) -> HttpResponse:
        if getattr(request, "_orderctl_refused", False):
            return HttpResponseRedirect(request.path)  # back to the form, without a success message
        return super().response_change(request, obj)


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
    return [str(exc)]


@admin.register(DirectiveEvent)
class DirectiveEventAdmin(admin.ModelAdmin):
    """The history, readable and never editable."""

    formfield_overrides = HTTPS_URLS

    list_display = ("created", "directive", "kind", "old_status", "new_status", "actor", "agency")
    # Newest appended first: ids are drawn as events are appended (within an order, seq says the same).
    ordering = ("-id",)
    list_filter = ("kind",)
    list_select_related = ("directive__order", "actor", "agency")
    search_fields = ("directive__ref", "note")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DirectiveEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DirectiveEvent | None = None) -> bool:
        return False
