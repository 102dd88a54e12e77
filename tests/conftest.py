"""Fixtures every test layer shares: a throwaway, migrated PostgreSQL schema.

PostgreSQL is part of the suite, never skipped: `make test` starts it when it is down,
and an unreachable server fails the run with a clear message.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from warmline.adapters.storage import migrate
from warmline.adapters.storage.engine import make_engine

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_base_url() -> str:
    url = make_url(os.environ.get("WARMLINE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    if "connect_timeout" not in url.query:  # an unreachable host must not hang the run
        url = url.update_query_dict({"connect_timeout": "5"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh schema (via search_path), migrated to head, dropped afterwards."""
    base = postgres_base_url()
    schema = f"warmline_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except OperationalError as exc:
        admin.dispose()
        shown = make_url(base).render_as_string(hide_password=True)
        pytest.fail(f"PostgreSQL is unreachable at {shown}: {exc.orig}\n"
                    "Start it, or point WARMLINE_TEST_POSTGRES_URL at one.", pytrace=False)
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    migrate.upgrade(rendered)
    try:
        yield rendered
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
