"""Handlers for a conversation's turns: the customer's messages, the agent's replies, the
one-tap route to a person, handing back to the bot, and the people's internal notes.

Each runs inside the unit of work the bus opened: it loads the conversation, appends the
new turn, judges it (domain/judge/decision.py) and, when the judge escalates, packages the
context, routes the handoff and tells the customer what happens next — all in the same
transaction, so a handoff is queued exactly when its escalation is recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.errors import ConversationClosed, ConversationNotFound
from warmline.domain.judge.decision import Decision, judge
from warmline.domain.model import Mode
from warmline.ports import UnitOfWork
from warmline.service.handlers.package import package_escalation, read_record
from warmline.service.handlers.routing import close_open_handoff, route_escalation
from warmline.service.handlers.seam import csat_question, detect_leaks, expectation, while_waiting
from warmline.service.unit import Appender, Dependencies, once


def judge_and_store(uow: UnitOfWork, deps: Dependencies, app: Appender, turn: int,
                    one_tap: str | None = None,
                    before_append: Callable[[Decision], None] | None = None) -> Decision:
    """Judge `turn`; on escalation package, route and tell the customer; append it all."""
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
        route_escalation(uow, deps, app, turn, record)  # queue it: handlers/routing.py
        expectation(uow, deps, app)  # who will help and how long: handlers/seam.py
    if before_append is not None:  # what the decision means for the customer (seam.py)
        before_append(decision)
    app.save()
    return decision


def start_if_new(app: Appender, channel: str, customer_ref: str | None,
                 now: datetime) -> None:
    """Start the conversation; or, if it started without a customer and this message
    brings one (the record now knows the WhatsApp number...), identify it."""
    if not app.loaded:
        app.add(ev.ConversationStarted(conversation_id=app.conv.id, occurred_at=now,
                                       channel=channel, customer_ref=customer_ref))
    elif customer_ref and not app.conv.customer_ref:
        app.add(ev.CustomerIdentified(conversation_id=app.conv.id, occurred_at=now,
                                      customer_ref=customer_ref, channel=channel))


@once()
def receive_customer_message(c: cmd.ReceiveCustomerMessage, uow: UnitOfWork,
                             deps: Dependencies) -> cmd.Outcome:
    now = deps.clock.now()
    app = Appender(uow, c.conversation_id)
    start_if_new(app, c.channel, c.customer_ref, now)
    app.add(ev.MessageReceived(conversation_id=c.conversation_id,
                               occurred_at=c.sent_at or now, message_id=c.message_id,
                               channel=c.channel, text=c.text))
    turn = len(app.conv.turns) - 1
    if app.conv.escalated:  # after the handoff: the seam is watched (handlers/seam.py)
        detect_leaks(app, "customer", c.text, now)
    waiting = app.conv.mode is Mode.WAITING
    decision = judge_and_store(uow, deps, app, turn, before_append=(
        (lambda _: while_waiting(uow, deps, app, c.text)) if waiting else None))
    return cmd.Outcome(c.conversation_id, turn, decision.to_public())


@once()
def record_agent_reply(c: cmd.RecordAgentReply, uow: UnitOfWork,
                       deps: Dependencies) -> cmd.Outcome:
    app = Appender(uow, c.conversation_id)
    if not app.loaded and not c.start_if_missing:
        raise ConversationNotFound(
            f"conversation {c.conversation_id!r} has no customer message yet")
    start_if_new(app, "api", None, deps.clock.now())
    app.add(ev.AgentReplied(conversation_id=c.conversation_id,
                            occurred_at=deps.clock.now(),
                            message_id=c.message_id or uuid.uuid4().hex,
                            text=c.text, confidence=c.confidence, intent=c.intent,
                            actions=c.actions))
    turn = len(app.conv.turns) - 1
    decision = judge_and_store(uow, deps, app, turn)
    return cmd.Outcome(c.conversation_id, turn, decision.to_public())


@once()
def request_handoff(c: cmd.RequestHandoff, uow: UnitOfWork,
                    deps: Dependencies) -> cmd.Outcome:
    now = deps.clock.now()
    app = Appender(uow, c.conversation_id)
    start_if_new(app, c.channel, c.customer_ref, now)
    app.add(ev.MessageReceived(conversation_id=c.conversation_id, occurred_at=now,
                               message_id=c.message_id or uuid.uuid4().hex,
                               channel=c.channel, text=c.text))
    turn = len(app.conv.turns) - 1
    app.add(ev.HandoffRequested(conversation_id=c.conversation_id, occurred_at=now,
                                source=c.source, turn=turn))
    decision = judge_and_store(uow, deps, app, turn, one_tap=c.source)
    return cmd.Outcome(c.conversation_id, turn, decision.to_public())


def hand_back_to_bot(c: cmd.HandBackToBot, uow: UnitOfWork,
                     deps: Dependencies) -> cmd.Outcome:
    app = Appender(uow, c.conversation_id)
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
        csat_question(deps, app, closed[-1])  # on the same thread (handlers/seam.py)
    app.save()
    return cmd.Outcome(c.conversation_id, len(app.conv.turns) - 1, None)


def add_internal_note(c: cmd.AddInternalNote, uow: UnitOfWork,
                      deps: Dependencies) -> cmd.Outcome:
    app = Appender(uow, c.conversation_id)
    if not app.loaded:
        raise ConversationNotFound(f"conversation {c.conversation_id!r} does not exist")
    handoff = uow.handoffs.open_for(c.conversation_id)
    app.add(ev.InternalNoteAdded(conversation_id=c.conversation_id,
                                 occurred_at=deps.clock.now(), note_id=uuid.uuid4().hex,
                                 text=c.text, author=c.author,
                                 handoff_id=handoff.id if handoff else None))
    app.save()
    return cmd.Outcome(c.conversation_id, len(app.conv.turns) - 1, None)
