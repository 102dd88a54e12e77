"""The scenario suite plays over HTTP on real SQLite with the expected decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from warmline.entrypoints.cli import scenarios as sc

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

SUITE = sc.load(SCENARIOS)


def test_the_suite_covers_every_trigger_and_the_required_negatives() -> None:
    kinds = {k for s in SUITE for k in s.expect.get("triggers", [])}
    assert kinds == {"human_request", "looping", "low_confidence", "negative_emotion",
                     "money_risk", "policy_edge"}
    assert sum(not s.expect["escalate"] for s in SUITE) >= 4


@pytest.mark.parametrize("scenario", SUITE, ids=[s.path.stem for s in SUITE])
def test_scenario_decides_as_expected_at_the_expected_turn(demo_client: TestClient,
                                                           scenario: sc.Scenario) -> None:
    result = sc.play(demo_client, scenario)
    assert result.escalate == scenario.expect["escalate"], result
    if scenario.expect["escalate"]:
        assert result.turn == scenario.expect["turn"], result
        assert set(scenario.expect["triggers"]) <= set(result.kinds), result
        for trigger in result.triggers:
            assert trigger["evidence"], trigger
            assert all(e["turn"] <= result.turn for e in trigger["evidence"])
        assert result.package_problems == [], result.package_problems
    assert result.passed


@pytest.mark.postgres
@pytest.mark.parametrize("scenario", SUITE, ids=[s.path.stem for s in SUITE])
def test_scenario_decides_the_same_on_postgresql(pg_demo_client: TestClient,
                                                 scenario: sc.Scenario) -> None:
    result = sc.play(pg_demo_client, scenario)
    assert result.passed, (result, result.package_problems)
