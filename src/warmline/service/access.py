"""Sign-in, sessions and API tokens: the only writer of the access store.

Passwords are hashed with scrypt (standard library; N=2^14, r=8, p=1, 16-byte salt),
API tokens and session cookies are random 256-bit secrets of which only the SHA-256 is
stored, so a copy of the database lets nobody in. The one secret kept outside the
database is WARMLINE_ADMIN_TOKEN (environment or file), the way in before any user
exists.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from warmline.domain.access import ApiToken, Principal, Role, User, WebSession
from warmline.ports import AccessStore

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 10
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
TOKEN_PREFIX = "wl_"


class AccessError(ValueError):
    """A refused access change; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SignedIn:
    """A new browser session: the cookie value (shown once) and its CSRF token."""

    token: str
    csrf: str
    principal: Principal
    expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    """A new API token: the secret is only ever shown here."""

    token: ApiToken
    secret: str


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_name(name: str) -> None:
    if not NAME.match(name):
        raise AccessError("name", "1-64 letters, digits or . _ @ - (starting with a letter "
                          "or digit)")


def add_user(store: AccessStore, name: str, role: Role | str, password: str,
             agent_id: str | None = None) -> User:
    """Create or replace a person; replacing ends their sessions (a password change)."""
    _check_name(name)
    try:
        role = Role(role)
    except ValueError:
        raise AccessError("role", f"unknown role {role!r} (known: agent, supervisor, "
                          "admin)") from None
    if role not in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
        raise AccessError("role", f"{role.value!r} is a machine role: issue an API token")
    if role is Role.AGENT and not agent_id:
        raise AccessError("agent_id", "an agent signs in as one of the routing's people: "
                          "give the agent id")
    if len(password) < MIN_PASSWORD:
        raise AccessError("password", f"at least {MIN_PASSWORD} characters")
    user = User(name=name, role=role, password_hash=hash_password(password),
                agent_id=agent_id or None, created_at=datetime.now(UTC))
    if store.user(name) is not None:
        store.end_sessions_of(name)
    store.save_user(user)
    return user


def disable_user(store: AccessStore, name: str) -> int:
    """Stop a person signing in and end their sessions; how many sessions ended."""
    user = store.user(name)
    if user is None:
        raise AccessError("name", f"no user {name!r}")
    store.save_user(replace(user, disabled=True))
    return store.end_sessions_of(name)


def sign_in(store: AccessStore, name: str, password: str, now: datetime,
            hours: float = 12.0) -> SignedIn | None:
    """A new session for the right password; None otherwise (same answer for an unknown
    name, a wrong password or a disabled user, and the same scrypt cost)."""
    user = store.user(name)
    stored = user.password_hash if user is not None else _dummy_hash()
    if not verify_password(password, stored) or user is None or user.disabled:
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = now + timedelta(hours=hours)
    store.add_session(WebSession(_sha256(token), user.name, csrf, expires))
    return SignedIn(token, csrf, Principal(user.name, user.role, user.agent_id, "session"),
                    expires)


def sign_out(store: AccessStore, token: str) -> None:
    store.end_session(_sha256(token))


def session_principal(store: AccessStore, token: str,
                      now: datetime) -> tuple[Principal, str] | None:
    """The person behind a session cookie and the session's CSRF token, if still valid."""
    session = store.session(_sha256(token))
    if session is None or session.expires_at <= now:
        return None
    user = store.user(session.user_name)
    if user is None or user.disabled:
        return None
    return Principal(user.name, user.role, user.agent_id, "session"), session.csrf


def issue_token(store: AccessStore, name: str, role: Role | str,
                agent_id: str | None = None) -> IssuedToken:
    _check_name(name)
    try:
        role = Role(role)
    except ValueError:
        raise AccessError("role", f"unknown role {role!r} (known: "
                          f"{', '.join(r.value for r in Role)})") from None
    if role is Role.AGENT and not agent_id:
        raise AccessError("agent_id", "an agent token acts as one of the routing's people: "
                          "give the agent id")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(id=secrets.token_hex(8), name=name, role=role,
                     token_hash=_sha256(secret), agent_id=agent_id or None,
                     created_at=datetime.now(UTC))
    store.add_token(token)
    return IssuedToken(token, secret)


def token_principal(store: AccessStore, secret: str,
                    admin_token: str = "") -> Principal | None:
    """The machine (or person) behind a bearer token; the environment's admin token first."""
    if admin_token and hmac.compare_digest(secret.encode(), admin_token.encode()):
        return Principal("admin-token", Role.ADMIN)
    found = store.token_by_hash(_sha256(secret))
    if found is None or found.revoked:
        return None
    return Principal(found.name, found.role, found.agent_id, "token")


@functools.cache
def _dummy_hash() -> str:
    """Checked against for an unknown name, so its answer takes as long as a real one."""
    return hash_password("not a password", salt=b"\0" * 16)
