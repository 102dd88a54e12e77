"""The pure handoff transitions the service and the simulation share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warmline.domain.policy import Policy
from warmline.domain.routing.queueing import HandoffState, HumanAgent, Presence, next_for
from warmline.domain.routing.route import RouteDecision
from warmline.domain.routing.transitions import lease_until, offer_to, offered, routed

RP = Policy(version="t").routing
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday 11:00 in Berlin: open


def person(aid: str, *skills: str, languages: tuple[str, ...] = ("en",)) -> HumanAgent:
    return HumanAgent(aid, aid, frozenset(skills), frozenset(languages), 2, Presence.ONLINE,
                      T0 - timedelta(hours=1))


def decision(queue: str = "retention") -> RouteDecision:
    return RouteDecision(queue=queue, priority=60, rule="r", reason="because",
                         fallback=False, policy_version="t")


def test_a_routed_handoff_is_queued_where_the_router_sent_it_needing_a_served_language(
        ) -> None:
    h = routed("h1", "c1", decision(), "de", RP, T0)
    assert (h.queue, h.priority, h.state, h.rule) == ("retention", 60, HandoffState.QUEUED, "r")
    assert h.enqueued_at == h.queued_at == h.waiting_since == h.available_at == T0
    assert (h.language, h.need_language) == ("de", "de")
    assert routed("h2", "c2", decision(), "tlh", RP, T0).need_language is None  # not served


def test_an_offer_goes_to_the_choice_of_the_queue_and_is_leased_for_the_offer_window(
        ) -> None:
    h = routed("h1", "c1", decision(), "en", RP, T0)
    busy, free, unskilled = person("busy", "retention"), person("free", "retention"), \
        person("other", "billing")
    chosen = offer_to(h, [(busy, 1), (free, 0), (unskilled, 0)], RP, T0)
    assert chosen is not None and chosen.id == "free"
    leased = offered(h, chosen.id, RP, T0)
    assert (leased.state, leased.agent_id) == (HandoffState.CLAIMED, "free")
    assert leased.lease_until == lease_until(RP, T0) == T0 + timedelta(seconds=RP.offer_seconds)
    assert offer_to(leased, [(busy, 0)], RP, T0) is None  # leased: not offered again


def test_the_next_handoff_for_a_person_needs_their_skills_and_language() -> None:
    english = routed("en", "c1", decision(), "en", RP, T0)
    german = routed("de", "c2", decision(), "de", RP, T0 - timedelta(minutes=5))
    billing = routed("bill", "c3", decision("billing"), None, RP, T0 - timedelta(minutes=9))
    got = next_for(person("p", "retention"), [english, german, billing], RP, T0)
    assert got is not None and got.id == "en"


def test_the_simulation_calls_these_transitions_instead_of_its_own_copies() -> None:
    from warmline.simulation import engine

    for copy in ("when_closed", "cascade", "choose_agent", "next_due", "Deferral"):
        assert not hasattr(engine, copy), f"simulation/engine.py uses {copy} directly"
