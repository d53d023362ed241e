"""The ``order`` fixture writes the rows of the session's one load again: they must be a load's rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import ForeignKey, Model

from tests.conftest import LoadedRows, load_the_order


def _as_written(tables: list[type[Model]]) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of ``tables`` with each key (own or foreign) replaced by its row's rank.

    Two loads number their rows differently (the sequences move on); their content must match.
    """
    rank = {
        model: {pk: i for i, pk in enumerate(model._base_manager.order_by("pk").values_list("pk", flat=True))}
        for model in tables
    }
    written = {}
    for model in tables:
        fields = model._meta.concrete_fields
        rows = []
        for row in model._base_manager.order_by("pk").values_list(*(f.attname for f in fields)):
            values = []
            for field, value in zip(fields, row, strict=True):
                if field.primary_key:
                    value = rank[model][value]
                elif isinstance(field, ForeignKey) and value is not None and field.related_model in rank:
                    value = ("key", rank[field.related_model][value])
                values.append(value)
            rows.append(tuple(values))
        written[model._meta.db_table] = rows
    return written


def test_the_fixtures_rows_are_the_rows_a_fresh_load_writes(db, _loaded_order: LoadedRows) -> None:
    tables = [model for model, _, _ in _loaded_order.tables]
    with transaction.atomic():
        _loaded_order.restore()
        restored = _as_written(tables)
        transaction.set_rollback(True)
    with transaction.atomic():
        load_the_order()
        loaded = _as_written(tables)
        transaction.set_rollback(True)
    assert {"directives_order", "directives_directive", "directives_directiveevent"} <= set(loaded)
    assert restored == loaded


def test_a_test_that_does_not_ask_for_the_order_starts_without_it(db) -> None:
    from directives.models import Directive, Order

    assert not Order.objects.exists()
    assert not Directive.objects.exists()


def test_a_key_made_after_the_fixture_follows_its_rows(order) -> None:
    from directives.models import Order

    made = Order.objects.create(number=99999, title="Another", signed_on=order.signed_on)
    assert made.pk > order.pk


@pytest.mark.postgres
def test_a_key_made_after_a_sequence_reset_follows_the_restored_rows(db, _loaded_order: LoadedRows) -> None:
    """A test may reset the sequences (a transactional test's flush can): the restore moves them past."""
    from agencies.models import Agency
    from directives.models import Order

    with connection.cursor() as cursor:
        for table in ("directives_order", "agencies_agency"):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), 1, false)", [table])
    order = _loaded_order.restore()

    made = Order.objects.create(number=99999, title="Another", signed_on=order.signed_on)
    assert made.pk > order.pk
    agency = Agency.objects.create(abbreviation="NEW", name="A new agency")
    assert agency.pk > Agency.objects.exclude(pk=agency.pk).order_by("-pk").first().pk
