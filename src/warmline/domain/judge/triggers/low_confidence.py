"""`low_confidence`: the agent is unsure, or the message is outside its scope.

From the agent's own reported confidence and intent, or — for a customer message —
from the scope check over the agent's knowledge (a `Signals` verdict). Agents report
confidence in different shapes: a percentage (0..100) is read as a fraction, and an
intent is compared without case, spaces or a namespace ("NLU_Fallback",
"default.fallback"). A confident agent turn never fires.
"""

from __future__ import annotations

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.judge.assessment import scope_reading
from warmline.domain.judge.triggers.base import TurnContext
from warmline.domain.model import Role

KIND = "low_confidence"


def detect(ctx: TurnContext) -> list[TriggerHit]:
    rule = ctx.policy.triggers.low_confidence
    turn = ctx.turn
    if turn.role is Role.AGENT:
        fallbacks = {_intent_key(i) for i in rule.fallback_intents}
        if turn.intent and _intent_key(turn.intent) in fallbacks:
            ev = Evidence(turn=turn.index, quote=turn.intent, unit="intent",
                          note="agent reported a fallback intent")
            return [TriggerHit(KIND, turn.index, "the agent could not map the request", (ev,))]
        confidence = _fraction(turn.confidence)
        if confidence is not None and confidence < rule.confidence_below:
            ev = Evidence(turn=turn.index, quote=turn.text, figure=confidence,
                          unit="confidence",
                          note=f"below the policy threshold {rule.confidence_below}")
            return [TriggerHit(KIND, turn.index, "the agent's confidence is low", (ev,),
                               round(1.0 - confidence, 3))]
        return []
    if turn.role is Role.CUSTOMER:
        verdict = scope_reading(ctx.signals.scope(turn.text), rule.scope_confidence_below)
        if verdict is not None and not verdict.in_scope:
            ev = Evidence(turn=turn.index, quote=turn.text, figure=round(verdict.confidence, 3),
                          unit="scope confidence", note="outside the agent's knowledge")
            return [TriggerHit(KIND, turn.index, "the message is out of the agent's scope",
                               (ev,))]
    return []


def _intent_key(intent: str) -> str:
    """"Default.Fallback" -> "fallback"; "NLU Fallback" -> "nlu_fallback"."""
    key = intent.strip().lower().replace(" ", "_").replace("-", "_")
    return key.rsplit(".", 1)[-1].rsplit("/", 1)[-1]


def _fraction(confidence: float | None) -> float | None:
    """Confidence as a fraction in 0..1; None when missing or not a number."""
    if confidence is None or confidence != confidence:  # NaN
        return None
    if 1.0 < confidence <= 100.0:
        return confidence / 100.0
    return max(0.0, min(1.0, confidence))
