"""The HTTP API: post customer messages and agent replies, request a handoff, read a
conversation. Rejected requests answer 4xx naming the field and store nothing."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warmline import __version__
from warmline.bootstrap import Warmline, bootstrap
from warmline.domain import commands as cmd
from warmline.domain.access import PEOPLE, STAFF, Role
from warmline.domain.commands import Outcome
from warmline.domain.errors import ConversationClosed, ConversationNotFound
from warmline.entrypoints.http import access as access_api
from warmline.entrypoints.http import metrics as metrics_api
from warmline.entrypoints.http import record as record_api
from warmline.entrypoints.http import routing as routing_api
from warmline.entrypoints.http import schemas as s
from warmline.entrypoints.http import seam as seam_api
from warmline.entrypoints.http.auth import (
    Access,
    AuthError,
    allow,
    error_response,
    limit_sender,
    public,
)
from warmline.entrypoints.http.shutdown import StopStreams
from warmline.service.views.conversations import conversation_view

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": s.ErrorOut}, 409: {"model": s.ErrorOut}, 413: {"model": s.ErrorOut},
    415: {"model": s.ErrorOut}, 422: {"model": s.ErrorOut},
    503: {"model": s.ErrorOut, "description": "The database is unavailable; retry later"},
}
#: a retried message (same channel and message_id) answers 200 with the original decision
RETRIED: dict[int | str, dict[str, Any]] = {
    200: {"model": s.OutcomeOut,
          "description": "A retried message (same channel and message_id): the original "
                         "decision, nothing stored"}, **ERRORS}
#: seconds a client (or a channel platform) is asked to wait before retrying a 503
RETRY_AFTER = "2"
#: what FastAPI says when a JSON body cannot be decoded at all
UNPARSEABLE = "There was an error parsing the body"
#: the deepest page a listing serves (a larger offset is refused, not sent to the database)
MAX_OFFSET = 1_000_000
log = logging.getLogger(__name__)


#: a JSON \u0000 escape (an odd number of backslashes before u0000): the NUL character
NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


#: The console's forms post as HTML forms do; everything else speaks JSON.
FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")


# Any route may answer these (entrypoints/http/auth.py; docs/security.md).
ACCESS_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": s.ErrorOut, "description": "No credentials, or revoked/expired ones"},
    403: {"model": s.ErrorOut, "description": "The caller's role may not do this here"},
    429: {"model": s.ErrorOut, "description": "Over the caller's or sender's rate limit; "
          "see Retry-After"}}


class BodyLimit:
    """Refuse bodies over `limit` bytes (413) and non-JSON POSTs (415) before routing, and
    the NUL character anywhere (422): PostgreSQL text cannot hold it, and no customer
    message, id or name needs it. The console (/console/...) also takes HTML form posts."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            return await _error(send, 422, "invalid_request",
                                "invalid: path (the NUL character is not accepted)", "path")
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        declared = headers.get(b"content-length")
        bodyless = declared in (None, b"0") and b"transfer-encoding" not in headers
        if bodyless and not ctype:  # POST /v1/routing/sweep: nothing to be typed
            return await self.app(scope, receive, send)
        console = scope["path"].startswith("/console/") and ctype in FORM_TYPES
        if ctype != b"application/json" and not console:
            return await _error(send, 415, "unsupported_media_type",
                                "send the body as application/json")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _error(send, 413, "too_large", f"body over {self.limit} bytes")
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                return await _error(send, 413, "too_large", f"body over {self.limit} bytes")
        if NUL_ESCAPE.search(body):
            return await _error(send, 422, "invalid_request",
                                "invalid: body (the NUL character is not accepted)", "body")

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _error(send: Send, status: int, error: str, message: str,
                 field: str | None = None) -> None:
    fields = [{"field": field, "message": message.partition("(")[2].rstrip(")")}] \
        if field else []
    response = JSONResponse({"error": error, "message": message, "fields": fields}, status)
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - never called for a plain response
    return {"type": "http.disconnect"}


