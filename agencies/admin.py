from collections.abc import Sequence
from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User as Account
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from . import actions, roles
from .access import signed_in
from .audit import ACTOR
from .models import Agency, APIToken, Membership, OversightReviewer, SignOnLink

User = get_user_model()


class KnownChoicesAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, showing again only submitted values that name an object.

    To label what was submitted, the widget looks each value up as an id; a value that is not one
    (``abc``, a NUL) made that lookup raise, so a refused form was a 500 instead of its errors.
    """

    def optgroups(
        self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        field = self.choices.field

        def names_an_object(choice: str) -> bool:
            try:
                field.to_python(choice)
            except ValidationError:
                return False
            return True

        return super().optgroups(name, [choice for choice in value if names_an_object(choice)], attr)


M = TypeVar("M", bound=models.Model)


class AutocompleteAdmin(admin.ModelAdmin[M]):
    """A model admin whose autocomplete fields survive any submitted value."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownChoicesAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
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
class MembershipAdmin(AutocompleteAdmin[Membership]):
    """Grants, changes and revokes roles through ``agencies.roles``, which records each in the access log."""

    list_display = ("user", "agency", "role")
    list_filter = ("role", "agency")
    autocomplete_fields = ("user", "agency")

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple[str, ...]:
        # Another person or agency is another membership: revoke this one and grant that one.
        return ("user", "agency") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: Any) -> None:
        saved = roles.set_membership(obj.user, obj.agency, obj.role, actor=signed_in(request.user))
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        roles.revoke_membership(obj, actor=signed_in(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            roles.revoke_membership(membership, actor=signed_in(request.user))


@admin.register(OversightReviewer)
class OversightReviewerAdmin(AutocompleteAdmin[OversightReviewer]):
    """Grants and revokes the reviewer role through ``agencies.roles`` (recorded in the access log)."""

    list_display = ("user", "created")
    autocomplete_fields = ("user",)

    def has_change_permission(self, request: HttpRequest, obj: OversightReviewer | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: OversightReviewer, form: Any, change: Any) -> None:
        obj.pk = roles.grant_reviewer(obj.user, actor=signed_in(request.user)).pk

    def delete_model(self, request: HttpRequest, obj: OversightReviewer) -> None:
        roles.revoke_reviewer(obj, actor=signed_in(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[OversightReviewer]) -> None:
        for reviewer in queryset:
            roles.revoke_reviewer(reviewer, actor=signed_in(request.user))


admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(UserAdmin[Account]):
    """Django's user admin; the access log (``agencies/audit.py``) records who changed flags or names."""

    def save_model(self, request: HttpRequest, obj: Account, form: Any, change: Any) -> None:
        setattr(obj, ACTOR, request.user)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Account) -> None:
        setattr(obj, ACTOR, request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        for user in queryset:
            self.delete_model(request, user)


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin[APIToken]):
    """Lists and revokes API tokens; they are created with ``create_api_token`` or on the tokens page,
    where the key can be shown once."""

    list_display = ("name", "user", "token_key", "read_only", "created", "expiry")
    list_filter = ("read_only",)
    search_fields = ("name", "token_key", "user__username")
    fields = ("name", "user", "token_key", "read_only", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: APIToken | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: APIToken) -> None:
        actions.revoke_api_token(obj, actor=signed_in(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[APIToken]) -> None:
        for token in queryset.select_related("user"):
            actions.revoke_api_token(token, actor=signed_in(request.user))


class SignOnLinkForm(forms.ModelForm[SignOnLink]):
    """Refuse, at its field, a person already linked (the constraint's condition is on ``unlinked``,
    which the form leaves out, so Django's own check of it would not run)."""

    class Meta:
        model = SignOnLink
        fields = ("user", "issuer", "subject")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issuer, subject = data.get("issuer"), data.get("subject")
        if (
            issuer
            and subject
            and SignOnLink.objects.filter(issuer=issuer, subject=subject, unlinked__isnull=True).exists()
        ):
            self.add_error(
                "subject", f"{subject} at {issuer} is already linked to an account; unlink it first."
            )
        return data


@admin.register(SignOnLink)
class SignOnLinkAdmin(AutocompleteAdmin[SignOnLink]):
    """Links a person at an OpenID provider to an account, and removes links, through
    ``agencies.actions`` (each in the access log). The only way a staff member or a superuser signs on:
    single sign-on never links them by email."""

    form = SignOnLinkForm
    list_display = ("user", "issuer", "subject", "created", "unlinked")
    list_filter = ("issuer",)
    search_fields = ("user__username", "subject", "issuer")
    autocomplete_fields = ("user",)
    fields = ("user", "issuer", "subject", "created", "unlinked")

    def get_readonly_fields(self, request: HttpRequest, obj: SignOnLink | None = None) -> tuple[str, ...]:
        return self.fields if obj is not None else ("created", "unlinked")

    def has_change_permission(self, request: HttpRequest, obj: SignOnLink | None = None) -> bool:
        return False  # another person or account is another link: unlink this one and make that one

    def save_model(self, request: HttpRequest, obj: SignOnLink, form: Any, change: Any) -> None:
        # The form has checked the constraint (one live link per person at a provider).
        saved = actions.link_sign_on(
            obj.user,
            actor=signed_in(request.user),
            issuer=obj.issuer,
            subject=obj.subject,
            how="administrator",
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: SignOnLink) -> None:
        actions.unlink_sign_on(obj, actor=signed_in(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SignOnLink]) -> None:
        for link in queryset:
            actions.unlink_sign_on(link, actor=signed_in(request.user))
