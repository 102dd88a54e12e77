"""Who gets a handoff, in which order, and what happens while it waits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from warmline.domain.policy import Policy
from warmline.domain.routing.queueing import (
    Deferral,
    Handoff,
    HandoffState,
    HumanAgent,
    Presence,
    cascade,
    choose_agent,
    next_due,
    next_for,
    queues_for,
    when_closed,
)

RP = Policy(version="t").routing
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday 11:00 in Berlin: open


def agent(aid: str, *skills: str, languages: tuple[str, ...] = ("en", "de"), capacity: int = 2,
          presence: Presence = Presence.ONLINE, idle_min: int = 0) -> HumanAgent:
    return HumanAgent(aid, aid, frozenset(skills), frozenset(languages), capacity, presence,
                      T0 - timedelta(hours=2), T0 - timedelta(minutes=idle_min))


def handoff(hid: str, queue: str = "retention", priority: int = 60, at: datetime = T0,
            language: str | None = None) -> Handoff:
    return Handoff(hid, f"c-{hid}", queue, priority, HandoffState.QUEUED, "r", at, at, at, at,
                   language=language, need_language=language)


def test_the_least_loaded_eligible_agent_gets_the_handoff() -> None:
    busy, free = agent("busy", "retention", idle_min=60), agent("free", "retention")
    chosen = choose_agent([(busy, 1), (free, 0)], RP.queues["retention"], None)
    assert chosen is not None and chosen.id == "free"


def test_among_equally_loaded_agents_the_one_idle_longest_gets_it() -> None:
    recent, long_idle = agent("recent", "retention", idle_min=1), agent("idle", "retention",
                                                                          idle_min=30)
    chosen = choose_agent([(recent, 1), (long_idle, 1)], RP.queues["retention"], None)
    assert chosen is not None and chosen.id == "idle"


def test_load_counts_as_a_share_of_capacity_not_a_raw_number() -> None:
    big = agent("big", "retention", capacity=4)  # 2 of 4 = half full
    small = agent("small", "retention", capacity=2)  # 1 of 2 = half full, idle longer
    small = replace(small, last_assigned_at=T0 - timedelta(hours=1))
    chosen = choose_agent([(big, 2), (small, 1)], RP.queues["retention"], None)
    assert chosen is not None and chosen.id == "small"


def test_nobody_is_chosen_without_the_skills_language_capacity_or_presence() -> None:
    spec = RP.queues["retention"]
    assert choose_agent([(agent("b", "billing"), 0)], spec, None) is None
    assert choose_agent([(agent("en", "retention", languages=("en",)), 0)], spec, "de") is None
    assert choose_agent([(agent("full", "retention"), 2)], spec, None) is None
    away = agent("away", "retention", presence=Presence.AWAY)
    assert choose_agent([(away, 0)], spec, None) is None


def test_everyone_may_take_from_the_fallback_queue() -> None:
    assert queues_for(agent("b", "billing"), RP) == ["billing", "general"]


def test_higher_priority_first_then_first_come_within_a_priority() -> None:
    a = agent("a", "retention", "billing")
    waiting = [handoff("late-60", at=T0 + timedelta(minutes=5)),
               handoff("early-60", at=T0),
               handoff("billing-40", "billing", 40, at=T0 - timedelta(hours=1)),
               handoff("vip-80", "retention", 80, at=T0 + timedelta(minutes=9))]
    order = []
    for _ in waiting:
        nxt = next_for(a, [w for w in waiting if w.id not in order], RP, T0 + timedelta(hours=1))
        assert nxt is not None
        order.append(nxt.id)
    assert order == ["vip-80", "early-60", "late-60", "billing-40"]


def test_a_lapsed_lease_is_claimable_again_and_a_live_one_is_not() -> None:
    claimed = replace(handoff("h"), state=HandoffState.CLAIMED, agent_id="gone",
                      lease_until=T0 + timedelta(seconds=45))
    assert not claimed.claimable(T0 + timedelta(seconds=44))
    assert claimed.claimable(T0 + timedelta(seconds=46))
    assert claimed.load(T0) and not claimed.load(T0 + timedelta(seconds=46))


def test_waiting_past_a_step_raises_priority_then_overflows_to_the_next_target() -> None:
    h = handoff("h", "retention", 60)
    same, steps = cascade(h, RP, T0 + timedelta(seconds=179))
    assert steps == [] and same == h
    raised, steps = cascade(h, RP, T0 + timedelta(seconds=181))
    assert [(s.kind, s.priority) for s in steps] == [("priority", 70)]
    assert (raised.queue, raised.priority, raised.step) == ("retention", 70, 1)
    moved, steps = cascade(raised, RP, T0 + timedelta(seconds=481))
    assert [(s.kind, s.from_queue, s.to_queue) for s in steps] == [
        ("overflow", "retention", "general")]
    assert (moved.queue, moved.step) == ("general", 0)
    assert moved.queued_at == T0 + timedelta(seconds=480)  # the step's own time, not the sweep's


def test_steps_that_fell_due_together_all_apply_and_the_alert_fires_once() -> None:
    h = handoff("h", "priority", 80)
    later, steps = cascade(h, RP, T0 + timedelta(minutes=20))
    kinds = [s.kind for s in steps]
    assert kinds[:2] == ["priority", "overflow"] and kinds[-1] == "alert"
    assert later.queue == "general" and later.alerted
    _, again = cascade(later, RP, T0 + timedelta(minutes=21))
    assert "alert" not in [s.kind for s in again]


def test_out_of_hours_a_queue_defers_to_the_opening_or_promises_a_call_back() -> None:
    night = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    deferral = when_closed("retention", RP, night)
    assert isinstance(deferral, Deferral) and deferral.action == "next_open"
    assert deferral.until == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00 Berlin
    callback = when_closed("priority", RP, night)
    assert isinstance(callback, Deferral) and callback.action == "callback"
    assert when_closed("retention", RP, T0) is None


def test_out_of_hours_a_queue_can_overflow_to_one_that_is_open() -> None:
    policy = Policy.from_mapping({"version": "x", "routing": {
        "schedules": {"business": {"timezone": "Europe/Berlin", "open": "08:00",
                                   "close": "20:00"}, "always": {}},
        "queues": {"general": {"fallback": True, "hours": "always"},
                   "retention": {"hours": "business", "when_closed": "general"}},
        "rules": []}})
    night = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)
    assert when_closed("retention", policy.routing, night) == "general"


def test_a_deferred_handoff_climbs_the_cascade_from_the_opening_not_from_the_night() -> None:
    opening = T0 + timedelta(hours=9)
    h = replace(handoff("h"), available_at=opening)
    assert cascade(h, RP, opening + timedelta(seconds=10))[1] == []
    due = next_due(h, RP, T0)
    assert due is not None and due <= opening + timedelta(seconds=180)
