"""What the judge reads in a customer turn besides triggers: topics, route and scope.

A value recorded with every decision (`DecisionMade.assessment`): `warmline eval`
scores it against labelled data, and routing reads it to pick a queue. It holds no
behaviour; `domain/judge/reading.py` computes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from warmline.domain.judge.signals import ScopeVerdict

#: Topics read in every customer turn (each a yes/no with a score in 0..1).
TOPICS = ("complaint", "cancellation", "refund_request")
#: Queues a handoff can belong to (FORMAT.md's routes).
ROUTES = ("retention", "billing", "fulfilment", "account", "general")


@dataclass(frozen=True)
class ScopeReading:
    """The scope check under the policy: in scope or not, the nearest intent, confidence."""

    in_scope: bool
    intent: str | None
    confidence: float


@dataclass(frozen=True)
class Assessment:
    """Topics found (with every topic's score), the route and the scope reading."""

    topics: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    route: str = "general"
    route_confidence: float = 0.0
    scope: ScopeReading | None = None
    source: str = "lexical"  # "lexical" or "model": what the topic scores came from
    sentiment: float | None = None  # compound sentiment of the message, -1..1

    @property
    def intent(self) -> str | None:
        """The agent's intent for the message, when the scope check placed it in scope."""
        return self.scope.intent if self.scope is not None and self.scope.in_scope else None

    def has(self, topic: str) -> bool:
        return topic in self.topics

    def to_dict(self) -> dict[str, Any]:
        return {
            "topics": list(self.topics),
            "scores": dict(self.scores),
            "route": self.route,
            "route_confidence": self.route_confidence,
            "scope": None if self.scope is None else {
                "in_scope": self.scope.in_scope, "intent": self.scope.intent,
                "confidence": self.scope.confidence},
            "source": self.source,
            "sentiment": self.sentiment,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        scope = data.get("scope")
        return cls(
            topics=tuple(data.get("topics", ())),
            scores={str(k): float(v) for k, v in data.get("scores", {}).items()},
            route=data.get("route", "general"),
            route_confidence=float(data.get("route_confidence", 0.0)),
            scope=None if scope is None else ScopeReading(
                in_scope=bool(scope["in_scope"]), intent=scope.get("intent"),
                confidence=float(scope["confidence"])),
            source=data.get("source", "lexical"),
            sentiment=data.get("sentiment"),
        )


def scope_reading(verdict: ScopeVerdict | None, below: float) -> ScopeReading | None:
    """The scope verdict under the policy: out of scope when the adapter says so, or when
    its calibrated confidence is under `below` (`low_confidence.scope_confidence_below`)."""
    if verdict is None:
        return None
    inside = verdict.in_scope and verdict.confidence >= below
    return ScopeReading(inside, verdict.intent, verdict.confidence)
