"""Warmline's own agent answers a customer turn, judged like any agent reply.

The agent thinks outside the write transaction: the conversation is read in a short
unit of work, the draft is written (a model call may take seconds, and SQLite's write
lock must not be held meanwhile), then a second unit of work appends the reply only if
nothing was appended in between — otherwise ConcurrencyError makes the bus retry on
fresh state. A newer customer message makes this answer moot (that message gets its
own), and a conversation a human holds gets no bot reply at all.
"""

from __future__ import annotations

from typing import Any

from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.model import Conversation, Mode, Role
from warmline.ports import AgentDraft, ConcurrencyError, InboundKey, UnitOfWork
from warmline.service.handlers.conversations import (
    Dependencies,
    Outcome,
    _Appender,
    _decision_for,
    _judge_and_store,
)
from warmline.service.handlers.package import read_record
from warmline.service.handlers.seam import bot_reply

CHANNEL = "warmline-agent"


def _reply_view(event: ev.AgentReplied, turn: int,
                decision: dict[str, Any] | None) -> dict[str, Any]:
    return {"turn": turn, "text": event.text, "confidence": event.confidence,
            "intent": event.intent, "actions": list(event.actions), "decision": decision}


def _stored(events: list[ev.Event], key: InboundKey) -> dict[str, Any] | None:
    conv = Conversation.replay(key.conversation_id, [])
    for e in events:
        conv.apply(e)
        if isinstance(e, ev.AgentReplied) and len(conv.turns) - 1 == key.turn:
            return _reply_view(e, key.turn, _decision_for(events, key.turn))
    return None


def answer_with_agent(c: cmd.AnswerWithAgent, uow: UnitOfWork,
                      deps: Dependencies) -> Outcome:
    agent = deps.agent
    if agent is None:
        return Outcome(c.conversation_id, c.turn, None)
    message_key = f"{c.conversation_id}:{c.turn}"
    with uow:
        done = uow.conversations.inbound(CHANNEL, message_key)
        events = uow.conversations.load(c.conversation_id)
    if done is not None:  # a retried delivery: the answer it got the first time
        return Outcome(c.conversation_id, done.turn, None, True, _stored(events, done))
    conv = Conversation.replay(c.conversation_id, events)
    last = conv.turns[-1] if conv.turns else None
    if conv.mode is not Mode.BOT or last is None or last.index != c.turn \
            or last.role is not Role.CUSTOMER:
        return Outcome(c.conversation_id, c.turn, None)
    record, _ = read_record(deps.record, conv.customer_ref)
    draft: AgentDraft = agent.reply(conv, record, deps.clock.now())
    with uow:
        app = _Appender(uow, c.conversation_id)
        if len(app.loaded) != len(events):
            raise ConcurrencyError(c.conversation_id)  # something happened while drafting
        reply = ev.AgentReplied(conversation_id=c.conversation_id,
                                occurred_at=deps.clock.now(),
                                message_id=f"warmline-agent-{c.turn}", text=draft.text,
                                confidence=draft.confidence, intent=draft.intent,
                                actions=draft.actions)
        app.add(reply)
        turn = len(app.conv.turns) - 1
        decision = _judge_and_store(uow, deps, app, turn, before_append=(
            lambda d: None if d.escalate else bot_reply(deps, app, draft.text)))
        uow.conversations.remember_inbound(CHANNEL, message_key,
                                           InboundKey(c.conversation_id, turn))
        uow.commit()
    return Outcome(c.conversation_id, turn, decision.to_public(),
                   reply=_reply_view(reply, turn, decision.to_public()))
