"""Integration fixtures: the real app over real SQLite (and PostgreSQL where marked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.entrypoints.api import create_app

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'warmline.db'}"
    upgrade(url)
    return url


@pytest.fixture
def warmline_app(sqlite_url: str) -> Warmline:
    config = Config.from_env({"WARMLINE_DATABASE_URL": sqlite_url})
    return bootstrap(config, record=StaticCommerceRecord.from_file(SCENARIOS / "record.json"))


@pytest.fixture
def client(warmline_app: Warmline) -> Iterator[TestClient]:
    with TestClient(create_app(warmline_app)) as c:
        yield c


@pytest.fixture
def pg_client(postgres_url: str) -> Iterator[TestClient]:
    """The real app on the session's PostgreSQL schema, emptied before each test."""
    from sqlalchemy import create_engine

    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations")
    engine.dispose()
    config = Config.from_env({"WARMLINE_DATABASE_URL": postgres_url})
    wl = bootstrap(config, record=StaticCommerceRecord.from_file(SCENARIOS / "record.json"))
    with TestClient(create_app(wl)) as c:
        yield c
