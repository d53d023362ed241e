"""The suite's test database on PostgreSQL (conftest.py's ``django_db_setup``, template_database.py)."""

from __future__ import annotations

import os

import psycopg2
import pytest
from django.db import connection

from tests import template_database

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_every_connection_to_the_test_database_commits_without_waiting_for_the_disk():
    # A new connection, as a server or worker the suite starts would open: the database's own setting.
    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("off",)
    finally:
        other.close()
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)


def test_the_test_database_is_a_copy_of_a_fully_migrated_template():
    from django.db.migrations.loader import MigrationLoader

    template = connection.settings_dict["TEST"]["TEMPLATE"]
    assert template == template_database.prefix_of(os.environ["DATABASE_URL"]) + template_database.digest()
    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=template, user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    finally:
        other.close()
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    assert on_disk - applied == set(), "the template lacks migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        assert set(cursor.fetchall()) == applied


def test_a_change_to_the_apps_code_names_another_template(tmp_path, monkeypatch):
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "pg.py").write_text("SQL = 'one'\n")
    monkeypatch.setattr(template_database, "ROOT", tmp_path)
    before = template_database.digest()
    assert template_database.digest() == before
    (tmp_path / "ledger" / "pg.py").write_text("SQL = 'two'\n")
    assert template_database.digest() != before
