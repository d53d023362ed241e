from django.contrib import admin

from .models import Agency, Membership, OversightReviewer


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("abbreviation", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("abbreviation", "name")
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role")
    list_filter = ("role", "agency")
    autocomplete_fields = ("user", "agency")


@admin.register(OversightReviewer)
class OversightReviewerAdmin(admin.ModelAdmin):
    list_display = ("user", "created")
    autocomplete_fields = ("user",)
