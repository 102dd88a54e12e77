"""Authentication and authorisation for every HTTP route (docs/security.md).

A request is authenticated by `Authorization: Bearer <token>` (machines, or people using
the API) or by the console's session cookie (people in a browser; state-changing
requests then also need the session's CSRF token). Each route declares who may call it
with `allow(...)`; a test walks every route of the app and fails on one without it. An
agent is further held to its own queues: routes naming a conversation, handoff, queue or
person check the path against what the agent may see.
"""

from __future__ import annotations

import hmac
import html
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import Depends, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyCookie, HTTPBearer

from warmline.bootstrap import Warmline
from warmline.domain.access import PEOPLE, Principal, Role, holding, may_see
from warmline.domain.routing.queueing import queues_for
from warmline.ports import AccessStore
from warmline.service import access
from warmline.service.access import SignedIn

SESSION_COOKIE = "warmline_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_INS_PER_MINUTE = 10  # per name and per address: guessing passwords stays slow


class AuthError(Exception):
    """Turned into the API's error shape (JSON) or, under /console, a page."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class SignInRequired(AuthError):
    def __init__(self, next_path: str = "/console") -> None:
        super().__init__(401, "unauthenticated", "sign in first")
        self.next_path = next_path


class RateLimited(AuthError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(429, "rate_limited", f"too many requests; retry in "
                         f"{math.ceil(retry_after)} s")
        self.retry_after = retry_after


@dataclass
class RateLimiter:
    """Token buckets per key: `per_minute` requests a minute, bursts up to that many.

    In-process: each `warmline serve` worker keeps its own buckets (docs/security.md);
    the reverse proxy is the place for a global limit."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str) -> None:
        if self.per_minute <= 0:
            return
        rate, now = self.per_minute / 60.0, self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimited((1.0 - tokens) / rate)
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:  # forget idle senders rather than grow forever
                self._buckets.clear()


@dataclass
class Access:
    """What the auth dependencies need, kept on `app.state.access`."""

    wl: Warmline
    store: AccessStore
    per_token: RateLimiter
    per_sender: RateLimiter
    sign_ins: RateLimiter = field(default_factory=lambda: RateLimiter(SIGN_INS_PER_MINUTE))

    @classmethod
    def for_app(cls, wl: Warmline) -> Access:
        assert wl.access is not None, "bootstrap wires an access store"
        return cls(wl, wl.access, RateLimiter(wl.config.rate_limit_per_token),
                   RateLimiter(wl.config.rate_limit_per_sender))

    def now(self) -> datetime:
        return self.wl.bus.deps.clock.now()


def _access(request: Request) -> Access:
    found: Access = request.app.state.access
    return found


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _authenticate(request: Request) -> Principal | None:
    """Bearer token first, then the session cookie; caches the answer on the request."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    acc = _access(request)
    principal: Principal | None = None
    csrf: str | None = None
    secret = _bearer(request)
    if secret is not None:
        principal = access.token_principal(acc.store, secret, acc.wl.config.admin_token)
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        found = access.session_principal(acc.store, cookie, acc.now())
        if found is not None:
            principal, csrf = found
    request.state.principal, request.state.csrf = principal, csrf
    return principal


def _check_session_csrf(request: Request, principal: Principal, form_value: str = "") -> None:
    if principal.via != "session" or request.method in SAFE_METHODS:
        return
    expected: str | None = getattr(request.state, "csrf", None)
    given = request.headers.get("x-csrf-token") or form_value
    if not expected or not given or not hmac.compare_digest(given, expected):
        raise AuthError(403, "csrf", "missing or wrong CSRF token (reload the page)")


def api_principal(request: Request) -> Principal:
    """Who is calling (401 otherwise); sessions must show their CSRF token to change
    anything; every caller is held to WARMLINE_RATE_LIMIT_PER_TOKEN."""
    principal = _authenticate(request)
    if principal is None:
        raise AuthError(401, "unauthenticated", "send `Authorization: Bearer <token>` "
                        "(warmline tokens create) or sign in at /console/sign-in")
    _check_session_csrf(request, principal)
    _access(request).per_token.take(f"{principal.via}:{principal.subject}")
    return principal


def console_principal(request: Request) -> Principal:
    """A signed-in person for a console page; otherwise a redirect to the sign-in page."""
    principal = _authenticate(request)
    if principal is None or principal.via != "session":
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    _access(request).per_token.take(f"session:{principal.subject}")
    return principal


def csrf_token(request: Request) -> str:
    """The signed-in session's CSRF token, for forms (`csrf`) and htmx headers."""
    _authenticate(request)
    return str(getattr(request.state, "csrf", "") or "")


