"""The agent console's pages: sign-in, the queue view, the supervisor view, live updates.

Server-rendered (Jinja2) with htmx for the parts that refresh in place; no front-end
build. Every page depends on `console_principal` (no session: a 303 to the sign-in
page), every POST also on `check_csrf`. Writes go through the message bus like every
other entrypoint: handlers are the only writers. Live updates are Server-Sent Events
fed by the `Notifier` port (LISTEN/NOTIFY on PostgreSQL, in-process on SQLite) through
one subscription per process (live.py); the page re-fetches the fragment a notice
concerns, so what it shows always comes from the database, never from the notice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from warmline.bootstrap import Warmline
from warmline.domain import commands as cmd
from warmline.domain import errors as err
from warmline.domain.access import Principal
from warmline.domain.formats import money
from warmline.entrypoints.console import conversation_routes
from warmline.entrypoints.console.live import LiveHub, stream
from warmline.entrypoints.console.queues import CardCache, board
from warmline.entrypoints.console.supervisor import TodayCache, overview
from warmline.entrypoints.http import auth
from warmline.service import access

HERE = Path(__file__).parent
Who = Annotated[Principal, Depends(auth.console_principal)]


def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=HERE / "templates")
    t.env.globals["csrf_token"] = auth.csrf_token
    t.env.filters["money"] = lambda amount, currency=None: money(float(amount or 0), currency)
    return t


def safe_next(target: str | None) -> str:
    """Only a console path may be a redirect target (no open redirect)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console"


def see(path: str, notice: str = "") -> RedirectResponse:
    """303 to `path` after a POST, with a short notice for the status line."""
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}notice={quote(notice)}" if notice else path, 303)


def install(app: FastAPI, wl: Warmline) -> None:
    """Mount the console on `app`: its pages and its static files. (No session: the
    app's AuthError handler turns `SignInRequired` into the 303 to the sign-in page.)"""
    app.mount("/console/static", StaticFiles(directory=HERE / "static"),
              name="console-static")
    tpl = templates()
    app.include_router(router(wl, tpl))
    app.include_router(conversation_routes.router(wl, tpl))


def router(wl: Warmline, tpl: Jinja2Templates) -> APIRouter:
    hub = LiveHub(wl.notifier)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            hub.stop()

    api = APIRouter(prefix="/console", include_in_schema=False, lifespan=lifespan)
    cache = CardCache()
    today = TodayCache()

    def now() -> Any:
        return wl.bus.deps.clock.now()

    def page(request: Request, template: str, who: Principal | None,
             status: int = 200, **context: Any) -> HTMLResponse:
        return tpl.TemplateResponse(request, template, {
            "who": who, "notice": request.query_params.get("notice", ""),
            "policy": wl.policy, **context}, status_code=status)

    def agent_of(who: Principal) -> Any:
        if who.agent_id is None:
            return None
        with wl.uow() as uow:
            return uow.agents.get(who.agent_id)

    # --- signing in ---------------------------------------------------------------------

    @api.get("/sign-in", response_class=HTMLResponse)
    def sign_in_page(request: Request, next: str = "/console") -> HTMLResponse:
        return page(request, "sign_in.html", None, next=safe_next(next), error="")

    @api.post("/sign-in", response_model=None)
    def sign_in(request: Request, name: Annotated[str, Form()] = "",
                password: Annotated[str, Form()] = "",
                next: Annotated[str, Form()] = "/console") -> Response:
        assert wl.access is not None, "bootstrap wires an access store"
        auth.limit_sign_ins(request, name.strip())
        done = access.sign_in(wl.access, name.strip(), password, now(),  # the app's clock
                              hours=wl.config.session_hours)
        if done is None:
            return page(request, "sign_in.html", None, 401, next=safe_next(next), name=name,
                        error="That name and password do not match a console user.")
        response = RedirectResponse(safe_next(next), 303)
        auth.set_session_cookie(response, done, secure=request.url.scheme == "https",
                                now=now())
        return response

    @api.post("/sign-out", dependencies=[Depends(auth.check_csrf)])
    def sign_out(request: Request, who: Who) -> RedirectResponse:
        if wl.access is not None:
            access.sign_out(wl.access, request.cookies.get(auth.SESSION_COOKIE, ""))
        response = RedirectResponse("/console/sign-in", 303)
        auth.clear_session_cookie(response)
        return response

    # --- the queue view -----------------------------------------------------------------

    def queue_context(who: Principal) -> dict[str, Any]:
        allowed = auth.queues_of(wl, who)
        return {"board": board(wl.uow(), wl.policy, cache, allowed, who.agent_id, now()),
                "agent": agent_of(who), "now": now()}

    @api.get("", response_class=HTMLResponse)
    @api.get("/queues", response_class=HTMLResponse)
    def queues(request: Request, who: Who) -> HTMLResponse:
        return page(request, "queues.html", who, **queue_context(who))

    @api.get("/queues/board", response_class=HTMLResponse)
    def queues_board(request: Request, who: Who) -> HTMLResponse:
        return page(request, "_board.html", who, **queue_context(who))

    @api.post("/presence", dependencies=[Depends(auth.check_csrf)])
    def presence(who: Who, presence: Annotated[str, Form()]) -> RedirectResponse:
        if who.agent_id is None or presence not in ("online", "away", "offline"):
            return see("/console", "Only a person who takes handoffs has a presence.")
        wl.bus.handle(cmd.SetPresence(agent_id=who.agent_id, presence=presence))
        return see("/console", f"You are {presence}.")

    @api.post("/claim", dependencies=[Depends(auth.check_csrf)])
    def claim_next(who: Who) -> RedirectResponse:
        if who.agent_id is None:
            return see("/console", "Sign in as a person who takes handoffs to claim.")
        try:
            got = wl.bus.handle(cmd.TakeHandoff(agent_id=who.agent_id))
        except (err.HandoffConflict, err.AgentNotFound, err.HandoffNotFound) as exc:
            return see("/console", str(exc))
        if got is None:
            return see("/console", "Nothing is waiting that you may take.")
        return see(f"/console/conversations/{quote(got.conversation_id)}", "Claimed.")

    # --- the supervisor view ------------------------------------------------------------

    def supervisor_context() -> dict[str, Any]:
        return {"o": overview(wl.uow, wl.policy, now(), today), "now": now()}

    @api.get("/supervisor", response_class=HTMLResponse)
    def supervisor(request: Request, who: Who) -> HTMLResponse:
        if not who.sees_all_queues:
            return page(request, "error.html", who, 403,
                        message="The supervisor view is for supervisors.")
        return page(request, "supervisor.html", who, **supervisor_context())

    @api.get("/supervisor/body", response_class=HTMLResponse)
    def supervisor_body(request: Request, who: Who) -> HTMLResponse:
        if not who.sees_all_queues:
            return page(request, "error.html", who, 403,
                        message="The supervisor view is for supervisors.")
        return page(request, "_supervisor_body.html", who, **supervisor_context())

    # --- live updates (live.py) ---------------------------------------------------------

    @api.get("/events")
    async def events(request: Request, who: Who) -> StreamingResponse:
        allowed = await asyncio.to_thread(auth.queues_of, wl, who)
        return StreamingResponse(stream(hub, request, allowed, who.agent_id),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store",
                                          "X-Accel-Buffering": "no"})

    return api
