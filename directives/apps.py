from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = "Orders and directives"

    def ready(self) -> None:
        from directives.operations import checks  # noqa: F401 - registers the system checks
