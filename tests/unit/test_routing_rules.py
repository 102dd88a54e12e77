"""Routing by the shape of the conversation: each default rule, custom lanes, the why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from warmline.domain import events as ev
from warmline.domain.hits import TriggerHit
from warmline.domain.model import Conversation
from warmline.domain.policy import Policy
from warmline.domain.record.facts import CustomerFacts, OrderFacts
from warmline.domain.routing.route import RoutingInput, route, routing_input

WEDNESDAY_NOON = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # 12:00 in Berlin: open
SUNDAY = datetime(2026, 11, 29, 11, 0, tzinfo=UTC)  # the business schedule is closed
DEFAULT = Policy(version="test-routing")


def routed(policy: Policy = DEFAULT, at: datetime = WEDNESDAY_NOON, **facts: Any) -> Any:
    for key in ("topics", "triggers", "customer_tags"):
        if key in facts:
            facts[key] = frozenset(facts[key])
    return route(policy, RoutingInput(**facts), at)


def test_a_vip_tag_goes_to_the_priority_lane_whatever_the_topic() -> None:
    d = routed(topics={"refund_request"}, customer_tags={"vip"}, customer_value=150.0)
    assert (d.queue, d.rule, d.fallback) == ("priority", "high_value_to_priority_lane", False)
    assert "customer tag vip" in d.reason and d.priority == 80


def test_a_high_lifetime_value_without_a_tag_also_gets_the_priority_lane() -> None:
    d = routed(topics={"complaint"}, customer_value=2400.0)
    assert d.queue == "priority" and "customer value 2400 ≥ 2000" in d.reason


@pytest.mark.parametrize("topic", ["complaint", "cancellation", "chargeback"])
def test_complaints_cancellations_and_disputes_go_to_retention(topic: str) -> None:
    d = routed(topics={topic}, customer_value=300.0)
    assert (d.queue, d.rule) == ("retention", "complaints_and_cancellations_to_retention")
    assert f"topic {topic}" in d.reason and "save the relationship" in d.reason


def test_the_detectors_route_hint_alone_can_send_a_handoff_to_retention() -> None:
    assert routed(route_hint="retention").queue == "retention"


def test_refund_requests_go_to_billing() -> None:
    d = routed(topics={"refund_request"})
    assert (d.queue, d.rule) == ("billing", "refunds_to_billing")


def test_returns_and_address_changes_go_to_fulfilment() -> None:
    assert routed(topics={"return"}).queue == "fulfilment"
    assert routed(topics={"address_change"}).queue == "fulfilment"
    assert routed(route_hint="fulfilment").queue == "fulfilment"


@pytest.mark.parametrize("line", ["kitchen", "living", "apparel"])
def test_a_product_question_goes_to_the_team_for_that_product_line(line: str) -> None:
    d = routed(product_line=line, triggers={"low_confidence"})
    assert (d.queue, d.rule) == (line, "product_questions_to_their_team")
    assert f"queue {line} is that line's team" in d.reason


def test_a_product_line_without_a_team_falls_through_to_the_fallback_saying_so() -> None:
    d = routed(product_line="garden-furniture")
    assert d.fallback and d.queue == "general"
    product = next(c for c in d.trace if c.rule == "product_questions_to_their_team")
    assert not product.matched and "garden-furniture" in product.why


def test_nothing_recognisable_goes_to_the_visible_fallback_with_every_rule_tried() -> None:
    d = routed(triggers={"human_request"})
    assert (d.queue, d.rule, d.fallback) == ("general", "fallback", True)
    assert [c.rule for c in d.trace] == [r.name for r in DEFAULT.routing.rules]
    assert not any(c.matched for c in d.trace)
    assert d.policy_version == "test-routing"


def test_rules_are_tried_in_order_and_the_first_match_wins() -> None:
    d = routed(topics={"complaint", "refund_request"})
    assert d.queue == "retention"  # retention comes before billing in the default order
    assert [c.matched for c in d.trace] == [False, True]


GERMAN_VIP_COMPLAINTS = {
    "version": "2026.12-de",
    "routing": {
        "queues": {
            "general": {"fallback": True},
            "vip_retention_de": {"skills": ["retention", "senior"], "languages": ["de"],
                                 "sla_seconds": 60},
            "priority": {"skills": ["senior"]},
            "retention": {"skills": ["retention"]},
        },
        "rules": [
            {"name": "german_vip_complaints", "queue": "vip_retention_de", "priority": 90,
             "note": "German-speaking senior retention for our best customers",
             "when": [{"topics": ["complaint"], "customer_tags": ["vip"],
                       "languages": ["de"]}]},
            {"name": "vips", "queue": "priority", "priority": 80,
             "when": [{"customer_tags": ["vip"]}]},
            {"name": "complaints", "queue": "retention", "priority": 60,
             "when": [{"topics": ["complaint"]}]},
        ],
    },
}


def test_a_policy_can_send_complaints_from_vips_in_german_to_their_own_lane() -> None:
    policy = Policy.from_mapping(GERMAN_VIP_COMPLAINTS)
    d = routed(policy, topics={"complaint"}, customer_tags={"VIP"}, language="de")
    assert (d.queue, d.rule, d.priority) == ("vip_retention_de", "german_vip_complaints", 90)
    assert d.reason.startswith("topic complaint; customer tag vip; language de")
    assert d.policy_version == "2026.12-de"
    # the same complaint in French, or from a non-VIP, takes the next lanes
    assert routed(policy, topics={"complaint"}, customer_tags={"vip"},
                  language="fr").queue == "priority"
    assert routed(policy, topics={"complaint"}, language="de").queue == "retention"


def test_sentiment_channel_and_hours_filters_route_as_written() -> None:
    policy = Policy.from_mapping({"version": "x", "routing": {"rules": [
        {"name": "angry_whatsapp", "queue": "retention", "priority": 70,
         "when": [{"max_sentiment": -0.5, "channels": ["whatsapp"]}]},
        {"name": "weekend", "queue": "priority", "priority": 50,
         "when": [{"hours": "closed"}]},
    ]}})
    angry = routed(policy, sentiment=-0.8, channel="whatsapp")
    assert angry.queue == "retention" and "sentiment -0.80 ≤ -0.50" in angry.reason
    assert routed(policy, sentiment=-0.8, channel="web").fallback
    assert routed(policy, sentiment=None, channel="whatsapp").fallback  # unknown: no match
    assert routed(policy, at=SUNDAY).queue == "priority"
    assert routed(policy, at=WEDNESDAY_NOON).fallback


def _conversation(*texts: str, hits: tuple[TriggerHit, ...] = (),
                  assessment: Any = None) -> Conversation:
    c, t = "c1", WEDNESDAY_NOON
    log: list[ev.Event] = [ev.ConversationStarted(conversation_id=c, occurred_at=t,
                                                  channel="whatsapp", customer_ref="cust")]
    log += [ev.MessageReceived(conversation_id=c, occurred_at=t, message_id=f"m{i}",
                               channel="whatsapp", text=x) for i, x in enumerate(texts)]
    turn = len(texts) - 1
    decision = ev.DecisionMade(conversation_id=c, occurred_at=t, turn=turn, escalate=True,
                               hits=hits, policy_version="v")
    if assessment is not None:
        object.__setattr__(decision, "assessment", assessment)
    log += [decision, ev.EscalationTriggered(conversation_id=c, occurred_at=t, turn=turn,
                                             hits=hits, policy_version="v")]
    return Conversation.replay(c, log)


RECORD = CustomerFacts(ref="cust", lifetime_value=3100.0, tags=("VIP",), orders=(
    OrderFacts(id="1043", total=184.0, currency="EUR", status="delivered",
               items="Aurora Blender", product_line="kitchen"),), language="de")


def test_the_routing_input_comes_from_the_customers_words_triggers_and_record() -> None:
    hit = TriggerHit("negative_emotion", 0, "anger", intensity=0.8)
    item = routing_input(_conversation("I want to cancel order 1043, the blender is broken"
                                       " AGAIN", hits=(hit,)), RECORD)
    assert {"cancellation", "complaint"} <= item.topics
    assert item.triggers == {"negative_emotion"} and item.sentiment == -0.8
    assert (item.customer_value, item.customer_tags, item.language) == (3100.0, {"vip"}, "de")
    assert item.product_line == "kitchen" and item.channel == "whatsapp"


def test_the_product_line_needs_an_order_or_product_the_customer_talks_about() -> None:
    assert routing_input(_conversation("can I talk to a person?"), RECORD).product_line is None
    said = routing_input(_conversation("does the Aurora blender have a glass jug?"), RECORD)
    assert said.product_line == "kitchen"


def test_the_detection_assessment_is_read_when_the_decision_carries_one() -> None:
    assessment = {"topics": ["refund_request"], "route": "billing",
                  "scope": {"intent": "refund", "in_scope": True}, "sentiment": -0.3}
    item = routing_input(_conversation("hello", assessment=assessment), None)
    assert "refund_request" in item.topics and item.route_hint == "billing"
    assert item.intent == "refund" and item.sentiment == -0.3
    assert item.customer_value is None and item.language is None


def test_a_product_line_named_by_the_record_finds_its_team_by_name_or_id() -> None:
    assert routed(product_line="kitchen appliances").queue == "kitchen"  # the line's name
    assert routed(product_line="Home & living").queue == "living"
    assert routed(product_line="apparel").queue == "apparel"  # the line's id
