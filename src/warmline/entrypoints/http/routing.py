"""The routing API: queues with live figures and ETAs, people and presence, and the life
of a handoff (claim next or a given one, confirm, release, transfer, resolve).

One APIRouter, included by api.py; each route declares who may call it
(entrypoints/http/auth.py). The router's lifespan runs the sweeper (service/sweeper.py:
cascades, lapsed leases, out-of-hours, promised-wait updates, owed sends) every
WARMLINE_SWEEP_SECONDS in each `warmline serve` process; sweepers in several processes
share the work (SKIP LOCKED, outbox claims), so running more is safe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, FastAPI, Query, Response
from fastapi.responses import JSONResponse

from warmline.bootstrap import Warmline
from warmline.domain import commands as cmd
from warmline.domain import errors as err
from warmline.domain.access import PEOPLE, STAFF, Principal, Role
from warmline.domain.routing.queueing import Handoff
from warmline.entrypoints.http import routing_schemas as rs
from warmline.entrypoints.http import schemas as s
from warmline.entrypoints.http.auth import AuthError, allow
from warmline.service.sweeper import sweep_forever
from warmline.service.views import queues as qq

log = logging.getLogger("warmline.routing")
T = TypeVar("T")
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": s.ErrorOut}, 409: {"model": s.ErrorOut}, 413: {"model": s.ErrorOut},
    415: {"model": s.ErrorOut}, 422: {"model": s.ErrorOut},
    503: {"model": s.ErrorOut, "description": "The database is unavailable; retry later"}}


def _error(status: int, error: str, message: str,
           fields: list[dict[str, str]] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "message": message, "fields": fields or []}, status)


def _attempt(action: Callable[[], T]) -> T | JSONResponse:
    """Run a command; routing errors become the API's one error shape."""
    try:
        return action()
    except (err.HandoffNotFound, err.AgentNotFound) as exc:
        return _error(404, "not_found", str(exc))
    except err.HandoffConflict as exc:
        return _error(409, "conflict", str(exc))
    except err.UnknownTarget as exc:
        return _error(422, "invalid_request", f"invalid: {exc.field}",
                      [{"field": exc.field, "message": str(exc)}])


def acting_as(who: Principal, agent_id: str) -> None:
    """An agent acts only as itself; staff may act for anyone (reassignment)."""
    if who.role is Role.AGENT and agent_id != who.agent_id:
        raise AuthError(403, "forbidden", f"an agent acts as itself ({who.agent_id}), "
                        f"not as {agent_id!r}")


