"""Fakes and builders for the domain unit tests: no adapters, no I/O, no model.

`FakeSignals` implements the `Signals` protocol: a sentiment map with a default,
the lexical similarity of `warmline.domain.text`, no model labels and a configurable
scope verdict. `conversation(...)` builds a `Conversation` by replaying events, the
only way state is built in production; `Session` plays turns through `judge` and
records decisions and escalations the way the service layer does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from warmline.domain import events as ev
from warmline.domain.hits import TriggerHit
from warmline.domain.judge.decision import Decision, judge
from warmline.domain.judge.signals import ScopeVerdict, Signals
from warmline.domain.judge.triggers import DETECTORS, TurnContext
from warmline.domain.model import Conversation, Role
from warmline.domain.policy import Policy
from warmline.domain.record.facts import CustomerFacts, OrderFacts
from warmline.domain.text import lexical_similarity

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CID = "conv-test"


@dataclass
class FakeSignals:
    """A `Signals` whose answers the test decides."""

    sentiments: Mapping[str, float] = field(default_factory=dict)
    default_sentiment: float = 0.0
    out_of_scope: frozenset[str] = frozenset()  # customer texts the scope check rejects
    scope_configured: bool = False  # False: scope() answers None (no knowledge configured)

    def sentiment(self, text: str) -> float:
        return self.sentiments.get(text, self.default_sentiment)

    def similarity(self, a: str, b: str) -> float:
        return lexical_similarity(a, b)

    def label_scores(self, text: str) -> Mapping[str, float]:
        return {}

    def scope(self, text: str) -> ScopeVerdict | None:
        if text in self.out_of_scope:
            return ScopeVerdict(in_scope=False, intent=None, confidence=0.21)
        if self.scope_configured:
            return ScopeVerdict(in_scope=True, intent="order_status", confidence=0.88)
        return None


# A turn spec: (role, text) or (role, text, confidence) or (role, text, confidence, intent).
TurnSpec = tuple[Any, ...]


def _event(i: int, spec: TurnSpec) -> ev.Event:
    role, text, *rest = spec
    confidence = rest[0] if rest else None
    intent = rest[1] if len(rest) > 1 else None
    at = NOW - timedelta(minutes=30) + timedelta(minutes=i)
    if Role(role) is Role.CUSTOMER:
        return ev.MessageReceived(conversation_id=CID, occurred_at=at, message_id=f"m{i}",
                                  channel="web", text=text)
    if Role(role) is Role.AGENT:
        return ev.AgentReplied(conversation_id=CID, occurred_at=at, message_id=f"a{i}",
                               text=text, confidence=confidence, intent=intent)
    return ev.HumanReplied(conversation_id=CID, occurred_at=at, message_id=f"h{i}", text=text,
                           author="sam")


def conversation(*turns: TurnSpec) -> Conversation:
    """A conversation holding these turns, rebuilt from its events."""
    events: list[ev.Event] = [ev.ConversationStarted(conversation_id=CID, occurred_at=NOW,
                                                     channel="web")]
    events += [_event(i, spec) for i, spec in enumerate(turns)]
    return Conversation.replay(CID, events)


def detect(kind: str, *turns: TurnSpec, signals: Signals | None = None,
           policy: Policy | None = None, record: CustomerFacts | None = None,
           now: datetime = NOW, one_tap: str | None = None) -> list[TriggerHit]:
    """Run one detector on the last of `turns`."""
    conv = conversation(*turns)
    turn = conv.turns[-1]
    ctx = TurnContext(turns=conv.turns, turn=turn, signals=signals or FakeSignals(),
                      policy=policy or Policy(version="test"), now=now, record=record,
                      one_tap=one_tap)
    return DETECTORS[kind](ctx)


def customer_says(kind: str, text: str, **kw: Any) -> list[TriggerHit]:
    """Run one detector on a one-message conversation."""
    return detect(kind, ("customer", text), **kw)


def policy_with(**triggers: Mapping[str, Any]) -> Policy:
    """The default policy with some trigger settings overridden."""
    return Policy.from_mapping({"version": "test-1", "triggers": dict(triggers)})


def order(id: str = "1043", total: float = 184.0, currency: str = "EUR",
          status: str = "delivered", placed_days_ago: int | None = 20,
          dispatched_days_ago: int | None = 16,
          delivered_days_ago: int | None = 12) -> OrderFacts:
    def ago(days: int | None) -> datetime | None:
        return None if days is None else NOW - timedelta(days=days)

    return OrderFacts(id=id, total=total, currency=currency, status=status,
                      placed_at=ago(placed_days_ago), dispatched_at=ago(dispatched_days_ago),
                      delivered_at=ago(delivered_days_ago))


def customer(*orders: OrderFacts) -> CustomerFacts:
    return CustomerFacts(ref="c-1", lifetime_value=500.0, orders=tuple(orders))


class Session:
    """Plays turns through `judge` and folds the outcome in, as the service layer does."""

    def __init__(self, *, signals: Signals | None = None, policy: Policy | None = None,
                 record: CustomerFacts | None = None) -> None:
        self.signals: Signals = signals or FakeSignals()
        self.policy = policy or Policy(version="2026.11.1")
        self.record = record
        self.conv = Conversation.replay(CID, [ev.ConversationStarted(
            conversation_id=CID, occurred_at=NOW, channel="web")])
        self.decisions: list[Decision] = []

    def _judge(self, one_tap: str | None = None) -> Decision:
        turn = len(self.conv.turns) - 1
        d = judge(self.conv, turn, signals=self.signals, policy=self.policy, now=NOW,
                  record=self.record, one_tap=one_tap)
        self.conv.apply(ev.DecisionMade(conversation_id=CID, occurred_at=NOW, turn=turn,
                                        escalate=d.escalate, hits=d.hits,
                                        policy_version=d.policy_version,
                                        suppressed=d.suppressed))
        if d.escalate:
            self.conv.apply(ev.EscalationTriggered(conversation_id=CID, occurred_at=NOW,
                                                   turn=turn, hits=d.firing,
                                                   policy_version=d.policy_version))
        self.decisions.append(d)
        return d

    def say(self, *spec: Any, one_tap: str | None = None) -> Decision:
        """Add one turn ((role, text[, confidence[, intent]])) and judge it."""
        self.conv.apply(_event(len(self.conv.turns), spec))
        return self._judge(one_tap)

    def play(self, turns: Iterable[TurnSpec]) -> list[Decision]:
        return [self.say(*t) for t in turns]

    def hand_back(self) -> None:
        self.conv.apply(ev.HandedBackToBot(conversation_id=CID, occurred_at=NOW, by="sam"))

    def first_escalation(self) -> Decision | None:
        return next((d for d in self.decisions if d.escalate), None)
