"""The web chat's server side: the widget script, sessions, messages, buttons, live feed.

Embed with one tag: `<script src="https://<warmline>/webchat/widget.js" async></script>`.

| method and path | what it does |
| --- | --- |
| GET  /webchat/widget.js | the widget (vanilla JS, no build step) |
| GET  /webchat/demo | a bare page with the widget, for the demo and browser tests |
| POST /webchat/sessions | a new thread: `session_id`, `token`, `conversation_id` |
| POST /webchat/sessions/{id}/messages | the customer's message (`message_id`, `text`) |
| POST /webchat/sessions/{id}/buttons | a button tap (`message_id`, `button_id`, `title`) |
| GET  /webchat/sessions/{id}/messages?after=n | the feed after item n (polling) |
| GET  /webchat/sessions/{id}/events?after=n&token=t | the same, live (server-sent events) |

Calls carry `Authorization: Bearer <token>` (EventSource cannot set headers, so the event
stream takes `?token=`). Cross-origin calls are allowed from WARMLINE_WEBCHAT_ORIGINS.
The customer's own lines enter the feed only after their command is committed, so what the
widget shows is what Warmline stored.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from warmline.domain.seam.channels import (
    WEBCHAT,
    ButtonTap,
    CustomerText,
    InboundEvent,
    webchat_conversation_id,
)
from warmline.entrypoints.channels.inbound import Handled, InboundSink
from warmline.entrypoints.http.auth import limit_sender, public
from warmline.ports import WebchatFeed, WebchatSessions

SessionId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
MessageId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]

DEMO_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warmline web chat demo</title></head>
<body style="font-family: system-ui, sans-serif; margin: 2rem; color: #1a1a1a">
<h1>Demo shop</h1><p>The chat button is at the bottom right.</p>
<script src="widget.js" data-title="Demo shop support" async></script>
</body></html>
"""


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class MessageIn(_Strict):
    message_id: MessageId
    text: Annotated[str, Field(min_length=1, max_length=4000)]


class ButtonIn(_Strict):
    message_id: MessageId
    button_id: Annotated[str, Field(min_length=1, max_length=256)]
    title: Annotated[str, Field(min_length=1, max_length=256)]


def widget_script() -> str:
    return resources.files("warmline.entrypoints.channels").joinpath(
        "static", "webchat.js").read_text(encoding="utf-8")


