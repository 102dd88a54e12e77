"""`warmline simulate` and `warmline routing explain` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from warmline.entrypoints.cli.main import app

runner = CliRunner()


def test_simulate_prints_every_lane_the_histogram_and_the_eta_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--svg", str(tmp_path / "day.svg"),
                                 "--json-out", str(tmp_path / "day.json")])
    assert result.exit_code == 0, result.output
    for lane in ("priority", "retention", "billing", "fulfilment", "kitchen",
                 "general (fallback)", "all lanes"):
        assert lane in result.output
    assert "ETA error" in result.output and "in hours, waited ≥ 1 min" in result.output
    assert (tmp_path / "day.svg").read_text().startswith("<svg")
    figures = json.loads((tmp_path / "day.json").read_text())
    assert set(figures) == {"lanes", "all", "eta_error_min"}
    assert figures["all"]["handoffs"] > 500
    assert 0 <= figures["eta_error_min"]["every accepted handoff"]["median_abs"] < 5


def test_simulate_with_the_same_seed_prints_the_same_figures(tmp_path: Path) -> None:
    runs = [runner.invoke(app, ["simulate", "--seed", "11", "--json-out",
                                str(tmp_path / f"{i}.json")]) for i in (1, 2)]
    assert all(r.exit_code == 0 for r in runs)
    assert (tmp_path / "1.json").read_text() == (tmp_path / "2.json").read_text()


def test_simulate_rejects_a_bad_plan_naming_the_key(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("arrivals: {9: 10}\nmix: {topics: {complaint: 1}}\n"
                    "handle_minutes: {median: 5, p90: 9}\npatience_minutes: {median: 9, "
                    "p90: 20}\nagents: [{name: x, shift: '9 to 5'}]\n")
    result = runner.invoke(app, ["simulate", "--plan", str(plan)])
    assert result.exit_code == 1 and "agents[0].shift" in result.output


def test_routing_explain_shows_each_rule_tried_and_where_it_went() -> None:
    result = runner.invoke(app, ["routing", "explain", "--topic", "complaint", "--tag", "vip",
                                 "--language", "de", "--at", "2026-11-25T10:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "high_value_to_priority_lane" in result.output and "match" in result.output
    assert "queue priority" in result.output
    fallback = runner.invoke(app, ["routing", "explain", "--trigger", "human_request"])
    assert "fallback" in fallback.output and "queue general" in fallback.output
