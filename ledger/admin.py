"""The proof's records in the admin: read-only, as the database's triggers keep them."""

import json
from typing import TypeVar

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest

from .models import AccessEvent, Checkpoint

M = TypeVar("M", bound=models.Model)


class ReadOnlyAdmin(admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin[AccessEvent]):
    list_display = ("seq", "created", "kind", "actor", "subject", "agency_id", "what")
    list_filter = ("kind",)
    search_fields = ("detail",)
    ordering = ("-seq",)

    @admin.display(description="by")
    def actor(self, obj: AccessEvent) -> str:
        return _username(obj.actor_id) if obj.actor_id is not None else "the system"

    @admin.display(description="user")
    def subject(self, obj: AccessEvent) -> str:
        return _username(obj.subject_id) if obj.subject_id is not None else ""

    @admin.display(description="what changed")
    def what(self, obj: AccessEvent) -> str:
        detail = json.loads(obj.detail)
        return ", ".join(f"{k}: {v}" for k, v in detail.items())


def _username(pk: int) -> str:
    user = get_user_model().objects.filter(pk=pk).first()
    return f"{user.get_username()} (#{pk})" if user is not None else f"#{pk} (deleted)"


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin[Checkpoint]):
    list_display = ("id", "created", "key_id")
    ordering = ("-id",)
