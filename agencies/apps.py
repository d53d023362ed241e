from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and roles"

    def ready(self) -> None:
        from . import audit  # noqa: F401 - connects the access log's receivers
