"""The judge: run every enabled trigger on one turn and decide, as a value.

Immediate triggers (`after: 1`) escalate on their first hit; the others once the
number of turns hit in the current window reaches the policy's `after`. A conversation
already handed over is not escalated again until it is handed back to the bot.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warmline.domain.hits import TriggerHit
from warmline.domain.judge.assessment import Assessment
from warmline.domain.judge.reading import assess
from warmline.domain.judge.signals import Signals
from warmline.domain.judge.triggers import DETECTORS, TurnContext
from warmline.domain.model import Conversation, Role
from warmline.domain.policy import Policy
from warmline.domain.record.facts import CustomerFacts


@dataclass(frozen=True)
class Decision:
    turn: int
    escalate: bool
    hits: tuple[TriggerHit, ...]  # every hit on this turn
    firing: tuple[TriggerHit, ...]  # the hits that made it escalate
    policy_version: str
    suppressed: bool = False
    assessment: Assessment | None = None  # topics, route, scope (customer turns)

    def to_public(self) -> dict[str, Any]:
        """The stable public shape (`warmline decide`, the API)."""
        return {
            "escalate": self.escalate,
            "turn": self.turn if self.escalate else None,
            "triggers": [public_hit(h) for h in self.firing],
            "policy_version": self.policy_version,
        }


def public_hit(hit: TriggerHit) -> dict[str, Any]:
    return {
        "kind": hit.kind,
        "turn": hit.turn,
        "reason": hit.reason,
        "intensity": hit.intensity,
        "evidence": [{k: v for k, v in dataclasses.asdict(e).items() if v not in (None, "")}
                     for e in hit.evidence],
    }


def judge(conv: Conversation, turn_index: int, *, signals: Signals, policy: Policy,
          now: datetime, record: CustomerFacts | None = None,
          one_tap: str | None = None) -> Decision:
    """Judge turn `turn_index` of `conv` given only that turn and those before it."""
    turn = conv.turns[turn_index]
    ctx = TurnContext(turns=conv.turns[conv.window_start:turn_index + 1], turn=turn,
                      signals=signals, policy=policy, now=now, record=record,
                      one_tap=one_tap)
    hits: list[TriggerHit] = []
    for kind, detect in DETECTORS.items():
        if policy.triggers.rule(kind).enabled:
            hits.extend(detect(ctx))
    assessment = (assess(turn.text, signals, policy)
                  if turn.role is Role.CUSTOMER else None)
    if conv.escalated:
        return Decision(turn_index, False, tuple(hits), (), policy.version, suppressed=True,
                        assessment=assessment)
    firing = []
    for hit in hits:
        after = policy.triggers.rule(hit.kind).after
        earlier = [t for t in conv.hits_in_window(hit.kind) if t < turn_index]
        count = len(earlier) + 1
        if count >= after:
            if after > 1:
                hit = dataclasses.replace(
                    hit, reason=f"{hit.reason} ({count} of {after}; earlier turns "
                                f"{', '.join(map(str, earlier))})")
            firing.append(hit)
    return Decision(turn_index, bool(firing), tuple(hits), tuple(firing), policy.version,
                    assessment=assessment)
