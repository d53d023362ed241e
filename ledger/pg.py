"""PostgreSQL's part of the proof: append-only tables, and the application's least-privileged role.

Each append-only table gets two triggers: one for each row of an UPDATE or DELETE, one for each
TRUNCATE statement (which fires no row trigger, including a ``TRUNCATE ... CASCADE`` from another
table). Both refuse, whoever asks. The table's owner can still drop or disable them, which is why the
web, worker and beat connect as a role that owns nothing and may only SELECT and INSERT these tables
(:func:`grant_statements`), and why signed checkpoints are kept outside the database.

The test database's flush empties tables with TRUNCATE: a session that sets
``orderctl.allow_truncate`` to ``on`` may truncate. Only the owner holds TRUNCATE at all, and the owner
could as well drop the trigger; the setting only keeps the trigger from stopping a deliberate flush.
"""

from __future__ import annotations

# The tables the application may only read and append to: the ledger's own, and those the apps above it
# register from their ``AppConfig.ready`` (directives: its events, and the evidence files they chain),
# so the ledger, below every app, names no table of theirs.
_APPEND_ONLY: set[str] = {"ledger_accessevent", "ledger_checkpoint"}


def register_append_only(*tables: str) -> None:
    """Count ``tables`` among the append-only ones (their app's migration installs the triggers)."""
    _APPEND_ONLY.update(tables)


def append_only_tables() -> tuple[str, ...]:
    """Return every append-only table, by name."""
    return tuple(sorted(_APPEND_ONLY))


def trigger_sql(table: str) -> list[str]:
    """Return the statements that make ``table`` append-only (row and TRUNCATE triggers)."""
    return [
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{table} is append-only: % refused', TG_OP; END $$",
        f"CREATE OR REPLACE FUNCTION {table}_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF current_setting('orderctl.allow_truncate', true) IS DISTINCT FROM 'on' THEN "
        f"RAISE EXCEPTION '{table} is append-only: TRUNCATE refused'; END IF; RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_no_truncate()",
    ]


def drop_trigger_sql(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_no_truncate()",
    ]


def grant_statements(role: str, tables: list[str], sequences: list[str]) -> list[str]:
    """Return the statements giving ``role`` what the application needs, and no more.

    Every table: SELECT, and INSERT, UPDATE, DELETE unless it is append-only (then SELECT and INSERT
    only); every sequence: USAGE and SELECT (ids). Nothing else: no TRUNCATE, no REFERENCES, no
    TRIGGER, no ownership (so no ALTER or DROP), nothing on the schema but USAGE.
    """
    q = _quote
    statements = [f"GRANT USAGE ON SCHEMA public TO {q(role)}"]
    append_only = append_only_tables()
    for table in tables:
        statements.append(f"REVOKE ALL ON {q(table)} FROM {q(role)}")
        if table in append_only:
            privileges = "SELECT, INSERT"
        elif table == "django_migrations":
            privileges = "SELECT"  # the application reads which migrations ran; only the owner migrates
        else:
            privileges = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f"GRANT {privileges} ON {q(table)} TO {q(role)}")
    statements += [f"GRANT USAGE, SELECT ON SEQUENCE {q(s)} TO {q(role)}" for s in sequences]
    return statements


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
