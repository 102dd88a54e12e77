"""Integration fixtures: the real app over real SQLite (and PostgreSQL where marked)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.http_client import admin_client

from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline, bootstrap, build_signals
from warmline.config import Config
from warmline.ports import Signals

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
    with admin_client(warmline_app) as c:
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
    with admin_client(wl) as c:
        yield c


# --- the demo store (Hearthwell) with Warmline's reference agent answering ----------------

@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file holding the demo store, built once; tests copy it."""
    from warmline.adapters.commerce.sql import SqlCommerceRecord
    from warmline.demo.store import build

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    record = SqlCommerceRecord(url)
    record.write(build())
    record.reader.dispose()
    record.writer.dispose()  # the last connection closing checkpoints the WAL
    return path


@functools.cache
def _signals() -> Signals:
    """One signal provider (and its model, loaded once) for every demo app of the run."""
    config = Config.from_env({})
    return build_signals(config.signals, config.kb)


def demo_app(url: str) -> Warmline:
    return bootstrap(Config.from_env({"WARMLINE_DATABASE_URL": url,
                                      "WARMLINE_AGENT": "reference"}), signals=_signals())


@pytest.fixture
def demo_client(demo_db: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The app on a fresh copy of the demo store, as `make demo` serves it."""
    import shutil

    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    with admin_client(demo_app(f"sqlite:///{db}")) as c:
        yield c


@pytest.fixture
def pg_demo_client(postgres_url: str) -> Iterator[TestClient]:
    """The same on PostgreSQL: conversations emptied, the demo store (re)loaded if gone."""
    from sqlalchemy import create_engine

    from warmline.adapters.commerce.sql import SqlCommerceRecord
    from warmline.adapters.storage.schema import COMMERCE_TABLES
    from warmline.demo.store import build

    record = SqlCommerceRecord(postgres_url)
    marks = {"cust-0300", "c-6300"}  # only the demo store has both
    stale = record.existing("customers", sorted(marks)) != marks
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations")
        if stale:  # another suite wrote its own record here: start from the demo store alone
            conn.exec_driver_sql("TRUNCATE " + ", ".join(t.name for t in COMMERCE_TABLES))
    engine.dispose()
    if stale:
        record.write(build())
    with admin_client(demo_app(postgres_url)) as c:
        yield c
