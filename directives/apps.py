from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = "Orders and directives"

    def ready(self) -> None:
        from directives.models import DirectiveEvent, EvidenceFile
        from directives.operations import checks  # noqa: F401 - registers the system checks
        from ledger import pg

        # The history and the evidence files it chains are append-only (migrations 0009 and 0019 install
        # the triggers); the ledger learns their names here, never importing this app.
        pg.register_append_only(DirectiveEvent._meta.db_table, EvidenceFile._meta.db_table)