def _outcome(o: Outcome, response: Response) -> dict[str, Any]:
    response.status_code = 200 if o.duplicate else 201
    return {"conversation_id": o.conversation_id, "turn": o.turn, "duplicate": o.duplicate,
            "decision": o.decision, "reply": o.reply}


def create_app(warmline: Warmline | None = None) -> FastAPI:
    wl = warmline or bootstrap()
    max_chars = wl.config.max_message_chars
    app = FastAPI(title="Warmline", version=__version__, responses=ACCESS_ERRORS,
                  description="Clean AI-to-human escalation for commerce support. Text never "
                              "carries the NUL character (U+0000): a request with one is "
                              "refused with 422.")
    app.add_middleware(BodyLimit, limit=wl.config.max_body_bytes)
    app.add_middleware(StopStreams)  # Ctrl+C ends open event streams at once (shutdown.py)
    app.state.warmline = wl
    app.state.access = Access.for_app(wl)

    @app.exception_handler(AuthError)
    async def refused(request: Request, exc: AuthError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                  for e in exc.errors()]
        names = ", ".join(f["field"] for f in fields)
        return JSONResponse({"error": "invalid_request", "message": f"invalid: {names}",
                             "fields": fields}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """FastAPI answers a body it cannot decode (invalid UTF-8, JSON nested deeper than
        the parser recurses) with a bare 400; it is a bad request body like any other:
        422 in the API's one error shape, naming the body."""
        if exc.status_code == 400 and exc.detail == UNPARSEABLE:
            return JSONResponse({"error": "invalid_request",
                                 "message": "invalid: body (not UTF-8 JSON, or nested too "
                                            "deeply)",
                                 "fields": [{"field": "body", "message": "cannot be parsed as "
                                             "UTF-8 JSON"}]}, 422)
        return await http_exception_handler(request, exc)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        """The database went away, is locked or refuses connections: a clean 503, never
        a traceback. The request was not acknowledged, so its sender retries; a message
        is keyed by its message_id, so the retry is a no-op if it was stored after all."""
        log.warning("database unavailable: %s", type(exc).__name__)
        return JSONResponse({"error": "unavailable",
                             "message": "the database is unavailable; retry later",
                             "fields": []}, 503, headers={"Retry-After": RETRY_AFTER})

    @app.exception_handler(ConversationNotFound)
    async def not_found(_: Request, exc: ConversationNotFound) -> JSONResponse:
        return JSONResponse({"error": "not_found", "message": str(exc), "fields": []}, 404)

    @app.exception_handler(ConversationClosed)
    async def conflict(_: Request, exc: ConversationClosed) -> JSONResponse:
        return JSONResponse({"error": "conflict", "message": str(exc), "fields": []}, 409)

    def check_text(text: str) -> None:
        if len(text) > max_chars:
            raise RequestValidationError([{"loc": ("body", "text"), "type": "too_long",
                                           "msg": f"at most {max_chars} characters"}])

    @app.get("/healthz", tags=["ops"], response_model=s.HealthOut,
             responses={503: {"model": s.UnhealthyOut, "description": "What keeps Warmline "
                              "from working (the database unreachable, missing or not "
                              "migrated; the embedded model missing), each with what to do"}},
             dependencies=[public("load balancers' health check")])
    def health() -> Any:
        problems = wl.problems()
        if problems:
            return JSONResponse({"error": "unavailable", "message": "; ".join(problems),
                                 "fields": [], "problems": problems}, 503,
                                headers={"Retry-After": RETRY_AFTER})
        return {"status": "ok", "version": __version__, "policy_version": wl.policy.version}

    @app.post("/v1/conversations/{conversation_id}/messages", status_code=201,
              response_model=s.OutcomeOut, responses=RETRIED, tags=["conversations"],
              dependencies=[allow(Role.BOT, Role.ADMIN)],
              summary="Post a customer message; returns the decision after it")
    def post_message(conversation_id: s.ConversationId, body: s.CustomerMessageIn,
                     request: Request, response: Response) -> dict[str, Any]:
        check_text(body.text)
        limit_sender(request, f"conversation:{conversation_id}")
        return _outcome(wl.bus.handle(cmd.ReceiveCustomerMessage(
            conversation_id=conversation_id, message_id=body.message_id, text=body.text,
            channel=body.channel, customer_ref=body.customer_ref, sent_at=body.sent_at,
            reply=body.reply)), response)

    @app.post("/v1/conversations/{conversation_id}/agent-replies", status_code=201,
              response_model=s.OutcomeOut, responses=RETRIED, tags=["conversations"],
              dependencies=[allow(Role.BOT, Role.ADMIN)],
              summary="Post the AI agent's reply, with its confidence, intent and actions")
    def post_agent_reply(conversation_id: s.ConversationId, body: s.AgentReplyIn,
                         response: Response) -> dict[str, Any]:
        check_text(body.text)
        return _outcome(wl.bus.handle(cmd.RecordAgentReply(
            conversation_id=conversation_id, text=body.text, message_id=body.message_id,
            confidence=body.confidence, intent=body.intent, actions=tuple(body.actions))),
            response)

    @app.post("/v1/conversations/{conversation_id}/handoff-requests", status_code=201,
              response_model=s.OutcomeOut, responses=RETRIED, tags=["conversations"],
              dependencies=[allow(Role.BOT, Role.ADMIN)],
              summary="The one-tap route to a human (button, keyword or API call)")
    def post_handoff(conversation_id: s.ConversationId, body: s.HandoffRequestIn,
                     response: Response) -> dict[str, Any]:
        outcome = wl.bus.handle(cmd.RequestHandoff(
            conversation_id=conversation_id, source=body.source, text=body.text,
            message_id=body.message_id, channel=body.channel,
            customer_ref=body.customer_ref))
        return _outcome(outcome, response)

    @app.post("/v1/conversations/{conversation_id}/hand-back", status_code=200,
              responses=ERRORS, tags=["conversations"],
              dependencies=[allow(Role.BOT, *PEOPLE, scope="conversation")],
              summary="Return the thread to the bot; triggers may fire again afterwards")
    def post_hand_back(conversation_id: s.ConversationId, body: s.HandBackIn) -> dict[str, Any]:
        wl.bus.handle(cmd.HandBackToBot(conversation_id=conversation_id, by=body.by,
                                        reason=body.reason))
        return {"conversation_id": conversation_id, "mode": "bot"}

    @app.get("/v1/conversations/{conversation_id}", response_model=s.ConversationOut,
             responses=ERRORS, tags=["conversations"],
             dependencies=[allow(Role.BOT, *PEOPLE, scope="conversation")],
             summary="A conversation: its events, derived state and latest decision")
    def get_conversation(conversation_id: s.ConversationId) -> dict[str, Any]:
        view = conversation_view(wl.uow(), conversation_id)
        if view is None:
            raise ConversationNotFound(f"conversation {conversation_id!r} does not exist")
        return view

    @app.get("/v1/conversations", tags=["conversations"], responses=ERRORS,
             summary="Conversation ids, newest first", dependencies=[allow(Role.BOT, *STAFF)])
    def list_conversations(limit: Annotated[int, Query(ge=1, le=500)] = 50,
                           offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
                           ) -> dict[str, Any]:
        with wl.uow() as uow:
            return {"ids": uow.conversations.list_ids(limit=limit, offset=offset)}

    app.include_router(routing_api.router(wl))  # queues, agents, handoffs (docs/routing.md)
    app.include_router(record_api.router(wl))  # context packages, customers (docs/context.md)
    app.include_router(metrics_api.router(wl))  # live seam metrics (docs/metrics.md)
    app.include_router(seam_api.router(wl))  # the human on the thread, CSAT, the outbox
    app.include_router(access_api.router(wl))  # users, API tokens (docs/security.md)
    from warmline.entrypoints.channels.webhooks import channel_routers

    for channel_router in channel_routers(wl):  # WhatsApp, Chatwoot, web chat
        app.include_router(channel_router)
    from warmline.entrypoints.console import routes as console

    console.install(app, wl)  # the people's console: /console (docs/console.md)
    return app
