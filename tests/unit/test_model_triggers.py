"""The semantic model's probabilities in the triggers: they fire at the policy threshold
and say so in the evidence; below it, the lexicon alone decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.unit.conftest import FakeSignals, customer_says, policy_with


@dataclass
class ModelSignals(FakeSignals):
    scores: Mapping[str, float] = field(default_factory=dict)

    def label_scores(self, text: str) -> Mapping[str, float]:
        return self.scores


CALM = "I expected more from this purchase"


def test_negative_emotion_fires_on_the_model_alone_and_shows_its_probability() -> None:
    [hit] = customer_says("negative_emotion", CALM,
                          signals=ModelSignals(scores={"negative_emotion": 0.83}))
    model = [e for e in hit.evidence if e.note == "semantic model"]
    assert model and model[0].figure == 0.83 and model[0].unit == "probability"
    assert hit.intensity >= 0.83


def test_negative_emotion_ignores_a_model_probability_under_the_threshold() -> None:
    assert customer_says("negative_emotion", CALM,
                         signals=ModelSignals(scores={"negative_emotion": 0.45})) == []
    lenient = policy_with(negative_emotion={"model_threshold": 0.4})
    assert customer_says("negative_emotion", CALM, policy=lenient,
                         signals=ModelSignals(scores={"negative_emotion": 0.45}))


def test_human_request_fires_on_the_model_when_no_pattern_matches() -> None:
    text = "honestly this is going nowhere"
    [hit] = customer_says("human_request", text,
                          signals=ModelSignals(scores={"human_request": 0.9}))
    assert hit.evidence[0].note == "semantic model" and hit.evidence[0].figure == 0.9
    assert customer_says("human_request", text,
                         signals=ModelSignals(scores={"human_request": 0.2})) == []
