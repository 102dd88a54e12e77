"""Conversation state, derived only by replaying its event log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from warmline.domain import events as ev


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    HUMAN = "human"


class Mode(StrEnum):
    """Who holds the thread: the bot, nobody yet (a human is coming), or a human."""

    BOT = "bot"
    WAITING = "waiting_for_human"
    HUMAN = "human"


@dataclass(frozen=True)
class Turn:
    """One message in the thread, as the detectors see it."""

    index: int
    role: Role
    text: str
    confidence: float | None = None
    intent: str | None = None
    actions: tuple[str, ...] = ()
    message_id: str | None = None
    at: datetime | None = None


@dataclass
class Conversation:
    """A conversation rebuilt from its events; never mutated except by `apply`."""

    id: str
    channel: str = "api"
    customer_ref: str | None = None
    turns: list[Turn] = field(default_factory=list)
    mode: Mode = Mode.BOT
    #: index of the first turn judged since the bot last held the thread alone
    window_start: int = 0
    #: kind -> turn indexes with a hit, inside the current window
    hit_turns: dict[str, list[int]] = field(default_factory=dict)
    escalations: list[ev.EscalationTriggered] = field(default_factory=list)
    last_decision: ev.DecisionMade | None = None
    #: the warm-handoff packages built at each escalation, oldest first
    packages: list[ev.ContextPackaged] = field(default_factory=list)
    version: int = 0

    @classmethod
    def replay(cls, conversation_id: str, events: Iterable[ev.Event]) -> Conversation:
        conv = cls(id=conversation_id)
        for event in events:
            conv.apply(event)
        return conv

    @property
    def escalated(self) -> bool:
        return self.mode is not Mode.BOT

    def apply(self, event: ev.Event) -> None:
        """Fold one event into the state (the only way state changes)."""
        self.version += 1
        match event:
            case ev.ConversationStarted():
                self.channel = event.channel
                self.customer_ref = event.customer_ref
            case ev.MessageReceived():
                self._add_turn(Role.CUSTOMER, event.text, message_id=event.message_id,
                               at=event.occurred_at)
            case ev.AgentReplied():
                self._add_turn(Role.AGENT, event.text, confidence=event.confidence,
                               intent=event.intent, actions=event.actions,
                               message_id=event.message_id, at=event.occurred_at)
            case ev.HumanReplied():
                self._add_turn(Role.HUMAN, event.text, message_id=event.message_id,
                               at=event.occurred_at)
                self.mode = Mode.HUMAN
            case ev.DecisionMade():
                self.last_decision = event
                for hit in event.hits:
                    turns = self.hit_turns.setdefault(hit.kind, [])
                    if event.turn not in turns:
                        turns.append(event.turn)
            case ev.EscalationTriggered():
                self.escalations.append(event)
                self.mode = Mode.WAITING
            case ev.CustomerIdentified():
                self.customer_ref = event.customer_ref
            case ev.HandedBackToBot():
                self.mode = Mode.BOT
                self.window_start = len(self.turns)
                self.hit_turns = {}
            case ev.HandoffRequested():
                pass  # judged like a message; the decision that follows carries it
            case ev.HandoffAccepted():
                self.mode = Mode.HUMAN
            case ev.HandoffReleased() | ev.HandoffTransferred():
                self.mode = Mode.WAITING
            case ev.HandoffResolved():
                if event.hand_back:  # as HandedBackToBot: the bot holds it, triggers re-arm
                    self.mode = Mode.BOT
                    self.window_start = len(self.turns)
                    self.hit_turns = {}
            case (ev.HandoffRouted() | ev.HandoffDeferred() | ev.HandoffEscalated()
                  | ev.HandoffWithdrawn()):
                pass  # queue facts; the conversation keeps waiting (docs/routing.md)
            case (ev.OutboundRequested() | ev.CsatReceived() | ev.SeamLeakDetected()
                  | ev.DetailChecked() | ev.InternalNoteAdded()):
                pass  # what was sent and heard around the seam; turns stay the customer's
            case ev.ContextPackaged():
                self.packages.append(event)
            case _:
                raise TypeError(f"unknown event {type(event).__name__}")

    def _add_turn(self, role: Role, text: str, **kw: object) -> None:
        self.turns.append(Turn(len(self.turns), role, text, **kw))  # type: ignore[arg-type]

    def in_channel_order(self) -> list[int]:
        """Turn indexes in the order the messages were sent (the channel's timestamps),
        which differs from arrival order when a platform delivers late.

        Turn indexes stay in arrival order: each decision judged the conversation as it
        was known when it was made, and its evidence cites turns by index, so the log is
        never reordered (docs/benchmarks.md, "Out-of-order deliveries"). Readers that
        show a transcript use this order. Turns without a time keep their place.
        """
        timed = [t for t in self.turns if t.at is not None]
        order = sorted(timed, key=lambda t: (t.at, t.index))
        slots = iter(t.index for t in order)
        return [next(slots) if t.at is not None else t.index for t in self.turns]

    def late_turns(self) -> set[int]:
        """Turns that arrived after a turn sent later than them (delivered out of order)."""
        late, latest = set(), None
        for t in self.turns:
            if t.at is None:
                continue
            if latest is not None and t.at < latest:
                late.add(t.index)
            latest = t.at if latest is None or t.at > latest else latest
        return late

    def hits_in_window(self, kind: str) -> list[int]:
        return list(self.hit_turns.get(kind, []))
