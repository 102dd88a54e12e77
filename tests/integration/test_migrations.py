"""The packaged migrations build exactly schema.py, on SQLite and PostgreSQL, idempotently.

PostgreSQL runs in a throwaway schema of the WARMLINE_TEST_POSTGRES_URL database; an
unreachable server fails these tests rather than skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from warmline.adapters.storage import migrate
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.schema import metadata

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (SQLite file, or a new PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    base = make_url(os.environ.get("WARMLINE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    if "connect_timeout" not in base.query:
        base = base.update_query_dict({"connect_timeout": "5"})
    schema = f"warmline_migrate_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base.render_as_string(hide_password=False))
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL is unreachable at {base.render_as_string()}: {exc.orig}\n"
                    "Start it, or point WARMLINE_TEST_POSTGRES_URL at one.", pytrace=False)
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}) \
            .render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def describe(url: str) -> dict[str, Any]:
    """Tables, columns, keys and indexes as the database reports them."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {
                table: {
                    "columns": [(c["name"], c["nullable"]) for c in found.get_columns(table)],
                    "pk": found.get_pk_constraint(table)["constrained_columns"],
                    "fks": sorted((fk["name"], tuple(fk["constrained_columns"]),
                                   fk["referred_table"], tuple(fk["referred_columns"]))
                                  for fk in found.get_foreign_keys(table)),
                    "indexes": sorted((ix["name"], tuple(ix["column_names"]))
                                      for ix in found.get_indexes(table)),
                }
                for table in found.get_table_names() if table != "alembic_version"
            }
    finally:
        engine.dispose()


def expected() -> dict[str, Any]:
    return {
        table.name: {
            "columns": [(c.name, c.nullable) for c in table.columns],
            "pk": [c.name for c in table.primary_key.columns],
            "fks": sorted((fk.name, tuple(c.name for c in fk.columns),
                           fk.referred_table.name, tuple(e.column.name for e in fk.elements))
                          for fk in table.foreign_key_constraints),
            "indexes": sorted((ix.name, tuple(c.name for c in ix.columns))
                              for ix in table.indexes),
        }
        for table in metadata.sorted_tables
    }


def test_upgrade_on_a_fresh_database_creates_exactly_the_schema(fresh_url: str) -> None:
    assert migrate.current(fresh_url) is None
    migrate.upgrade(fresh_url)
    assert describe(fresh_url) == expected()

    engine = make_engine(fresh_url)
    try:
        with engine.connect() as conn:  # types and server defaults too, as Alembic sees them
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_current_reports_the_head_revision_after_upgrade(fresh_url: str) -> None:
    head = migrate.head()
    assert head == "0006"
    migrate.upgrade(fresh_url)
    assert migrate.current(fresh_url) == head


def test_running_upgrade_twice_is_a_no_op(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    before = describe(fresh_url)
    migrate.upgrade(fresh_url)
    assert describe(fresh_url) == before == expected()
    assert migrate.current(fresh_url) == migrate.head()
