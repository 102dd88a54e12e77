"""Run the packaged Alembic migrations programmatically: no alembic.ini at run time.

The migration scripts ship inside the package, so an installed wheel can migrate its
own database (`warmline` CLI, container start-up, tests) from a URL alone.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from warmline.adapters.storage.engine import make_engine
from warmline.ports import DatabaseNotReady

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """A Config pointing at the packaged scripts; `connection` is reused by env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.attributes["url"] = url  # not a main option: '%' would need escaping
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision`, in one transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(url, connection), revision)
    finally:
        engine.dispose()


def current(url: str) -> str | None:
    """The revision the database at `url` is at, or None if never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


@functools.cache
def head() -> str | None:
    """The newest revision shipped with this package (read once: `/healthz` asks often)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def parse(url: str) -> URL:
    """The URL parsed, or DatabaseNotReady saying what a database URL looks like."""
    try:
        parsed = make_url(url)
        parsed.get_dialect()  # an unknown scheme (`mysql2://`) is refused here
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise DatabaseNotReady(
            f"not a database URL: {url!r} (expected sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/DB); fix --url or WARMLINE_DATABASE_URL") from None
    return parsed


def shown(url: str) -> str:
    """A database URL fit to print: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def sqlite_file(parsed: URL) -> Path | None:
    """The file of an SQLite URL (None for in-memory databases and other backends)."""
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:") \
            or parsed.query.get("mode") == "memory":
        return None
    return Path(database)


def problem(url: str, *, migrated: bool = True, engine: Engine | None = None) -> str | None:
    """What keeps the database at `url` from being used, in one line with what to do, or
    None when it is there, reachable and (when `migrated`) at this version's schema.

    Never creates anything: a missing SQLite file is reported, not made (connecting would
    make an empty one). `engine` reuses a running app's pool instead of a new engine."""
    try:
        parsed = parse(url)
    except DatabaseNotReady as exc:
        return str(exc)
    where = shown(url)
    file = sqlite_file(parsed)
    if file is not None and not file.is_file():
        return (f"no database at {file}: create it with `warmline db upgrade --url {where}`, "
                "or point --url / WARMLINE_DATABASE_URL at yours")
    own = engine is None
    engine = engine or make_engine(url)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return (f"cannot open the database {where}: {cause[0] if cause else type(exc).__name__}"
                " (check WARMLINE_DATABASE_URL or --url, and that the database is running)")
    finally:
        if own:
            engine.dispose()
    return _schema_problem(where, revision) if migrated else None


def _schema_problem(where: str, revision: str | None) -> str | None:
    needed = head()
    if revision == needed:
        return None
    if revision is None:
        return (f"the database {where} is not migrated (no Warmline schema): run "
                f"`warmline db upgrade --url {where}`")
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        return (f"the database {where} is at schema revision {revision}, which this version "
                f"of Warmline does not know (it needs {needed}): upgrade Warmline")
    return (f"the database {where} is at schema revision {revision}; this version needs "
            f"{needed}: run `warmline db upgrade --url {where}`")


def check(url: str, *, migrated: bool = True) -> None:
    """Raise DatabaseNotReady unless the database at `url` can be used (see `problem`)."""
    found = problem(url, migrated=migrated)
    if found is not None:
        raise DatabaseNotReady(found)


__all__ = ["MIGRATIONS", "DatabaseNotReady", "alembic_config", "check", "current", "head",
           "problem", "shown", "upgrade"]