def router(wl: Warmline) -> APIRouter:
    @asynccontextmanager
    async def sweeper(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if wl.config.sweep_seconds > 0:
            thread = threading.Thread(
                target=sweep_forever, args=(wl.bus, wl.dispatcher, wl.config.sweep_seconds,
                                            stop, wl.database_problem),
                name="warmline-sweeper", daemon=True)
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=10)

    api = APIRouter(prefix="/v1", tags=["routing"],
                    responses=ERRORS, lifespan=sweeper)
    policy = wl.policy

    def now() -> Any:
        return wl.bus.deps.clock.now()

    def view(h: Handoff) -> dict[str, Any]:
        return qq.handoff_view(wl.uow(), policy, h.id, now()) or qq.handoff_out(h, now())

    def act(command: cmd.Command[Handoff]) -> dict[str, Any] | JSONResponse:
        done = _attempt(lambda: wl.bus.handle(command))
        return done if isinstance(done, JSONResponse) else view(done)

    @api.get("/queues", response_model=list[rs.QueueOut],
             dependencies=[allow(Role.BOT, *PEOPLE)],
             summary="Every queue with live figures and the wait a new handoff would have")
    def list_queues() -> list[dict[str, Any]]:
        return qq.queues_view(wl.uow(), policy, now())

    @api.get("/queues/{queue}", response_model=rs.QueueDetailOut,
             dependencies=[allow(*PEOPLE, scope="queue")],
             summary="One queue: live figures and its waiting handoffs in claim order")
    def get_queue(queue: rs.QueueName,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Any:
        found = qq.queue_view(wl.uow(), policy, queue, now(), limit)
        return found if found is not None else _error(
            404, "not_found", f"queue {queue!r} does not exist (known: "
            f"{', '.join(policy.routing.queues)})")

    @api.get("/agents", response_model=list[rs.AgentOut], dependencies=[allow(*STAFF)],
             summary="People who take handoffs: presence, load, queues they may take from")
    def list_agents() -> list[dict[str, Any]]:
        return qq.agents_view(wl.uow(), policy, now())

    def agent_view(agent_id: str) -> dict[str, Any]:
        return next(a for a in qq.agents_view(wl.uow(), policy, now()) if a["id"] == agent_id)

    @api.put("/agents/{agent_id}", response_model=rs.AgentOut, dependencies=[allow(*STAFF)],
             summary="Create or update a person: skills, languages, capacity")
    def put_agent(agent_id: rs.AgentId, body: rs.AgentIn) -> Any:
        done = _attempt(lambda: wl.bus.handle(cmd.SaveAgent(
            agent_id=agent_id, name=body.name, skills=tuple(body.skills),
            languages=tuple(body.languages), capacity=body.capacity)))
        return done if isinstance(done, JSONResponse) else agent_view(agent_id)

    @api.put("/agents/{agent_id}/presence", response_model=rs.AgentOut,
             dependencies=[allow(*PEOPLE, scope="self")],
             summary="Online, away or offline; coming online offers what waits for them")
    def put_presence(agent_id: rs.AgentId, body: rs.PresenceIn) -> Any:
        done = _attempt(lambda: wl.bus.handle(cmd.SetPresence(agent_id=agent_id,
                                                          presence=body.presence)))
        return done if isinstance(done, JSONResponse) else agent_view(agent_id)

    @api.post("/agents/{agent_id}/claims", status_code=201, response_model=rs.HandoffOut,
              dependencies=[allow(*PEOPLE, scope="self")],
              responses={204: {"description": "nothing waiting that this person may take"}},
              summary="Claim the next handoff (or a given one): a lease to confirm in time")
    def post_claim(agent_id: rs.AgentId, body: rs.ClaimIn) -> Any:
        if body.confirm:
            taken = _attempt(lambda: wl.bus.handle(cmd.TakeHandoff(
                agent_id=agent_id, handoff_id=body.handoff_id)))
            if taken is None:
                return Response(status_code=204)
            return taken if isinstance(taken, JSONResponse) else view(taken)
        if body.handoff_id is not None:
            return act(cmd.ClaimHandoff(agent_id=agent_id, handoff_id=body.handoff_id))
        got = _attempt(lambda: wl.bus.handle(cmd.ClaimNext(agent_id=agent_id)))
        if got is None:
            return Response(status_code=204)
        return got if isinstance(got, JSONResponse) else view(got)

    @api.post("/handoffs/{handoff_id}/confirm", response_model=rs.HandoffOut,
              summary="Accept a claimed or offered handoff before its lease runs out")
    def post_confirm(handoff_id: rs.HandoffId, body: rs.AgentActionIn,
                     who: Principal = allow(*PEOPLE, scope="handoff")) -> Any:
        acting_as(who, body.agent_id)
        return act(cmd.ConfirmHandoff(agent_id=body.agent_id, handoff_id=handoff_id))

    @api.post("/handoffs/{handoff_id}/release", response_model=rs.HandoffOut,
              summary="Give a claimed or accepted handoff back to its queue")
    def post_release(handoff_id: rs.HandoffId, body: rs.ReleaseIn,
                     who: Principal = allow(*PEOPLE, scope="handoff")) -> Any:
        acting_as(who, body.agent_id)
        return act(cmd.ReleaseHandoff(agent_id=body.agent_id, handoff_id=handoff_id,
                                     reason=body.reason))

    @api.post("/handoffs/{handoff_id}/transfer", response_model=rs.HandoffOut,
              summary="Move to another queue and/or person, with a reason (an event)")
    def post_transfer(handoff_id: rs.HandoffId, body: rs.TransferIn,
                      who: Principal = allow(*PEOPLE, scope="handoff")) -> Any:
        acting_as(who, body.by)
        return act(cmd.TransferHandoff(handoff_id=handoff_id, by=body.by, reason=body.reason,
                                      to_queue=body.to_queue, to_agent=body.to_agent))

    @api.post("/handoffs/{handoff_id}/resolve", response_model=rs.HandoffOut,
              summary="Close an accepted handoff; by default the bot takes the thread back")
    def post_resolve(handoff_id: rs.HandoffId, body: rs.ResolveIn,
                     who: Principal = allow(*PEOPLE, scope="handoff")) -> Any:
        acting_as(who, body.by)
        return act(cmd.ResolveHandoff(handoff_id=handoff_id, by=body.by,
                                     outcome=body.outcome, hand_back=body.hand_back))

    @api.get("/handoffs/{handoff_id}", response_model=rs.HandoffOut,
             dependencies=[allow(Role.BOT, *PEOPLE, scope="handoff")],
             summary="A handoff with its position and ETA while it waits")
    def get_handoff(handoff_id: rs.HandoffId) -> Any:
        found = qq.handoff_view(wl.uow(), policy, handoff_id, now())
        return found if found is not None else _error(
            404, "not_found", f"handoff {handoff_id!r} does not exist")

    @api.get("/conversations/{conversation_id}/handoff", response_model=rs.HandoffOut,
             dependencies=[allow(Role.BOT, *PEOPLE, scope="conversation")],
             summary="The conversation's open handoff and its ETA (for the customer)")
    def get_conversation_handoff(conversation_id: s.ConversationId) -> Any:
        found = qq.conversation_handoff(wl.uow(), policy, conversation_id, now())
        return found if found is not None else _error(
            404, "not_found", f"conversation {conversation_id!r} has no open handoff")

    @api.post("/routing/sweep", response_model=rs.SweepOut, dependencies=[allow(*STAFF)],
              summary="Apply due cascades, lapsed leases and out-of-hours rules now")
    def post_sweep() -> dict[str, int]:
        return dict(wl.sweep().routing.__dict__)

    return api
