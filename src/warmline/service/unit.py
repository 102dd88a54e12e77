"""What every handler shares: its dependencies, the appender, and handling a message once.

Handlers run inside a unit of work the bus opened (service/messagebus.py); they load a
conversation into an `Appender`, add new events, append them, and return. The bus commits,
then hands what the conversation now owes the customer to delivery.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from warmline.domain import events as ev
from warmline.domain.commands import ConversationCommand, Outcome
from warmline.domain.judge.decision import Decision
from warmline.domain.model import Conversation
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

C = TypeVar("C", bound=ConversationCommand)
Handler = Callable[[C, UnitOfWork, "Dependencies"], Outcome]


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


class Appender:
    """One conversation inside a unit of work: its stored events, replayed, and the new
    events, each folded into the conversation as it is added."""

    def __init__(self, uow: UnitOfWork, conversation_id: str) -> None:
        self.uow = uow
        self.loaded = uow.conversations.load(conversation_id)
        self.conv = Conversation.replay(conversation_id, self.loaded)
        self.new: list[ev.Event] = []

    @property
    def events(self) -> list[ev.Event]:
        """Stored and new, in order."""
        return self.loaded + self.new

    def add(self, event: ev.Event) -> None:
        self.conv.apply(event)
        self.new.append(event)

    def save(self) -> None:
        """Append the new events after the loaded ones (ConcurrencyError if another
        writer appended meanwhile: the bus retries the command on fresh state)."""
        self.uow.conversations.append(self.conv.id, self.new,
                                      expected_version=len(self.loaded))


def decision_for(events: list[ev.Event], turn: int) -> dict[str, Any] | None:
    """The public form of the decision stored for `turn`, if one was."""
    for e in events:
        if isinstance(e, ev.DecisionMade) and e.turn == turn:
            escalation = next((x for x in events if isinstance(x, ev.EscalationTriggered)
                               and x.turn == turn), None)
            firing = escalation.hits if escalation else ()
            return Decision(turn, e.escalate, e.hits, firing, e.policy_version,
                            e.suppressed).to_public()
    return None


def once(*, judged: bool = True) -> Callable[[Handler[C]], Handler[C]]:
    """Handle a command that carries a platform's message id (`inbound_key()`) once: a
    repeat (a retried webhook, a client's retry) gets the first outcome, marked duplicate,
    and writes nothing. The key is stored with the events, in the same unit of work, so
    two racing deliveries cannot both commit (the loser's ConcurrencyError makes the bus
    retry and then find the duplicate). `judged`: the repeat carries the stored decision.
    A command without a message id is simply handled."""
    def wrap(handler: Handler[C]) -> Handler[C]:
        @functools.wraps(handler)
        def run(c: C, uow: UnitOfWork, deps: Dependencies) -> Outcome:
            keyed = c.inbound_key()
            if keyed is None:
                return handler(c, uow, deps)
            channel, message_id = keyed
            found = uow.conversations.inbound(channel, message_id)
            if found is not None:
                decision = (decision_for(uow.conversations.load(found.conversation_id),
                                         found.turn) if judged else None)
                return Outcome(found.conversation_id, found.turn, decision, True)
            outcome = handler(c, uow, deps)
            uow.conversations.remember_inbound(
                channel, message_id, InboundKey(outcome.conversation_id, outcome.turn))
            return outcome
        return run
    return wrap
