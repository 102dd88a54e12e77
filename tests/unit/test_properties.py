"""Properties of the domain, checked on generated conversations and policies (hypothesis).

- replaying a conversation's events is deterministic: folding the same events twice, or
  the events after a trip through their stored JSON form, gives equal state;
- a decision never cites a turn that does not exist (or a later one), and every quoted
  span is the cited turn's own words;
- a policy round-trips: dump -> load gives an equal policy, through YAML too.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import timedelta
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.conftest import CID, NOW, FakeSignals, customer, order

from warmline.adapters.policy_file import parse_policy
from warmline.domain import events as ev
from warmline.domain.judge.decision import Decision, judge
from warmline.domain.model import Conversation
from warmline.domain.policy import DetectionRules, Policy, Triggers

PHRASES = (
    "I want to talk to a human", "can I speak to someone please", "no need for a human",
    "Where is my order #1043?", "I want a refund of €250 for order 1043",
    "cancel my order now", "This is the THIRD time it broke!!", "I'll file a chargeback",
    "can you price match?", "change my address, it was dispatched already",
    "thanks, that helps", "where is my order", "where is my order?", "ok",
    "my warranty claim for the blender", "I returned it 45 days after delivery",
)
AGENT = ("Your order is on its way.", "I'm not sure I understand.",
         "Could you rephrase that?", "Here is our return policy.")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

customer_text = st.one_of(st.sampled_from(PHRASES), st.text(max_size=80),
                          st.builds(lambda a, b: f"{a} {b}", st.sampled_from(PHRASES),
                                    st.text(max_size=30)))
action = st.one_of(
    st.tuples(st.just("customer"), customer_text),
    st.tuples(st.just("agent"), st.sampled_from(AGENT),
              st.one_of(st.none(), st.floats(0, 1)),
              st.sampled_from([None, "fallback", "order_status"])),
    st.tuples(st.just("one_tap"), st.sampled_from(["button", "keyword", "api"])),
    st.tuples(st.just("hand_back")),
)


def play(actions: list[tuple[Any, ...]], sentiment: float,
         with_record: bool) -> tuple[list[ev.Event], list[Decision], Conversation]:
    """Drive the judge as the service layer does; returns the events it appended."""
    signals = FakeSignals(default_sentiment=sentiment)
    policy = Policy(version="prop-1")
    record = customer(order()) if with_record else None
    events: list[ev.Event] = [ev.ConversationStarted(conversation_id=CID, occurred_at=NOW,
                                                     channel="web")]
    conv = Conversation.replay(CID, events)
    decisions = []

    def add(e: ev.Event) -> None:
        conv.apply(e)
        events.append(e)

    for i, a in enumerate(actions):
        at = NOW + timedelta(seconds=i)
        one_tap = None
        if a[0] == "hand_back":
            if conv.escalated:
                add(ev.HandedBackToBot(conversation_id=CID, occurred_at=at, by="sam"))
            continue
        if a[0] == "customer":
            add(ev.MessageReceived(conversation_id=CID, occurred_at=at, message_id=f"m{i}",
                                   channel="web", text=a[1]))
        elif a[0] == "one_tap":
            one_tap = a[1]
            add(ev.MessageReceived(conversation_id=CID, occurred_at=at, message_id=f"m{i}",
                                   channel="web", text="Talk to a person"))
            add(ev.HandoffRequested(conversation_id=CID, occurred_at=at, source=a[1],
                                    turn=len(conv.turns) - 1))
        else:
            add(ev.AgentReplied(conversation_id=CID, occurred_at=at, message_id=f"a{i}",
                                text=a[1], confidence=a[2], intent=a[3]))
        turn = len(conv.turns) - 1
        d = judge(conv, turn, signals=signals, policy=policy, now=at, record=record,
                  one_tap=one_tap)
        decisions.append(d)
        add(ev.DecisionMade(conversation_id=CID, occurred_at=at, turn=turn,
                            escalate=d.escalate, hits=d.hits, policy_version=d.policy_version,
                            suppressed=d.suppressed, assessment=d.assessment))
        if d.escalate:
            add(ev.EscalationTriggered(conversation_id=CID, occurred_at=at, turn=turn,
                                       hits=d.firing, policy_version=d.policy_version))
    return events, decisions, conv


def _stored(events: list[ev.Event]) -> list[ev.Event]:
    """The events after a trip through the database's JSON payloads."""
    out = []
    for e in events:
        name, payload = ev.to_record(e)
        out.append(ev.from_record(name, e.conversation_id, e.occurred_at,
                                  json.loads(json.dumps(payload))))
    return out


