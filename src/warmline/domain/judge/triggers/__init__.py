"""The six escalation triggers. Each module exposes `detect(ctx) -> list[TriggerHit]`."""

from warmline.domain.judge.triggers import (
    human_request,
    looping,
    low_confidence,
    money_risk,
    negative_emotion,
    policy_edge,
)
from warmline.domain.judge.triggers.base import Detector, TurnContext

DETECTORS: dict[str, Detector] = {
    "human_request": human_request.detect,
    "looping": looping.detect,
    "low_confidence": low_confidence.detect,
    "negative_emotion": negative_emotion.detect,
    "money_risk": money_risk.detect,
    "policy_edge": policy_edge.detect,
}

__all__ = ["DETECTORS", "Detector", "TurnContext"]