async def check_csrf(request: Request) -> None:
    """For console POSTs: the form field `csrf` or the `X-CSRF-Token` header."""
    principal = _authenticate(request)
    if principal is None:
        raise SignInRequired(request.url.path)
    form_value = ""
    if "x-csrf-token" not in request.headers:
        form = await request.form()
        value = form.get("csrf")
        form_value = value if isinstance(value, str) else ""
    _check_session_csrf(request, principal, form_value)


def queues_of(wl: Warmline, principal: Principal) -> frozenset[str] | None:
    """The queues a principal may see; None means all of them."""
    if principal.sees_all_queues or principal.role is Role.BOT:
        return None
    if principal.role is not Role.AGENT or principal.agent_id is None:
        return frozenset()
    with wl.uow() as uow:
        agent = uow.agents.get(principal.agent_id)
    return frozenset(queues_for(agent, wl.policy.routing)) if agent else frozenset()


def may_open_conversation(wl: Warmline, principal: Principal, conversation_id: str) -> bool:
    if principal.sees_all_queues or principal.role is Role.BOT:
        return True
    with wl.uow() as uow:
        events = uow.conversations.load(conversation_id)
    return may_see(principal, holding(events), queues_of(wl, principal) or ())


def _may_open_handoff(wl: Warmline, principal: Principal, handoff_id: str) -> bool:
    if principal.sees_all_queues or principal.role is Role.BOT:
        return True
    with wl.uow() as uow:
        h = uow.handoffs.get(handoff_id)
    if h is None:
        return True  # the route answers 404 itself; nothing is revealed
    return may_open_conversation(wl, principal, h.conversation_id)


def _scope_allows(wl: Warmline, principal: Principal, scope: str | None,
                  params: dict[str, Any]) -> bool:
    if scope is None or principal.sees_all_queues:
        return True
    if scope == "conversation":
        return may_open_conversation(wl, principal, str(params["conversation_id"]))
    if scope == "handoff":
        return _may_open_handoff(wl, principal, str(params["handoff_id"]))
    if scope == "queue":
        mine = queues_of(wl, principal)
        return mine is None or str(params["queue"]) in mine
    if scope == "self":  # a person acting as themself: their own presence, their claims
        return principal.role is Role.AGENT and params["agent_id"] == principal.agent_id
    raise AssertionError(f"unknown scope {scope!r}")


#: How the OpenAPI schema names the two ways in (`securitySchemes`). They take part in no
#: check (`api_principal` reads the header and the cookie itself); `allow` declares them so
#: each operation's `security` lists, per scheme, the roles that may call it (OpenAPI 3.1
#: allows role names there for schemes other than OAuth).
BEARER = HTTPBearer(scheme_name="bearer", auto_error=False, description=(
    "An API token: `warmline tokens create NAME --role ROLE` (its secret is shown once), or "
    "WARMLINE_ADMIN_TOKEN. The operation's list names the roles that may call it."))
SESSION = APIKeyCookie(name=SESSION_COOKIE, scheme_name="session", auto_error=False,
                       description=(
    "A console sign-in (people: agent, supervisor, admin); calls that change anything also "
    "send the session's CSRF token as `X-CSRF-Token`. The operation's list names the roles "
    "that may call it."))


