"""Command handlers: load a conversation, append new events, judge, commit once."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from warmline import faults
from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.errors import ConversationClosed, ConversationNotFound
from warmline.domain.judge.decision import Decision, judge
from warmline.domain.model import Conversation, Mode
from warmline.domain.policy import Policy
from warmline.ports import (
    Agent,
    Clock,
    CommerceRecord,
    Helpdesk,
    InboundKey,
    OutboundChannel,
    Signals,
    UnitOfWork,
)
from warmline.service.handlers.package import package_escalation, read_record
from warmline.service.handlers.routing import close_open_handoff, route_escalation
from warmline.service.handlers.seam import (
    csat_question,
    detect_leaks,
    expectation,
    record_csat,
    send_human_reply,
    while_waiting,
)


@dataclass(frozen=True)
class Dependencies:
    """What handlers need besides the unit of work; built in bootstrap.py."""

    signals: Signals
    policy: Callable[[], Policy]
    record: CommerceRecord
    clock: Clock
    agent: Agent | None = None  # Warmline's own agent answers when set (WARMLINE_AGENT)
    #: channels Warmline sends to, by name; their conversations are owed messages
    channels: Mapping[str, OutboundChannel] = field(default_factory=dict)
    helpdesk: Helpdesk | None = None  # Chatwoot: humans take over there


@dataclass(frozen=True)
class Outcome:
    conversation_id: str
    turn: int
    decision: dict[str, Any] | None
    duplicate: bool = False
    reply: dict[str, Any] | None = None  # Warmline's agent's reply, when it answered


def _decision_for(events: list[ev.Event], turn: int) -> dict[str, Any] | None:
    for e in events:
        if isinstance(e, ev.DecisionMade) and e.turn == turn:
            escalation = next((x for x in events if isinstance(x, ev.EscalationTriggered)
                               and x.turn == turn), None)
            firing = escalation.hits if escalation else ()
            return Decision(turn, e.escalate, e.hits, firing, e.policy_version,
                            e.suppressed).to_public()
    return None


class _Appender:
    """Collects new events, folding each into the conversation as it goes."""

    def __init__(self, uow: UnitOfWork, conversation_id: str) -> None:
        self.loaded = uow.conversations.load(conversation_id)
        self.conv = Conversation.replay(conversation_id, self.loaded)
        self.new: list[ev.Event] = []

    def add(self, event: ev.Event) -> None:
        self.conv.apply(event)
        self.new.append(event)


def _judge_and_store(uow: UnitOfWork, deps: Dependencies, app: _Appender, turn: int,
                     one_tap: str | None = None,
                     before_append: Callable[[Decision], None] | None = None) -> Decision:
    policy = deps.policy()
    now = deps.clock.now()
    full, record_error = read_record(deps.record, app.conv.customer_ref)
    record = full.facts() if full is not None else None
    decision = judge(app.conv, turn, signals=deps.signals, policy=policy, now=now,
                     record=record, one_tap=one_tap)
    cid = app.conv.id
    app.add(ev.DecisionMade(conversation_id=cid, occurred_at=now, turn=turn,
                            escalate=decision.escalate, hits=decision.hits,
                            policy_version=decision.policy_version,
                            suppressed=decision.suppressed,
                            assessment=decision.assessment))
    if decision.escalate:
        escalation = ev.EscalationTriggered(conversation_id=cid, occurred_at=now, turn=turn,
                                            hits=decision.firing,
                                            policy_version=decision.policy_version)
        app.add(escalation)
        package_escalation(uow, app, escalation, record=full, record_error=record_error,
                           signals=deps.signals, policy=policy, now=now)
        route_escalation(uow, deps, app, turn, record)  # queue it: service/handlers/routing.py
        expectation(uow, deps, app)  # who will help and how long: service/handlers/seam.py
    if before_append is not None:  # what the decision means for the customer (seam.py)
        before_append(decision)
    uow.conversations.append(cid, app.new, expected_version=len(app.loaded))
    return decision


def _start_if_new(app: _Appender, channel: str, customer_ref: str | None, now: Any) -> None:
    """Start the conversation; or, if it started without a customer and this message
    brings one (the record now knows the WhatsApp number...), identify it."""
    if not app.loaded:
        app.add(ev.ConversationStarted(conversation_id=app.conv.id, occurred_at=now,
                                       channel=channel, customer_ref=customer_ref))
    elif customer_ref and not app.conv.customer_ref:
        app.add(ev.CustomerIdentified(conversation_id=app.conv.id, occurred_at=now,
                                      customer_ref=customer_ref, channel=channel))


def receive_customer_message(c: cmd.ReceiveCustomerMessage, uow: UnitOfWork,
                             deps: Dependencies) -> Outcome:
    with uow:
        key = uow.conversations.inbound(c.channel, c.message_id)
        if key is not None:
            loaded = uow.conversations.load(key.conversation_id)
            return Outcome(key.conversation_id, key.turn, _decision_for(loaded, key.turn), True)
        now = deps.clock.now()
        app = _Appender(uow, c.conversation_id)
        _start_if_new(app, c.channel, c.customer_ref, now)
        app.add(ev.MessageReceived(conversation_id=c.conversation_id,
                                   occurred_at=c.sent_at or now, message_id=c.message_id,
                                   channel=c.channel, text=c.text))
        turn = len(app.conv.turns) - 1
        if app.conv.escalated:  # after the handoff: the seam is watched (service/handlers/seam.py)
            detect_leaks(app, "customer", c.text, now)
        waiting = app.conv.mode is Mode.WAITING
        decision = _judge_and_store(uow, deps, app, turn, before_append=(
            (lambda _: while_waiting(uow, deps, app, c.text)) if waiting else None))
        uow.conversations.remember_inbound(c.channel, c.message_id,
                                           InboundKey(c.conversation_id, turn))
        faults.point("before_commit")  # no-op unless a fault test asks (faults.py)
        uow.commit()
        faults.point("after_commit")
        return Outcome(c.conversation_id, turn, decision.to_public())


def record_agent_reply(c: cmd.RecordAgentReply, uow: UnitOfWork,
                       deps: Dependencies) -> Outcome:
    channel = "agent"
    message_id = c.message_id or uuid.uuid4().hex
    with uow:
        key = uow.conversations.inbound(channel, f"{c.conversation_id}:{message_id}")
        if key is not None:
            loaded = uow.conversations.load(key.conversation_id)
            return Outcome(key.conversation_id, key.turn, _decision_for(loaded, key.turn), True)
        app = _Appender(uow, c.conversation_id)
        if not app.loaded and not c.start_if_missing:
            raise ConversationNotFound(
                f"conversation {c.conversation_id!r} has no customer message yet")
        _start_if_new(app, "api", None, deps.clock.now())
        app.add(ev.AgentReplied(conversation_id=c.conversation_id,
                                occurred_at=deps.clock.now(), message_id=message_id,
                                text=c.text, confidence=c.confidence, intent=c.intent,
                                actions=c.actions))
        turn = len(app.conv.turns) - 1
        decision = _judge_and_store(uow, deps, app, turn)
        uow.conversations.remember_inbound(channel, f"{c.conversation_id}:{message_id}",
                                           InboundKey(c.conversation_id, turn))
        uow.commit()
        return Outcome(c.conversation_id, turn, decision.to_public())


def request_handoff(c: cmd.RequestHandoff, uow: UnitOfWork, deps: Dependencies) -> Outcome:
    message_id = c.message_id or uuid.uuid4().hex
    with uow:
        key = uow.conversations.inbound(c.channel, message_id)
        if key is not None:
            loaded = uow.conversations.load(key.conversation_id)
            return Outcome(key.conversation_id, key.turn, _decision_for(loaded, key.turn), True)
        now = deps.clock.now()
        app = _Appender(uow, c.conversation_id)
        _start_if_new(app, c.channel, c.customer_ref, now)
        app.add(ev.MessageReceived(conversation_id=c.conversation_id, occurred_at=now,
                                   message_id=message_id, channel=c.channel, text=c.text))
        turn = len(app.conv.turns) - 1
        app.add(ev.HandoffRequested(conversation_id=c.conversation_id, occurred_at=now,
                                    source=c.source, turn=turn))
        decision = _judge_and_store(uow, deps, app, turn, one_tap=c.source)
        uow.conversations.remember_inbound(c.channel, message_id,
                                           InboundKey(c.conversation_id, turn))
        uow.commit()
        return Outcome(c.conversation_id, turn, decision.to_public())


def hand_back_to_bot(c: cmd.HandBackToBot, uow: UnitOfWork, deps: Dependencies) -> Outcome:
    with uow:
        app = _Appender(uow, c.conversation_id)
        if not app.loaded:
            raise ConversationNotFound(f"conversation {c.conversation_id!r} does not exist")
        if not app.conv.escalated:
            raise ConversationClosed(
                f"conversation {c.conversation_id!r} is not with a human; nothing to hand back")
        close_open_handoff(uow, app, c.by, c.reason, deps.clock.now())  # leaves the queue
        app.add(ev.HandedBackToBot(conversation_id=c.conversation_id,
                                   occurred_at=deps.clock.now(), by=c.by, reason=c.reason))
        closed = [e.handoff_id for e in app.new
                  if isinstance(e, ev.HandoffResolved | ev.HandoffWithdrawn)]
        if c.csat and closed:
            csat_question(deps, app, closed[-1])  # on the same thread (service/handlers/seam.py)
        uow.conversations.append(c.conversation_id, app.new, expected_version=len(app.loaded))
        uow.commit()
        return Outcome(c.conversation_id, len(app.conv.turns) - 1, None)


def add_internal_note(c: cmd.AddInternalNote, uow: UnitOfWork, deps: Dependencies) -> Outcome:
    with uow:
        app = _Appender(uow, c.conversation_id)
        if not app.loaded:
            raise ConversationNotFound(f"conversation {c.conversation_id!r} does not exist")
        handoff = uow.handoffs.open_for(c.conversation_id)
        app.add(ev.InternalNoteAdded(conversation_id=c.conversation_id,
                                     occurred_at=deps.clock.now(), note_id=uuid.uuid4().hex,
                                     text=c.text, author=c.author,
                                     handoff_id=handoff.id if handoff else None))
        uow.conversations.append(c.conversation_id, app.new, expected_version=len(app.loaded))
        uow.commit()
        return Outcome(c.conversation_id, len(app.conv.turns) - 1, None)


HANDLERS: dict[type[cmd.Command], Callable[..., Outcome]] = {
    cmd.ReceiveCustomerMessage: receive_customer_message,
    cmd.RecordAgentReply: record_agent_reply,
    cmd.RequestHandoff: request_handoff,
    cmd.HandBackToBot: hand_back_to_bot,
    cmd.SendHumanReply: send_human_reply,
    cmd.RecordCsat: record_csat,
    cmd.AddInternalNote: add_internal_note,
}
