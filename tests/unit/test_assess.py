"""The judge's assessment of a customer turn: topics, route and scope, model or lexicon."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest
from tests.unit.conftest import FakeSignals, Session

from warmline.domain.judge.reading import assess
from warmline.domain.policy import Policy

POLICY = Policy(version="test")


@dataclass
class ModelSignals(FakeSignals):
    """FakeSignals whose label scores the test sets, per text."""

    scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def label_scores(self, text: str) -> Mapping[str, float]:
        return self.scores.get(text, {})


def model_scores(complaint: float = 0.0, cancellation: float = 0.0, refund: float = 0.0,
                 **routes: float) -> dict[str, float]:
    out = {"complaint": complaint, "cancellation": cancellation, "refund_request": refund}
    out.update({f"route.{r}": p for r, p in routes.items()})
    return out


@pytest.mark.parametrize(("text", "topics", "route"), [
    ("please cancel my subscription", ("cancellation",), "retention"),
    ("I want my money back for the blender", ("refund_request",), "billing"),
    ("This is the THIRD time it broke, absolutely ridiculous!!", ("complaint",), "retention"),
    ("I can't log in to my account", (), "account"),
    ("where is my parcel?", (), "fulfilment"),
    ("what are your opening hours", (), "general"),
])
def test_without_a_model_topics_and_route_come_from_the_lexicon(
        text: str, topics: tuple[str, ...], route: str) -> None:
    a = assess(text, FakeSignals(sentiments={text: -0.8} if "THIRD" in text else {}), POLICY)
    assert a.source == "lexical"
    assert a.topics == topics and a.route == route


def test_with_a_model_a_topic_is_read_at_the_policy_threshold() -> None:
    text = "how do I stop my plan"
    signals = ModelSignals(scores={text: model_scores(cancellation=0.55, retention=0.7,
                                                      account=0.2)})
    a = assess(text, signals, POLICY)
    assert a.source == "model" and a.topics == ("cancellation",)
    assert a.route == "retention" and a.route_confidence == pytest.approx(0.7)
    stricter = Policy.from_mapping({"version": "t", "detection": {"topic_threshold": 0.6}})
    assert assess(text, signals, stricter).topics == ()


def test_a_model_without_a_route_head_routes_by_topic() -> None:
    text = "refund me"
    a = assess(text, ModelSignals(scores={text: model_scores(refund=0.9)}), POLICY)
    assert a.route == "billing"


def test_the_scope_reading_applies_the_policy_threshold() -> None:
    inside = assess("where is my order", FakeSignals(scope_configured=True), POLICY)
    assert inside.scope is not None and inside.scope.in_scope
    assert inside.intent == "order_status"
    outside = assess("tell me a joke", FakeSignals(out_of_scope=frozenset({"tell me a joke"})),
                     POLICY)
    assert outside.scope is not None and not outside.scope.in_scope and outside.intent is None
    assert assess("hi", FakeSignals(), POLICY).scope is None


def test_every_customer_decision_carries_its_assessment_and_agent_turns_none() -> None:
    s = Session()
    customer = s.say("customer", "I want to cancel my order")
    agent = s.say("agent", "Sure, which order?", 0.9)
    assert customer.assessment is not None and customer.assessment.has("cancellation")
    assert agent.assessment is None


def test_the_assessment_is_kept_when_the_decision_is_suppressed_after_a_handoff() -> None:
    s = Session()
    assert s.say("customer", "get me a human").escalate
    later = s.say("customer", "and refund my order too")
    assert later.suppressed and later.assessment is not None
    assert later.assessment.has("refund_request")
