"""Trigger hits and their evidence: why a conversation should (or did) escalate."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class TriggerKind(StrEnum):
    HUMAN_REQUEST = "human_request"
    LOOPING = "looping"
    LOW_CONFIDENCE = "low_confidence"
    NEGATIVE_EMOTION = "negative_emotion"
    MONEY_RISK = "money_risk"
    POLICY_EDGE = "policy_edge"


@dataclass(frozen=True)
class Evidence:
    """What a hit points at: a turn, the words in it (character span) and a figure."""

    turn: int
    quote: str = ""
    start: int | None = None
    end: int | None = None
    figure: float | None = None
    unit: str | None = None
    note: str = ""

    @classmethod
    def span(cls, turn: int, text: str, start: int, end: int, **kw: Any) -> Evidence:
        return cls(turn=turn, quote=text[start:end], start=start, end=end, **kw)


@dataclass(frozen=True)
class TriggerHit:
    """One trigger firing on one turn, with its evidence and an intensity in 0..1."""

    kind: str
    turn: int
    reason: str
    evidence: tuple[Evidence, ...] = ()
    intensity: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TriggerHit:
        return cls(
            kind=data["kind"],
            turn=data["turn"],
            reason=data["reason"],
            evidence=tuple(Evidence(**e) for e in data.get("evidence", ())),
            intensity=data.get("intensity", 1.0),
        )
