"""Admin for orders and directives. Status changes go through the actions; events are read-only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from agencies.access import signed_in
from directives import actions
from directives.admin.integrations import publish, unpublish
from directives.models import Directive, DirectiveEvent, Involvement, Order, OrderChange, Status
from directives.models.bounds import within_dates

# Links without a scheme are https (Django 6's default, chosen now to silence its transition warning).
HTTPS_URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    formfield_overrides = HTTPS_URLS
    list_display = ("number", "title", "signed_on", "federal_register_citation", "published_as_open_data")
    readonly_fields = ("number", "signed_on", "created", "updated")
    search_fields = ("number", "title")
    actions = (publish, unpublish)  # through actions.publishing, recorded in the access log

    @admin.display(boolean=True, description="Open data")
    def published_as_open_data(self, obj: Order) -> bool:
        return hasattr(obj, "publication")

    # An order is what its file says (load_order); an edit here would bypass validation and history.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


@admin.register(OrderChange)
class OrderChangeAdmin(admin.ModelAdmin[OrderChange]):
    """What loaded orders revoke and amend in earlier ones: read here, written only by loading a file."""

    list_display = ("by_order", "kind", "order_number", "ref")
    list_filter = ("kind",)
    list_select_related = ("by_order",)
    search_fields = ("ref", "note")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OrderChange | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OrderChange | None = None) -> bool:
        return False


class InvolvementInline(admin.TabularInline[Involvement, Directive]):
    model = Involvement
    extra = 0
    can_delete = False
    readonly_fields = ("agency", "role", "position")

    def has_add_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False  # agencies follow the order file (load_order)

    def has_change_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False


class EventInline(admin.TabularInline[DirectiveEvent, Directive]):
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


class DirectiveUpdateForm(forms.ModelForm[Directive]):
    """The admin's update form: what it holds is recorded by the actions, never saved directly.

    The action runs when the form is validated, so a refusal (a date in the future, a status already
    set, an extension that does not move the deadline later) comes back as errors at the fields, with
    what was typed kept, and nothing written. A parent has no status fields: it rolls up from its parts.
    """

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=actions.MAX_NOTE_LENGTH
    )
    evidence_url = forms.URLField(required=False, assume_scheme="https", max_length=actions.MAX_URL_LENGTH)
    new_due_on = forms.DateField(
        validators=[within_dates],
        required=False,
        label="Extend the deadline to",
        help_text="A later date than the effective due date; the original due date is kept.",
    )
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=actions.MAX_NOTE_LENGTH,
        help_text="Why the deadline moves; kept in the history. Required with a new date.",
    )

    # Set by DirectiveAdmin.get_form: who is recording.
    actor: User | None = None

    class Meta:
        model = Directive
        fields = ("status", "completed_on", "forecast_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_parent:
            for name in ("status", "completed_on"):
                self.fields.pop(name, None)

    def _update_kwargs(self, original: Directive) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {"note": data.get("note", ""), "evidence_url": data.get("evidence_url", "")}
        if "status" in self.fields and data.get("status") != original.status:
            kwargs["status"] = data["status"]
            if data["status"] == Status.COMPLETED and data.get("completed_on"):
                kwargs["completed_on"] = data["completed_on"]
        elif data.get("completed_on") and data.get("completed_on") != original.completed_on:
            kwargs["completed_on"] = data["completed_on"]
        if data.get("forecast_on") != original.forecast_on:
            kwargs["forecast_on"] = data.get("forecast_on")
        return kwargs

    def _post_clean(self) -> None:
        # Not the model's validation (the actions validate), and not an assignment to the instance:
        # the admin saves nothing itself.
        if self.errors:
            return
        original = Directive.objects.with_agencies().get(pk=self.instance.pk)
        data = self.cleaned_data
        try:
            with transaction.atomic():
                if data.get("new_due_on") or data.get("justification"):
                    if not data.get("new_due_on"):
                        raise ValidationError({"new_due_on": ["Give the new due date of the extension."]})
                    actions.extend_deadline(
                        original,
                        data["new_due_on"],
                        actor=self.actor,
                        justification=data.get("justification", ""),
                    )
                    original = Directive.objects.with_agencies().get(pk=original.pk)
                kwargs = self._update_kwargs(original)
                if any((kwargs.get("status"), "forecast_on" in kwargs, kwargs.get("completed_on"))) or (
                    kwargs["note"] or kwargs["evidence_url"]
                ):
                    actions.record_update(original, actor=self.actor, **kwargs)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                target = field if field in self.fields else None
                for message in messages_:
                    self.add_error(target, message)
        except PermissionDenied as refused:
            self.add_error(None, str(refused))


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin[Directive]):
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
        "deadline_in_words",
        "event_on",
        "series",
        "occurrence",
        "original_due_on",
        "due_on",
        "due_at",
        "status_changed_at",
        "overdue_flagged_at",
    )
    inlines = (InvolvementInline, EventInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Directive]:
        return super().get_queryset(request).select_related("order", "parent", "series")

    @admin.display(description="Deadline")
    def deadline_in_words(self, obj: Directive) -> str:
        return obj.rule.describe()

    def get_form(
        self, request: HttpRequest, obj: Directive | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Directive]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, DirectiveUpdateForm):  # always: it is ``form`` above, subclassed by Django
            form.actor = signed_in(request.user)
        return form

    def get_fields(
        self, request: HttpRequest, obj: Directive | None = None
    ) -> list[str | list[str] | tuple[str, ...]]:
        fields = list(super().get_fields(request, obj))
        if obj is not None and obj.is_parent:
            fields = [f for f in fields if f not in ("status", "completed_on")]
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # directives come from order files (load_order)

    def has_delete_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Directive, form: Any, change: Any) -> None:
        """Save nothing: the form's validation recorded the update through the actions."""


@admin.register(DirectiveEvent)
class DirectiveEventAdmin(admin.ModelAdmin[DirectiveEvent]):
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
