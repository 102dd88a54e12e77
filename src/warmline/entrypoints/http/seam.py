"""The human on the customer's thread, over HTTP (docs/api.md).

- GET  /v1/conversations/{id}/human-reply-draft: the first message, pre-filled from the
  context package's suggested opener;
- POST /v1/conversations/{id}/human-replies: a person's reply, stored (HumanReplied) and
  sent on the same channel and thread as the brand;
- POST /v1/conversations/{id}/csat: the customer's CSAT answer (1..5) from outside a
  channel button;
- GET  /v1/conversations/{id}/outbox: what the thread was owed and how each send stands
  (pending, sent, uncertain, failed).

Each write answers after its commit; the send follows it (service/delivery.py), so a
platform that is down never loses the reply: it waits in the outbox for its retry.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import Field

from warmline.bootstrap import Warmline
from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.access import PEOPLE, STAFF, Role
from warmline.domain.errors import ConversationNotFound
from warmline.entrypoints.http import schemas as s
from warmline.entrypoints.http.auth import allow
from warmline.entrypoints.http.routing import ERRORS

RETRIED: dict[int | str, dict[str, Any]] = {
    200: {"description": "A retried message (same message_id): nothing stored again"}}


class HumanReplyIn(s.Strict):
    text: Annotated[str, Field(min_length=1, max_length=4000)]
    author: Annotated[str, Field(min_length=1, max_length=128)]
    message_id: s.MessageId | None = None


class CsatIn(s.Strict):
    score: Annotated[int, Field(ge=1, le=5), s.WHOLE]
    message_id: s.MessageId


def router(wl: Warmline) -> APIRouter:
    api = APIRouter(prefix="/v1/conversations", tags=["human on the thread"],
                    responses=ERRORS)

    def events_of(conversation_id: str) -> list[ev.Event]:
        with wl.uow() as uow:
            events = uow.conversations.load(conversation_id)
        if not events:
            raise ConversationNotFound(f"conversation {conversation_id!r} does not exist")
        return events

    @api.get("/{conversation_id}/human-reply-draft",
             dependencies=[allow(*PEOPLE, scope="conversation")],
             summary="The first human message, pre-filled from the package's opener")
    def get_draft(conversation_id: s.ConversationId) -> dict[str, Any]:
        events = events_of(conversation_id)
        packages = [e for e in events if isinstance(e, ev.ContextPackaged)]
        replied = any(isinstance(e, ev.HumanReplied) for e in events)
        text = str(packages[-1].package.get("first_message", "")) if packages else ""
        return {"conversation_id": conversation_id, "text": text, "first": not replied,
                "turn": packages[-1].turn if packages else None}

    @api.post("/{conversation_id}/human-replies", status_code=201, responses=RETRIED,
              dependencies=[allow(*PEOPLE, scope="conversation")],
              summary="A person's reply, sent on the customer's own thread as the brand")
    def post_human_reply(conversation_id: s.ConversationId, body: HumanReplyIn,
                         response: Response) -> dict[str, Any]:
        outcome = wl.bus.handle(cmd.SendHumanReply(
            conversation_id=conversation_id, text=body.text, author=body.author,
            message_id=body.message_id))
        response.status_code = 200 if outcome.duplicate else 201
        return {"conversation_id": conversation_id, "turn": outcome.turn,
                "duplicate": outcome.duplicate}

    @api.post("/{conversation_id}/csat", status_code=201, responses=RETRIED,
              dependencies=[allow(Role.BOT, *STAFF)],
              summary="The customer's CSAT answer (1..5), stored as CsatReceived")
    def post_csat(conversation_id: s.ConversationId, body: CsatIn,
                  response: Response) -> dict[str, Any]:
        outcome = wl.bus.handle(cmd.RecordCsat(conversation_id=conversation_id,
                                               score=body.score, message_id=body.message_id))
        response.status_code = 200 if outcome.duplicate else 201
        return {"conversation_id": conversation_id, "duplicate": outcome.duplicate}

    @api.get("/{conversation_id}/outbox",
             dependencies=[allow(*PEOPLE, scope="conversation")],
             summary="What the thread was owed and how each send stands")
    def get_outbox(conversation_id: s.ConversationId) -> dict[str, Any]:
        owed = [e for e in events_of(conversation_id) if isinstance(e, ev.OutboundRequested)]
        states = {}
        if wl.dispatcher is not None:
            states = {o.key: o for o in wl.dispatcher.outbox.for_conversation(conversation_id)}
        items = []
        for e in owed:
            entry = states.get(e.message_id)
            items.append({"key": e.message_id, "kind": e.kind, "text": e.text,
                          "buttons": list(e.button_titles),
                          **({k: (v.isoformat() if hasattr(v, "isoformat") else v)
                              for k, v in asdict(entry).items()
                              if k in ("state", "attempts", "provider_message_id",
                                       "last_error", "next_attempt_at")}
                             if entry else {"state": "pending", "attempts": 0})})
        return {"conversation_id": conversation_id, "items": items}

    return api