def webchat_router(sink: InboundSink, feed: WebchatFeed, sessions: WebchatSessions, *,
                   origins: Sequence[str] = (), prefix: str = "/webchat",
                   stream_seconds: float = 25.0, poll_seconds: float = 0.25) -> APIRouter:
    """`stream_seconds` bounds one event stream; the browser reconnects from its last id."""
    router = APIRouter(prefix=prefix, tags=["webchat"], dependencies=[public(
        "the customer's side: each thread is held by its own signed session token")],
        responses={
        401: {"description": "Unknown session or wrong token"},
        409: {"description": "The message does not fit the thread now"},
        413: {"description": "Body too large"}, 415: {"description": "Not application/json"},
        429: {"description": "Too many messages from this thread; see Retry-After"},
        503: {"description": "The database is unavailable; retry later"}})
    allowed = {o.rstrip("/") for o in origins}

    def cors(request: Request, response: Response) -> None:
        origin = request.headers.get("origin")
        if origin and (origin in allowed or "*" in allowed):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"

    def session(request: Request, session_id: str, token: str | None = None) -> str:
        bearer = request.headers.get("authorization", "")
        given = bearer[7:] if bearer.lower().startswith("bearer ") else token
        if not sessions.valid(session_id, given):
            raise HTTPException(401, "unknown session or wrong token")
        feed.open(session_id)  # a valid token outlives a restart (and any worker serves it)
        return session_id

    async def deliver(event: InboundEvent, line: str, response: Response) -> dict[str, Any]:
        def show() -> None:  # the customer's line, before what the thread is owed
            feed.append(event.contact_id, "customer", line, item_id=event.message_id)

        handled: Handled = await run_in_threadpool(sink.handle, event, show)
        if handled.refused:
            raise HTTPException(409, handled.refused)
        duplicate = handled.duplicate
        response.status_code = 200 if duplicate else 201
        return {"duplicate": duplicate, "conversation_id": event.conversation_id}

    @router.get("/widget.js", include_in_schema=False)
    def script() -> Response:
        return Response(widget_script(), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300"})

    @router.get("/demo", include_in_schema=False)
    def demo() -> HTMLResponse:
        return HTMLResponse(DEMO_PAGE)

    @router.options("/{rest:path}", include_in_schema=False)
    def preflight(request: Request, rest: str) -> Response:
        response = Response(status_code=204)
        cors(request, response)
        if "Access-Control-Allow-Origin" in response.headers:
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "authorization, content-type"
            response.headers["Access-Control-Max-Age"] = "600"
        return response

    @router.post("/sessions", status_code=201, summary="Open a web chat thread")
    def open_session(request: Request, response: Response) -> dict[str, str]:
        cors(request, response)
        limit_sender(request, f"webchat-ip:{request.client.host if request.client else '-'}")
        session_id, token = sessions.new()
        feed.open(session_id)
        return {"session_id": session_id, "token": token,
                "conversation_id": webchat_conversation_id(session_id)}

    @router.post("/sessions/{session_id}/messages", status_code=201,
                 summary="The customer's message")
    async def post_message(request: Request, response: Response,
                           session_id: SessionId,
                           body: MessageIn) -> dict[str, Any]:
        cors(request, response)
        sid = session(request, session_id)
        limit_sender(request, f"webchat:{sid}")
        event = CustomerText(channel=WEBCHAT, message_id=body.message_id,
                             conversation_id=webchat_conversation_id(sid), contact_id=sid,
                             text=body.text)
        return await deliver(event, body.text, response)

    @router.post("/sessions/{session_id}/buttons", status_code=201,
                 summary="A button tap (the one-tap route to a person: warmline:human)")
    async def post_button(request: Request, response: Response,
                          session_id: SessionId,
                          body: ButtonIn) -> dict[str, Any]:
        cors(request, response)
        sid = session(request, session_id)
        limit_sender(request, f"webchat:{sid}")
        event = ButtonTap(channel=WEBCHAT, message_id=body.message_id,
                          conversation_id=webchat_conversation_id(sid), contact_id=sid,
                          button_id=body.button_id, title=body.title)
        return await deliver(event, body.title, response)

    @router.get("/sessions/{session_id}/messages", summary="The feed after item `after`")
    def get_messages(request: Request, response: Response,
                     session_id: SessionId,
                     after: int = 0) -> dict[str, Any]:
        cors(request, response)
        sid = session(request, session_id)
        return {"items": [i.to_public() for i in feed.since(sid, max(after, 0))]}

    @router.get("/sessions/{session_id}/events", summary="The feed, live (text/event-stream)")
    def events(request: Request, session_id: SessionId,
               after: int = 0, token: str | None = None) -> StreamingResponse:
        sid = session(request, session_id, token)
        last = request.headers.get("last-event-id", "")
        start = int(last) if last.isdigit() else max(after, 0)
        response = StreamingResponse(
            _stream(feed, sid, start, request, stream_seconds, poll_seconds),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        cors(request, response)
        return response

    return router


async def _stream(feed: WebchatFeed, session_id: str, after: int, request: Request,
                  seconds: float, poll: float) -> AsyncIterator[str]:
    """New feed items as SSE `message` events, until `seconds` ran out or the client left."""
    yield "retry: 1000\n\n"
    until, last_beat = time.monotonic() + seconds, time.monotonic()
    while time.monotonic() < until:
        for item in await run_in_threadpool(feed.since, session_id, after):  # the database
            after = item.seq
            yield f"id: {item.seq}\nevent: message\ndata: {json.dumps(item.to_public())}\n\n"
        if time.monotonic() - last_beat > 15:
            last_beat = time.monotonic()
            yield ": keep-alive\n\n"
        if await request.is_disconnected():
            return
        await asyncio.sleep(poll)
