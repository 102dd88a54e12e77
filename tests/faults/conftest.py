"""Fault-test fixtures: a database per test, SQLite file or the session's PostgreSQL
schema (emptied first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.migrate import upgrade

TABLES = "events, inbound_messages, conversations, outbox, handoffs, agents"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'faults.db'}"
        upgrade(url)
        return url
    url: str = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {TABLES}")
    engine.dispose()
    return url
