"""TEMPORARY stand-in for the sign-in layer the lead is building on main.

Matches the interface of `warmline.domain.access`, `warmline.service.access` and
`warmline.entrypoints.auth` so the console can be built and tested before it lands;
deleted once main is merged. Users and sessions live in process memory here.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fastapi import HTTPException, Request, Response

from warmline.bootstrap import Warmline
from warmline.domain.queueing import queues_for

SESSION_COOKIE = "warmline_session"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    BOT = "bot"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    agent_id: str | None = None
    via: str = "token"

    @property
    def sees_all_queues(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True)
class SignedIn:
    token: str
    csrf: str
    principal: Principal
    expires_at: datetime


_USERS: dict[str, tuple[str, Role, str | None]] = {}
_SESSIONS: dict[str, SignedIn] = {}


def _hash(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def add_user(uow_factory: Callable[[], Any], name: str, role: Role | str, password: str,
             agent_id: str | None = None) -> None:
    _USERS[name] = (_hash(password), Role(role), agent_id)


def sign_in(uow_factory: Callable[[], Any], name: str, password: str,
            now: datetime) -> SignedIn | None:
    user = _USERS.get(name)
    if user is None or user[0] != _hash(password):
        return None
    done = SignedIn(secrets.token_urlsafe(24), secrets.token_urlsafe(16),
                    Principal(name, user[1], user[2], via="session"),
                    now + timedelta(hours=12))
    _SESSIONS[done.token] = done
    return done


def sign_out(uow_factory: Callable[[], Any], token: str) -> None:
    _SESSIONS.pop(token, None)


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def set_session_cookie(response: Response, signed_in: SignedIn) -> None:
    response.set_cookie(SESSION_COOKIE, signed_in.token, httponly=True, samesite="strict")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)


def _session(request: Request) -> SignedIn | None:
    return _SESSIONS.get(request.cookies.get(SESSION_COOKIE, ""))


def console_principal(request: Request) -> Principal:
    found = _session(request)
    if found is None:
        raise SignInRequired(request.url.path)
    return found.principal


def api_principal(request: Request) -> Principal:
    found = _session(request)
    if found is None:
        raise HTTPException(401, "sign in")
    return found.principal


def require(*roles: Role) -> Callable[[Request], Principal]:
    def dependency(request: Request) -> Principal:
        principal = console_principal(request)
        if principal.role not in roles:
            raise HTTPException(403, "not allowed")
        return principal
    return dependency


def csrf_token(request: Request) -> str:
    found = _session(request)
    return found.csrf if found else ""


async def check_csrf(request: Request) -> None:
    found = _session(request)
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if found is None or not sent or not secrets.compare_digest(sent, found.csrf):
        raise HTTPException(403, "missing or wrong CSRF token")


def queues_of(wl: Warmline, principal: Principal) -> frozenset[str] | None:
    if principal.sees_all_queues:
        return None
    if principal.agent_id is None:
        return frozenset()
    with wl.uow() as uow:
        agent = uow.agents.get(principal.agent_id)
    return frozenset(queues_for(agent, wl.policy.routing)) if agent else frozenset()
