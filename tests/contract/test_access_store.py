"""One contract for every AccessStore: memory, SQLite and PostgreSQL behave alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from warmline.adapters.storage import migrate
from warmline.adapters.storage.access import MemoryAccessStore, SqlAccessStore
from warmline.adapters.storage.engine import make_engine
from warmline.domain.access import ApiToken, Role, User, WebSession
from warmline.ports import AccessStore

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres",
                                                         marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AccessStore]:
    if request.param == "memory":
        yield MemoryAccessStore()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'access.db'}"
        migrate.upgrade(url)
    else:
        url = request.getfixturevalue("postgres_url")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE users, api_tokens, web_sessions")
        engine.dispose()
    engine = make_engine(url)
    yield SqlAccessStore(engine)
    engine.dispose()


def _user(name: str = "ana", **kw: object) -> User:
    values: dict[str, object] = {"role": Role.AGENT, "password_hash": "scrypt$x",
                                 "agent_id": "ana", "created_at": NOW, **kw}
    return User(name=name, **values)  # type: ignore[arg-type]


def test_a_saved_user_reads_back_equal_and_saving_again_replaces_it(
        store: AccessStore) -> None:
    store.save_user(_user())
    assert store.user("ana") == _user()
    store.save_user(_user(role=Role.SUPERVISOR, password_hash="scrypt$y", agent_id=None,
                          created_at=NOW + timedelta(days=3)))
    again = store.user("ana")
    assert again is not None and again.role is Role.SUPERVISOR
    assert again.password_hash == "scrypt$y" and again.agent_id is None
    assert again.created_at == NOW  # replacing keeps when the person was created
    assert store.user("nobody") is None
    store.save_user(_user("ben", agent_id="ben"))
    assert [u.name for u in store.users()] == ["ana", "ben"]


def test_a_token_is_found_by_its_hash_until_revoked(store: AccessStore) -> None:
    token = ApiToken(id="t1", name="shop-bot", role=Role.BOT, token_hash="h" * 64,
                     created_at=NOW)
    store.add_token(token)
    assert store.token_by_hash("h" * 64) == token
    assert store.token_by_hash("g" * 64) is None
    assert store.revoke_token("t1") is True
    found = store.token_by_hash("h" * 64)
    assert found is not None and found.revoked
    assert store.revoke_token("missing") is False
    assert [t.id for t in store.tokens()] == ["t1"]


def test_two_tokens_cannot_share_a_hash(store: AccessStore) -> None:
    store.add_token(ApiToken(id="t1", name="a", role=Role.BOT, token_hash="h" * 64,
                             created_at=NOW))
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError or ValueError by backend
        store.add_token(ApiToken(id="t2", name="b", role=Role.BOT, token_hash="h" * 64,
                                 created_at=NOW))
    assert [t.id for t in store.tokens()] == ["t1"]


def test_sessions_end_one_at_a_time_or_all_of_a_person(store: AccessStore) -> None:
    later = NOW + timedelta(hours=12)
    for key, who in (("s1", "ana"), ("s2", "ana"), ("s3", "ben")):
        store.add_session(WebSession(key, who, f"csrf-{key}", later))
    assert store.session("s1") == WebSession("s1", "ana", "csrf-s1", later)
    store.end_session("s1")
    assert store.session("s1") is None
    assert store.end_sessions_of("ana") == 1
    assert store.session("s2") is None
    assert store.session("s3") is not None
