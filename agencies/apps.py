from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and roles"

    def ready(self) -> None:
        from . import signals

        user_model = get_user_model()
        pre_save.connect(signals.note_revoking_changes, sender=user_model, dispatch_uid="orderctl-token-note")
        post_save.connect(
            signals.revoke_tokens_after_save, sender=user_model, dispatch_uid="orderctl-token-revoke"
        )
        from . import audit  # noqa: F401 - connects the access log's receivers
