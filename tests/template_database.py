"""One migrated PostgreSQL database that every test database of a run is copied from.

pytest-django gives each xdist worker a test database of its own and migrates it: about 250 migrations,
4 s of CPU in the worker and more in PostgreSQL, once per worker and pass. Instead, the first worker to
get here migrates a template database once (``manage.py migrate``, as ``make migrate`` runs it) and every
worker's test database is made from it with ``CREATE DATABASE ... TEMPLATE`` (Django's ``TEST
["TEMPLATE"]``, under a second); Django's migrate then finds nothing left to apply.

The template is named after the configured database and a digest of what migrating depends on: every
Python file of the project's apps (their migrations, and the code those import), Django's version and
this Python's. The same code finds its template again (the second CI pass, 400 days ahead, takes the
first's); changed code gets a new one and the old ones of this database are dropped. Workers wait for the
builder on a PostgreSQL advisory lock; the template is migrated under a scratch name and renamed when
complete, so one cut short is never used.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import django
import psycopg2

ROOT = Path(__file__).resolve().parent.parent
APPS = ("orderctl", "ledger", "agencies", "directives")
LOCK = 0x6F726465  # the advisory lock the builders share ("orde")


def digest() -> str:
    """Return a digest of what a migrated database depends on (see the module doc)."""
    sha = hashlib.sha256(f"{django.__version__} {sys.version}".encode())
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            sha.update(b"\0" + str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:12]


def prefix_of(database_url: str) -> str:
    """Return the start of the names of ``database_url``'s templates (the digest follows)."""
    return f"test_{urllib.parse.urlsplit(database_url).path.strip('/')}_template_"


def template_for(database_url: str) -> str:
    """Return the name of a migrated template for ``database_url``'s test databases, made if missing."""
    prefix = prefix_of(database_url)
    name = prefix + digest()
    admin = psycopg2.connect(database_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                _build(cursor, database_url, name)
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                    [prefix.replace("_", r"\_") + "%", name],
                )
                for (old,) in cursor.fetchall():
                    cursor.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
    finally:
        admin.close()
    return name


def _build(cursor, database_url: str, name: str) -> None:
    scratch = f"{name}_building"
    cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    cursor.execute(f'CREATE DATABASE "{scratch}"')
    cursor.execute(f'ALTER DATABASE "{scratch}" SET synchronous_commit = off')
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(database_url)._replace(path=f"/{scratch}"))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        timeout=600,
    )
    cursor.execute(f'ALTER DATABASE "{scratch}" RENAME TO "{name}"')
