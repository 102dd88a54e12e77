"""What every detector receives: a read-only view of one turn in its conversation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from warmline.domain.hits import TriggerHit
from warmline.domain.judge.signals import Signals
from warmline.domain.model import Role, Turn
from warmline.domain.policy import Policy
from warmline.domain.record.facts import CustomerFacts


@dataclass(frozen=True)
class TurnContext:
    """The turn being judged, the turns before it (since the last hand-back) and signals."""

    turns: Sequence[Turn]  # the window, ending with `turn`
    turn: Turn
    signals: Signals
    policy: Policy
    now: datetime
    record: CustomerFacts | None = None
    one_tap: str | None = None  # source of an explicit handoff request on this turn

    @property
    def is_customer(self) -> bool:
        return self.turn.role is Role.CUSTOMER

    def earlier(self, role: Role) -> list[Turn]:
        return [t for t in self.turns if t.role is role and t.index < self.turn.index]


Detector = Callable[[TurnContext], list[TriggerHit]]