def allow(*roles: Role, scope: str | None = None) -> Any:
    """The dependency a route declares: which roles may call it and, for agents, which
    path parameter ties the call to their queues (`conversation`, `handoff`, `queue`,
    `self`). Staff pass every scope; a role not listed gets 403. The schema shows the
    roles under `security` (a session only for the people among them)."""
    allowed = frozenset(roles)
    names = sorted(r.value for r in allowed)
    people = sorted(r.value for r in allowed if r in PEOPLE)

    def authorise(request: Request, principal: Principal) -> Principal:
        if principal.role not in allowed:
            raise AuthError(403, "forbidden", f"a {principal.role.value} may not "
                            f"{request.method} {request.url.path}")
        if not _scope_allows(_access(request).wl, principal, scope, request.path_params):
            raise AuthError(403, "forbidden", "not one of your queues")
        return principal

    def token_or_session(request: Request, principal: Principal = Depends(api_principal),
                         _token: Any = Security(BEARER, scopes=names),
                         _session: Any = Security(SESSION, scopes=people)) -> Principal:
        return authorise(request, principal)

    def token_only(request: Request, principal: Principal = Depends(api_principal),
                   _token: Any = Security(BEARER, scopes=names)) -> Principal:
        return authorise(request, principal)

    check = token_or_session if people else token_only
    check.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the matrix test
    check.scope = scope  # type: ignore[attr-defined]
    return Depends(check)


def public(reason: str) -> Any:
    """Marks a route open to anyone, with the reason (webhooks check signatures, the web
    chat holds a per-session capability, health checks are for load balancers)."""

    def open_route() -> None:
        return None

    open_route.public_reason = reason  # type: ignore[attr-defined]
    return Depends(open_route)


def limit_sender(request: Request, key: str) -> None:
    """WARMLINE_RATE_LIMIT_PER_SENDER for customer messages from one sender (a router
    mounted outside `create_app`, as some tests do, has no limiter)."""
    acc: Access | None = getattr(request.app.state, "access", None)
    if acc is not None:
        acc.per_sender.take(key)


def limit_sign_ins(request: Request, name: str) -> None:
    """At most SIGN_INS_PER_MINUTE attempts per name and per client address (429)."""
    acc = _access(request)
    acc.sign_ins.take(f"name:{name.lower()}")
    acc.sign_ins.take(f"ip:{request.client.host if request.client else '-'}")


def set_session_cookie(response: Response, signed_in: SignedIn, secure: bool = False,
                       now: datetime | None = None) -> None:
    """`now`: the clock the session's expiry was computed by (the app's), so a fixed or
    skewed clock does not hand the browser an already-expired cookie."""
    now = now or datetime.now(signed_in.expires_at.tzinfo)
    max_age = max(0, int((signed_in.expires_at - now).total_seconds()))
    response.set_cookie(SESSION_COOKIE, signed_in.token, max_age=max_age, httponly=True,
                        samesite="strict", secure=secure, path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def error_response(request: Request, exc: AuthError) -> Response:
    """JSON for the API; under /console a redirect to sign in, or a short page."""
    if request.url.path.startswith("/console"):
        from fastapi.responses import HTMLResponse, RedirectResponse

        if isinstance(exc, SignInRequired):
            from urllib.parse import quote

            return RedirectResponse(f"/console/sign-in?next={quote(exc.next_path)}", 303)
        return HTMLResponse(f"<!doctype html><title>{exc.status}</title><main><h1>"
                            f"{exc.status}</h1><p>{html.escape(exc.message)}</p><p>"
                            "<a href='/console'>Back to the console</a></p></main>",
                            exc.status)
    response = JSONResponse({"error": exc.error, "message": exc.message, "fields": []},
                            exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(math.ceil(exc.retry_after))
    return response
