"""The engine every storage adapter shares, and the few rules that make SQLite and
PostgreSQL behave alike: aware UTC times, eager write locks on SQLite, lost races as
ConcurrencyError.

On PostgreSQL (READ COMMITTED) a racing writer blocks on the row lock, then matches 0 rows
and gets ConcurrencyError. On SQLite every unit of work starts with BEGIN IMMEDIATE, so
writers queue on the database lock (up to busy_timeout) instead of failing on a
read-to-write lock upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from warmline.ports import ConcurrencyError

SQLITE_BUSY_TIMEOUT_MS = 5000
# PostgreSQL serialization failure / deadlock: the other writer won, so retrying is right.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def make_engine(url: str) -> Engine:
    """An engine whose transactions behave the same way for every unit of work."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, not psycopg2
    return create_engine(parsed, pool_pre_ping=True)


def sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Take BEGIN away from the sqlite3 driver (it skips it for SELECT and DDL);
    # `_sqlite_on_begin` emits our own, per SQLAlchemy's pysqlite transaction recipe.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that read first
    # would get SQLITE_BUSY on its first write without the busy handler waiting.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def utc(moment: datetime) -> datetime:
    """Aware UTC for storage; naive datetimes are ambiguous, so they are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: events need timezone-aware times")
    return moment.astimezone(UTC)


def from_db(moment: datetime) -> datetime:
    # SQLite keeps no offset; we only ever store UTC, so a naive value read back is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_retryable(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


@contextmanager
def conflicts_as_concurrency_error(conn: Connection, what: str) -> Iterator[None]:
    """Run in a savepoint so a lost race leaves the transaction usable and unchanged."""
    try:
        with conn.begin_nested():
            yield
    except IntegrityError as exc:
        raise ConcurrencyError(what) from exc
    except DBAPIError as exc:
        if is_retryable(exc):
            raise ConcurrencyError(what) from exc
        raise
