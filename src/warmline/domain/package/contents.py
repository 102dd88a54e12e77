"""The warm-handoff context package: what travels with a conversation to a human.

A value, built once when the conversation escalates (`domain/package/builder.py` builds it,
the service stores it as a `ContextPackaged` event) and JSON-serialisable under a
versioned schema (`SCHEMA`). It holds the audit snapshot of the record (`record`) and
the references to read it live (`refs`): whoever opens the package sees the record as
it is now, with the changes since the snapshot marked (`service/handlers/package.py`).

Schema history: `warmline.context/1` — the first version (docs/context.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SCHEMA = "warmline.context/1"


@dataclass(frozen=True)
class Summary:
    """Two sentences a teammate reads at a glance."""

    wants: str  # what the customer wants
    tried: str  # what has already been tried

    @property
    def text(self) -> str:
        return f"{self.wants} {self.tried}"


@dataclass(frozen=True)
class Quote:
    """The customer's own words that matter, with why they were picked."""

    turn: int
    text: str
    why: str


@dataclass(frozen=True)
class SentimentPoint:
    turn: int
    score: float  # -1 (very unhappy) .. 1
    label: str  # angry | unhappy | neutral | positive


@dataclass(frozen=True)
class NextStep:
    rule: str  # the policy rule that produced it: context.next_steps.<rule>
    text: str


@dataclass(frozen=True)
class Refs:
    """What to read live: the customer, and the orders and cart the conversation is about."""

    customer_ref: str | None = None
    order_ids: tuple[str, ...] = ()
    cart_id: str | None = None


@dataclass(frozen=True)
class ContextPackage:
    conversation_id: str
    built_at: datetime
    turn: int  # the turn that escalated
    policy_version: str
    channel: str
    summary: Summary
    next_step: NextStep
    first_message: str
    refs: Refs = field(default_factory=Refs)
    language: str = "en"
    customer_name: str = ""
    triggers: tuple[dict[str, Any], ...] = ()  # the hits that escalated, with evidence
    sentiment: tuple[SentimentPoint, ...] = ()
    trend: str = "steady"  # worsening | steady | improving
    quotes: tuple[Quote, ...] = ()
    history: tuple[dict[str, Any], ...] = ()  # past conversations and handoffs, newest first
    record: dict[str, Any] | None = None  # the snapshot, as read when it escalated
    record_error: str | None = None  # why the record could not be read, if it could not
    schema: str = SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "conversation_id": self.conversation_id,
            "built_at": self.built_at.isoformat(),
            "turn": self.turn,
            "policy_version": self.policy_version,
            "channel": self.channel,
            "language": self.language,
            "customer_name": self.customer_name,
            "summary": {"wants": self.summary.wants, "tried": self.summary.tried,
                        "text": self.summary.text},
            "next_step": {"rule": self.next_step.rule, "text": self.next_step.text},
            "first_message": self.first_message,
            "refs": {"customer_ref": self.refs.customer_ref,
                     "order_ids": list(self.refs.order_ids), "cart_id": self.refs.cart_id},
            "triggers": [dict(t) for t in self.triggers],
            "sentiment": {"trend": self.trend,
                          "points": [{"turn": p.turn, "score": p.score, "label": p.label}
                                     for p in self.sentiment]},
            "quotes": [{"turn": q.turn, "text": q.text, "why": q.why} for q in self.quotes],
            "history": [dict(h) for h in self.history],
            "record": self.record,
            "record_error": self.record_error,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContextPackage:
        """Inverse of `to_dict`; a package of an unknown schema is refused, not guessed."""
        if data.get("schema") != SCHEMA:
            raise ValueError(f"unsupported context package schema {data.get('schema')!r} "
                             f"(this Warmline reads {SCHEMA})")
        refs, sentiment = data["refs"], data["sentiment"]
        return cls(
            conversation_id=data["conversation_id"],
            built_at=datetime.fromisoformat(data["built_at"]),
            turn=data["turn"], policy_version=data["policy_version"],
            channel=data["channel"], language=data.get("language", "en"),
            customer_name=data.get("customer_name", ""),
            summary=Summary(data["summary"]["wants"], data["summary"]["tried"]),
            next_step=NextStep(data["next_step"]["rule"], data["next_step"]["text"]),
            first_message=data["first_message"],
            refs=Refs(refs["customer_ref"], tuple(refs["order_ids"]), refs["cart_id"]),
            triggers=tuple(data["triggers"]),
            sentiment=tuple(SentimentPoint(p["turn"], p["score"], p["label"])
                            for p in sentiment["points"]),
            trend=sentiment["trend"],
            quotes=tuple(Quote(q["turn"], q["text"], q["why"]) for q in data["quotes"]),
            history=tuple(data["history"]), record=data["record"],
            record_error=data.get("record_error"))


def sentiment_label(score: float) -> str:
    if score <= -0.6:
        return "angry"
    if score <= -0.2:
        return "unhappy"
    return "positive" if score >= 0.3 else "neutral"


def trend_of(points: tuple[SentimentPoint, ...]) -> str:
    """Worsening when the latest customer turn is clearly below the first, and so on."""
    if len(points) < 2:
        return "steady"
    delta = points[-1].score - points[0].score
    if delta <= -0.3:
        return "worsening"
    return "improving" if delta >= 0.3 else "steady"
