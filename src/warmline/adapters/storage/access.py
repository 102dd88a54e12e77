"""Two twins of the `AccessStore` port: SQL (tables of migration 0005, shared by every
`warmline serve` process) and memory (domain tests, a server without a database)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from warmline.adapters.storage.schema import api_tokens, users, web_sessions
from warmline.domain.access import ApiToken, Role, User, WebSession


class MemoryAccessStore:
    def __init__(self) -> None:
        self._users: dict[str, User] = {}
        self._tokens: dict[str, ApiToken] = {}
        self._sessions: dict[str, WebSession] = {}
        self._lock = threading.Lock()

    def user(self, name: str) -> User | None:
        return self._users.get(name)

    def users(self) -> list[User]:
        return sorted(self._users.values(), key=lambda u: u.name)

    def save_user(self, user: User) -> None:
        with self._lock:
            known = self._users.get(user.name)  # replacing keeps when they were created
            self._users[user.name] = user if known is None else replace(
                user, created_at=known.created_at)

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return next((t for t in self._tokens.values() if t.token_hash == token_hash), None)

    def tokens(self) -> list[ApiToken]:
        return sorted(self._tokens.values(), key=lambda t: (t.name, t.id))

    def add_token(self, token: ApiToken) -> None:
        with self._lock:
            if any(t.token_hash == token.token_hash for t in self._tokens.values()):
                raise ValueError("token hash already stored")
            self._tokens[token.id] = token

    def revoke_token(self, token_id: str) -> bool:
        with self._lock:
            found = self._tokens.get(token_id)
            if found is not None:
                self._tokens[token_id] = replace(found, revoked=True)
            return found is not None

    def session(self, token_hash: str) -> WebSession | None:
        return self._sessions.get(token_hash)

    def add_session(self, session: WebSession) -> None:
        with self._lock:
            self._sessions[session.token_hash] = session

    def end_session(self, token_hash: str) -> None:
        with self._lock:
            self._sessions.pop(token_hash, None)

    def end_sessions_of(self, user_name: str) -> int:
        with self._lock:
            gone = [k for k, s in self._sessions.items() if s.user_name == user_name]
            for k in gone:
                del self._sessions[k]
            return len(gone)


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite hands back naive UTC
        return value.replace(tzinfo=UTC)
    return value


def _user(m: Any) -> User:
    return User(name=m["name"], role=Role(m["role"]), password_hash=m["password_hash"],
                agent_id=m["agent_id"], created_at=_utc(m["created_at"]),
                disabled=bool(m["disabled"]))


def _token(m: Any) -> ApiToken:
    return ApiToken(id=m["id"], name=m["name"], role=Role(m["role"]),
                    token_hash=m["token_hash"], agent_id=m["agent_id"],
                    created_at=_utc(m["created_at"]), revoked=bool(m["revoked"]))


class SqlAccessStore:
    """Each call is one short transaction on the shared engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def user(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        return None if row is None else _user(row._mapping)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.name)).all()
        return [_user(r._mapping) for r in rows]

    def save_user(self, user: User) -> None:
        values = {"role": user.role.value, "password_hash": user.password_hash,
                  "agent_id": user.agent_id, "disabled": user.disabled}
        with self.engine.begin() as conn:
            done = conn.execute(update(users).where(users.c.name == user.name).values(values))
            if done.rowcount == 0:
                conn.execute(insert(users).values(
                    name=user.name, created_at=user.created_at or datetime.now(UTC), **values))

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(api_tokens).where(
                api_tokens.c.token_hash == token_hash)).first()
        return None if row is None else _token(row._mapping)

    def tokens(self) -> list[ApiToken]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_tokens).order_by(api_tokens.c.name,
                                                            api_tokens.c.id)).all()
        return [_token(r._mapping) for r in rows]

    def add_token(self, token: ApiToken) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(api_tokens).values(
                id=token.id, name=token.name, role=token.role.value,
                token_hash=token.token_hash, agent_id=token.agent_id, revoked=token.revoked,
                created_at=token.created_at or datetime.now(UTC)))

    def revoke_token(self, token_id: str) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(api_tokens).where(api_tokens.c.id == token_id)
                                .values(revoked=True))
        return done.rowcount > 0

    def session(self, token_hash: str) -> WebSession | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(web_sessions).where(
                web_sessions.c.token_hash == token_hash)).first()
        if row is None:
            return None
        m = row._mapping
        expires = _utc(m["expires_at"])
        assert expires is not None
        return WebSession(m["token_hash"], m["user_name"], m["csrf"], expires)

    def add_session(self, session: WebSession) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(web_sessions).values(
                token_hash=session.token_hash, user_name=session.user_name,
                csrf=session.csrf, expires_at=session.expires_at))

    def end_session(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))

    def end_sessions_of(self, user_name: str) -> int:
        with self.engine.begin() as conn:
            done = conn.execute(delete(web_sessions).where(
                web_sessions.c.user_name == user_name))
        return int(done.rowcount)
