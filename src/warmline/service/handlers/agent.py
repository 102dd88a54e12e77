"""Warmline's own agent answers a customer turn, judged like any agent reply.

The agent thinks outside the write transaction: the bus reads the conversation in a short
read (`draft`), the agent writes its reply (a model call may take seconds, and SQLite's
write lock must not be held meanwhile), then `RecordAgentDraft` appends the reply only if
nothing was appended in between — otherwise ConcurrencyError makes the bus draft again on
fresh state. A newer customer message makes this answer moot (that message gets its own),
and a conversation a human holds gets no bot reply at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.model import Conversation, Mode, Role
from warmline.ports import AgentDraft, ConcurrencyError, InboundKey, UnitOfWork
from warmline.service.handlers.conversations import judge_and_store
from warmline.service.handlers.package import read_record
from warmline.service.handlers.seam import bot_reply
from warmline.service.unit import Appender, Dependencies, decision_for

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
            return _reply_view(e, key.turn, decision_for(events, key.turn))
    return None


def _key(conversation_id: str, turn: int) -> str:
    return f"{conversation_id}:{turn}"


def draft(uow_factory: Callable[[], UnitOfWork], deps: Dependencies, conversation_id: str,
          turn: int) -> cmd.RecordAgentDraft | cmd.Outcome | None:
    """The agent's answer to customer turn `turn`, as a command to store; the stored
    answer (an Outcome) when this turn was answered already; None when nothing is owed
    (no agent, a newer turn, a person holds the thread)."""
    agent = deps.agent
    if agent is None:
        return None
    with uow_factory() as uow:
        done = uow.conversations.inbound(CHANNEL, _key(conversation_id, turn))
        events = uow.conversations.load(conversation_id)
    if done is not None:  # a retried delivery: the answer it got the first time
        return cmd.Outcome(conversation_id, done.turn, None, True, _stored(events, done))
    conv = Conversation.replay(conversation_id, events)
    last = conv.turns[-1] if conv.turns else None
    if conv.mode is not Mode.BOT or last is None or last.index != turn \
            or last.role is not Role.CUSTOMER:
        return None
    record, _ = read_record(deps.record, conv.customer_ref)
    reply: AgentDraft = agent.reply(conv, record, deps.clock.now())
    return cmd.RecordAgentDraft(conversation_id=conversation_id, turn=turn, seen=len(events),
                                text=reply.text, confidence=reply.confidence,
                                intent=reply.intent, actions=reply.actions)


def record_agent_draft(c: cmd.RecordAgentDraft, uow: UnitOfWork,
                       deps: Dependencies) -> cmd.Outcome:
    app = Appender(uow, c.conversation_id)
    if len(app.loaded) != c.seen:
        raise ConcurrencyError(c.conversation_id)  # something happened while drafting
    reply = ev.AgentReplied(conversation_id=c.conversation_id, occurred_at=deps.clock.now(),
                            message_id=f"warmline-agent-{c.turn}", text=c.text,
                            confidence=c.confidence, intent=c.intent, actions=c.actions)
    app.add(reply)
    turn = len(app.conv.turns) - 1
    decision = judge_and_store(uow, deps, app, turn, before_append=(
        lambda d: None if d.escalate else bot_reply(deps, app, c.text)))
    uow.conversations.remember_inbound(CHANNEL, _key(c.conversation_id, c.turn),
                                       InboundKey(c.conversation_id, turn))
    return cmd.Outcome(c.conversation_id, turn, decision.to_public(),
                       reply=_reply_view(reply, turn, decision.to_public()))