@SETTINGS
@given(st.lists(action, max_size=14), st.floats(-1, 1), st.booleans())
def test_replaying_the_same_events_always_gives_the_same_state(
        actions: list[tuple[Any, ...]], sentiment: float, with_record: bool) -> None:
    events, _, live = play(actions, sentiment, with_record)
    once = Conversation.replay(CID, events)
    twice = Conversation.replay(CID, events)
    assert once == twice == live  # folding is a pure function of the log
    assert Conversation.replay(CID, _stored(events)) == once  # and survives storage
    assert _stored(events) == events


@SETTINGS
@given(st.lists(action, min_size=1, max_size=14), st.floats(-1, 1), st.booleans())
def test_a_decision_never_cites_a_turn_that_does_not_exist(
        actions: list[tuple[Any, ...]], sentiment: float, with_record: bool) -> None:
    _, decisions, conv = play(actions, sentiment, with_record)
    for d in decisions:
        assert 0 <= d.turn < len(conv.turns)
        for hit in (*d.hits, *d.firing):
            assert 0 <= hit.turn <= d.turn, "a hit on this turn or an earlier one"
            for evidence in hit.evidence:
                assert 0 <= evidence.turn <= d.turn
                text = conv.turns[evidence.turn].text
                if evidence.start is not None and evidence.end is not None:
                    assert 0 <= evidence.start <= evidence.end <= len(text)
                    assert text[evidence.start:evidence.end] == evidence.quote
        public = d.to_public()
        assert public["turn"] in (None, d.turn)
        assert all(0 <= t["turn"] <= d.turn for t in public["triggers"])


#: what a person types in a policy file: no control characters or line separators (YAML
#: folds NEL, LS and PS into spaces, so those would not survive a YAML round trip)
TYPED = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
POLICY_SETTINGS = settings(max_examples=25, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])


def _values(cls: type, draw: Any) -> dict[str, Any]:
    """A mapping for the dataclass `cls` with every scalar setting drawn in its range."""
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp, lo, hi = hints[f.name], f.metadata.get("min"), f.metadata.get("max")
        if dataclasses.is_dataclass(tp):
            out[f.name] = _values(tp, draw)  # type: ignore[arg-type]
        elif tp is bool:
            out[f.name] = draw(st.booleans())
        elif tp is int:
            low = int(lo) if lo is not None else 0
            out[f.name] = draw(st.integers(low, int(hi) if hi is not None else low + 1000))
        elif tp is float:
            out[f.name] = draw(st.floats(lo if lo is not None else 0.0,
                                         hi if hi is not None else 1e6, allow_nan=False))
        elif tp is str:
            out[f.name] = draw(st.text(TYPED, min_size=1, max_size=12))
        elif typing.get_origin(tp) is tuple:
            out[f.name] = draw(st.lists(st.text(TYPED, max_size=20), max_size=4))
        elif typing.get_origin(tp) is dict:
            out[f.name] = draw(st.dictionaries(st.text(TYPED, min_size=1, max_size=4),
                                               st.floats(0, 1e6, allow_nan=False),
                                               max_size=3))
    return out


@st.composite
def policies(draw: Any) -> Policy:
    return Policy.from_mapping({
        "version": draw(st.text(TYPED, min_size=1, max_size=20).filter(str.strip)),
        "name": draw(st.text(TYPED, max_size=20)),
        "triggers": _values(Triggers, draw), "detection": _values(DetectionRules, draw)})


@POLICY_SETTINGS
@given(policies())
def test_a_policy_round_trips_through_its_mapping_and_yaml(policy: Policy) -> None:
    dumped = policy.to_mapping()
    assert Policy.from_mapping(dumped) == policy
    assert parse_policy(yaml.safe_dump(dumped, allow_unicode=True)) == policy
