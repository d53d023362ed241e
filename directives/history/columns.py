"""Columns as the proof compares them, written by the database: a date as its ISO text."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Func


class IsoDate(Func):
    """A date column as ``YYYY-MM-DD`` text (or null), as a replayed state holds it: no date object and
    no ``isoformat()`` per value in Python. PostgreSQL writes it with ``to_char`` (whatever its
    ``DateStyle``), as it writes the events' dates. SQLite stores it so already, but its driver turns a
    bare column declared ``date`` back into a date object: a cast to text keeps it the stored text."""

    arity = 1
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM-DD')", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)", **extra)
