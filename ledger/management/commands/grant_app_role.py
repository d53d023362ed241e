from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from ledger import pg


class Command(BaseCommand):
    help = (
        "PostgreSQL: give the application's role exactly what the web, worker and beat need on every "
        "table of this project (run as the owner, after migrate): SELECT and INSERT only on the "
        "append-only tables, SELECT, INSERT, UPDATE, DELETE on the others, the sequences for ids; "
        "never TRUNCATE, TRIGGER, REFERENCES or ownership."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the role the application connects as, e.g. orderctl_app")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; SQLite has no roles.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"role {role!r} does not exist: create it first (docs/history-proof.md).")
            if found[0]:
                raise CommandError(f"role {role!r} is a superuser: it could do anything; use a plain role.")
            cursor.execute(
                "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s LIMIT 1", [role]
            )
            if cursor.fetchone() is not None:
                raise CommandError(
                    f"role {role!r} owns tables here: an owner can drop the append-only triggers. "
                    "Run migrate as another role (the owner) and give this one only what it needs."
                )
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        tables.append("django_migrations")
        with connection.cursor() as cursor:
            # pg_class, not information_schema: identity columns' sequences are listed only here.
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = 'public'"
            )
            sequences = [name for (name,) in cursor.fetchall()]
        with connection.cursor() as cursor, transaction.atomic():
            for sql in pg.grant_statements(role, sorted(set(tables)), sorted(set(sequences))):
                cursor.execute(sql)
        self.stdout.write(
            f"Granted {role} what the application needs on {len(set(tables))} tables and "
            f"{len(set(sequences))} sequences; append-only: {', '.join(pg.append_only_tables())}."
        )
