"""Webhook routers for WhatsApp Cloud API and Chatwoot (docs/channels.md).

Each request is checked in the same order, and nothing is stored unless every step passed:
1. authenticity on the raw bytes (401 without credentials, 403 with wrong ones);
2. the platform's shape (400, naming what is wrong; nothing of the payload is stored);
3. each event becomes a command through the bus (inbound.py), committed before the answer,
   so a 200 means stored. A duplicate delivery is a no-op and still answers 200, which is
   what stops the platform retrying. An error while storing answers 500: the platform
   retries, and the events already stored are then duplicates.

The routers are APIRouters mounted by the app that wants them (`channel_routers`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from warmline.bootstrap import Warmline, build_inbound
from warmline.domain import commands as cmd
from warmline.domain.errors import DomainError
from warmline.domain.model import Conversation, Mode
from warmline.domain.seam.channels import (
    InboundEvent,
    MalformedPayload,
    ThreadStatusChanged,
    WebhookRejected,
)
from warmline.domain.seam.messages import is_keyword
from warmline.entrypoints.channels.inbound import Handled, InboundSink
from warmline.entrypoints.channels.webchat import webchat_router
from warmline.entrypoints.http.auth import public
from warmline.entrypoints.http.schemas import ErrorOut
from warmline.ports import SubscribedInbound, TokenInbound, WebchatFeed

log = logging.getLogger(__name__)


def _documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    why = {400: "A malformed payload: nothing stored", 401: "Not signed: nothing stored",
           403: "A bad signature (or verify token): nothing stored",
           413: "Body too large", 415: "Not application/json",
           503: "The database is unavailable: the platform retries the delivery"}
    return {c: {"model": ErrorOut, "description": why[c]} for c in codes}


WEBHOOK_ERRORS = _documented(400, 401, 403, 413, 415, 503)


def whatsapp_router(inbound: SubscribedInbound, sink: InboundSink, *,
                    path: str = "/webhooks/whatsapp") -> APIRouter:
    router = APIRouter(tags=["channels"], dependencies=[public(
        "the platform calls it; every delivery's signature (or token) is checked")])

    @router.get(path, response_class=PlainTextResponse, responses={
                    403: {"description": "The verify token does not match",
                          "content": {"text/plain": {"schema": {"type": "string"}}}}},
                summary="Meta's verification handshake: echo hub.challenge")
    def verify_subscription(request: Request) -> PlainTextResponse:
        challenge = inbound.challenge(dict(request.query_params))
        if challenge is None:
            return PlainTextResponse("verification failed", status_code=403)
        return PlainTextResponse(challenge)

    @router.post(path, summary="WhatsApp Cloud API messages webhook (X-Hub-Signature-256)",
                 responses=WEBHOOK_ERRORS)
    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        headers = dict(request.headers)
        return await _receive(inbound.verify, inbound.parse, sink, headers, body,
                              signed="x-hub-signature-256" in headers)

    return router


def chatwoot_router(inbound: TokenInbound, sink: InboundSink, *,
                    path: str = "/webhooks/chatwoot") -> APIRouter:
    router = APIRouter(tags=["channels"], dependencies=[public(
        "the platform calls it; every delivery's signature (or token) is checked")])

    @router.post(path, summary="Chatwoot Agent Bot webhook (X-Chatwoot-Signature or ?token=)",
                 responses=WEBHOOK_ERRORS)
    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        headers = dict(request.headers)
        token = request.query_params.get("token")

        def verify(h: dict[str, str], b: bytes) -> None:
            inbound.verify(h, b, url_token=token)

        signed = "x-chatwoot-signature" in headers or token is not None
        return await _receive(verify, inbound.parse, sink, headers, body, signed=signed)

    return router


async def _receive(verify: Callable[[dict[str, str], bytes], None],
                   parse: Callable[[bytes], list[InboundEvent]], sink: InboundSink,
                   headers: dict[str, str], body: bytes, *, signed: bool) -> JSONResponse:
    try:
        verify(headers, body)
    except WebhookRejected as exc:
        log.warning("webhook refused: %s", exc)  # the reason only: never the body or a key
        return _error(403 if signed else 401, "unauthorized", str(exc))
    try:
        events = parse(body)
    except MalformedPayload as exc:
        return _error(400, "malformed", str(exc))
    handled: list[Handled] = await run_in_threadpool(sink.handle_all, events)
    return JSONResponse({
        "received": len(handled),
        "stored": sum(h.stored for h in handled),
        "duplicates": sum(h.duplicate for h in handled),
        "refused": [h.refused for h in handled if h.refused],
    })


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message, "fields": []}, status)


def channel_routers(wl: Warmline, feed: WebchatFeed | None = None) -> list[APIRouter]:
    """The three channel routers wired from the settings, mounted by create_app.

    `feed` is the web chat's feed, shared with the WebchatChannel that sends into it.
    """
    config = wl.config
    policy = wl.bus.deps.policy
    settle = wl.dispatcher.settle if wl.dispatcher is not None else None

    def on_thread_status(event: ThreadStatusChanged) -> None:
        """A person moved the thread in the helpdesk (docs/channels.md, Chatwoot):

        - resolved: the bot takes the thread back and the CSAT question follows;
        - pending (a person gave it back to the bot): the bot takes it back, no CSAT;
        - open while the bot holds it (a person took it over): the handoff Warmline would
          have made, so the bot stops answering and the package goes to the helpdesk;
        - snoozed, or open/pending echoing Warmline's own toggle: nothing changes.
        """
        with wl.uow() as uow:
            events = uow.conversations.load(event.conversation_id)
        if not events:
            return  # a thread Warmline never stored: nothing to hand over or back
        mode = Conversation.replay(event.conversation_id, events).mode
        try:
            if event.status in ("resolved", "pending") and mode is not Mode.BOT:
                wl.bus.handle(cmd.HandBackToBot(
                    conversation_id=event.conversation_id, by=event.channel,
                    reason=f"{event.status} in the helpdesk", csat=event.status == "resolved"))
            elif event.status == "open" and mode is Mode.BOT:
                wl.bus.handle(cmd.RequestHandoff(
                    conversation_id=event.conversation_id, source="helpdesk",
                    text="[opened for a person in the helpdesk]", channel=event.channel,
                    message_id=event.message_id))
        except DomainError:
            return  # it changed under us: nothing left to hand over or back

    sink = InboundSink(wl.bus, wl.bus.deps.record,
                       keywords=lambda text: is_keyword(policy().messages, text),
                       on_status=settle, on_thread_status=on_thread_status)
    inbound = build_inbound(config)
    web_feed = feed or wl.feed
    if web_feed is None:
        raise ValueError("the web chat needs a feed: wire the app with bootstrap()")
    return [
        whatsapp_router(inbound.whatsapp, sink),
        chatwoot_router(inbound.chatwoot, sink),
        webchat_router(sink, web_feed, inbound.webchat, origins=inbound.webchat_origins),
    ]
