"""The day simulation: deterministic, on the real router, with honest definitions."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest
import yaml

from warmline.domain.errors import PolicyError
from warmline.domain.policy import Policy
from warmline.simulation import report
from warmline.simulation.engine import Story, simulate
from warmline.simulation.plan import demo_plan_text, load_plan, parse_plan

POLICY = Policy(version="sim-test")


@pytest.fixture(scope="module")
def demo() -> list[Story]:
    return simulate(load_plan(), POLICY)


def test_the_same_seed_gives_the_same_day(demo: list[Story]) -> None:
    again = simulate(load_plan(), POLICY)
    assert [(s.id, s.lane, s.accepted, s.abandoned, s.eta) for s in again] == [
        (s.id, s.lane, s.accepted, s.abandoned, s.eta) for s in demo]
    other = simulate(replace(load_plan(), seed=8), POLICY)
    assert [s.arrived for s in other] != [s.arrived for s in demo]


def test_every_handoff_ends_accepted_or_abandoned_in_a_lane_of_the_policy(
        demo: list[Story]) -> None:
    assert len(demo) > 500
    assert all((s.accepted is None) != (s.abandoned is None) for s in demo)
    assert {s.lane for s in demo} <= set(POLICY.routing.queues)
    assert {"priority", "retention", "billing", "kitchen", "general"} <= {s.lane for s in demo}
    fallback = [s for s in demo if s.fallback]
    assert fallback and all(s.lane == "general" and s.rule == "fallback" for s in fallback)


def test_evening_arrivals_are_deferred_to_the_morning_not_abandoned(
        demo: list[Story]) -> None:
    late = [s for s in demo if s.arrived >= 20 * 3600]
    assert late and all(s.deferred in ("next_open", "callback") for s in late)
    assert all(s.abandoned is None and s.accepted is not None for s in late)
    assert all(s.accepted and s.accepted >= 24 * 3600 + 8 * 3600 for s in late)


def test_lane_figures_follow_the_documented_definitions() -> None:
    def story(wait: float | None, abandoned: float | None = None,
              deferred: str | None = None) -> Story:
        return Story("h", "retention", "r", False, 60, 0.0, 180, eta=60,
                     accepted=wait, abandoned=abandoned, deferred=deferred)

    stories = [story(30.0), story(600.0), story(None, abandoned=60.0),
               story(None, abandoned=400.0), story(7200.0, deferred="next_open")]
    f = report.lane_figures("retention", stories)
    assert f.waits_min == (0.5, 10.0)  # in hours only: the deferred one is apart
    assert f.sla_attainment == pytest.approx(1 / 3)  # 1 met / (2 accepted + 1 late abandon)
    assert f.abandonment == pytest.approx(2 / 5) and f.deferred == 1
    assert f.eta_errors_min == pytest.approx((0.5, -9.0, -119.0))


def test_percentiles_are_nearest_rank() -> None:
    assert report.percentile([1, 2, 3, 4], 50) == 2
    assert report.percentile([1, 2, 3, 4], 90) == 4
    assert report.percentile([], 50) is None


def test_the_svg_is_well_formed_with_one_panel_per_lane(demo: list[Story]) -> None:
    lanes = report.by_lane(demo)
    root = ET.fromstring(report.svg(lanes, [-1.0, 0.5], "demo"))
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert sum(1 for t in titles if "p50" in t) == len(lanes)
    assert any("ETA error" in t for t in titles)


def _plan(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(demo_plan_text())
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "key"), [
    ({"arrivals": {25: 3}}, "arrivals.25"),
    ({"mix": {"topics": {"weather": 1}}}, "mix.topics.weather"),
    ({"agents": [{"name": "x", "shift": "9-17"}]}, "agents[0].shift"),
    ({"agents": [{"name": "x", "shift": "17:00-09:00"}]}, "agents[0].shift"),
    ({"handle_minutes": {"median": 9, "p90": 4}}, "handle_minutes.p90"),
    ({"timezone": "Nowhere/City"}, "timezone"),
])
def test_a_bad_plan_is_rejected_naming_the_key(changes: dict[str, Any], key: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_plan(_plan(**changes))
    assert info.value.key == key
