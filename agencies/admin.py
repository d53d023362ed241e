from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from . import actions
from .models import Agency, APIToken, Membership, OversightReviewer


class KnownChoicesAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, showing again only submitted values that name an object.

    To label what was submitted, the widget looks each value up as an id; a value that is not one
    (``abc``, a NUL) made that lookup raise, so a refused form was a 500 instead of its errors.
    """

    def optgroups(self, name, value, attr=None):
        field = self.choices.field

        def names_an_object(choice) -> bool:
            try:
                field.to_python(choice)
            except ValidationError:
                return False
            return True

        return super().optgroups(name, [choice for choice in value if names_an_object(choice)], attr)


class AutocompleteAdmin(admin.ModelAdmin):
    """A model admin whose autocomplete fields survive any submitted value."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownChoicesAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("abbreviation", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("abbreviation", "name")

    # Agencies come from order files (load_order); people's roles are managed as memberships.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Agency | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Agency | None = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(AutocompleteAdmin):
    list_display = ("user", "agency", "role")
    list_filter = ("role", "agency")
    autocomplete_fields = ("user", "agency")


@admin.register(OversightReviewer)
class OversightReviewerAdmin(AutocompleteAdmin):
    list_display = ("user", "created")
    autocomplete_fields = ("user",)


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    """Lists and revokes API tokens; they are created with ``create_api_token`` or on the tokens page,
    where the key can be shown once."""

    list_display = ("name", "user", "token_key", "read_only", "created", "expiry")
    list_filter = ("read_only",)
    search_fields = ("name", "token_key", "user__username")
    fields = ("name", "user", "token_key", "read_only", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        actions.revoke_api_token(obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset.select_related("user"):
            actions.revoke_api_token(token, actor=request.user)
