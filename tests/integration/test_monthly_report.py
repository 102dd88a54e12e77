"""`warmline report --month`: a synthetic month (demo-store customers, the real engine,
human waits from `warmline simulate`) in real SQLite; the report's figures match an
independent calculation written here from the raw events."""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from warmline.adapters.policy_file import load_policy
from warmline.bootstrap import build_signals, sql_uow_factory
from warmline.entrypoints.cli.main import app
from warmline.simulation.history import store_history, synthetic_history

NOV, DEC = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def history() -> dict[str, list[Any]]:
    # 7 days of October (the previous month) and the 30 days of November
    return synthetic_history(NOV - timedelta(days=7), days=37, per_day=10, seed=11,
                             policy=load_policy(), signals=build_signals("lexical"))


def _nearest_rank(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * q / 100) - 1]


def _independent(history: dict[str, list[Any]]) -> dict[str, float]:
    """The headline figures from the raw events, without warmline.domain.measure.metrics."""
    convs = {c: e for c, e in history.items() if NOV <= e[0].occurred_at < DEC}
    routed, waits, transferred, resolved = [], [], set(), {}
    for cid, events in convs.items():
        for e in events:
            kind = type(e).__name__
            if kind == "HandoffRouted":
                routed.append((cid, e))
            elif kind == "HandoffTransferred":
                transferred.add(e.handoff_id)
            elif kind == "HandoffResolved":
                resolved[e.handoff_id] = e.occurred_at
        start = next((e for e in events if type(e).__name__ == "HandoffRouted"), None)
        human = next((e for e in events if type(e).__name__ == "HumanReplied"), None)
        if start is not None and human is not None:
            waits.append((human.occurred_at - start.occurred_at).total_seconds())
    ref = {cid: convs[cid][0].customer_ref for cid in convs}
    reescalated = 0
    for cid, h in routed:
        end = resolved.get(h.handoff_id)
        back = end is not None and any(
            other is not h and ref[ocid] == ref[cid]
            and end <= other.occurred_at <= end + timedelta(days=7)
            for ocid, other in routed)
        reescalated += h.handoff_id in transferred or back
    return {"conversations": len(convs), "handoffs": len(routed),
            "time_to_human_median_s": _nearest_rank(waits, 50),
            "time_to_human_p90_s": _nearest_rank(waits, 90),
            "re_escalation_rate": reescalated / len(routed),
            "fallback_share": sum(h.fallback for _, h in routed) / len(routed),
            "escalation_rate.channel.webchat":
                len({cid for cid, _ in routed}) / len(convs)}


def test_the_monthly_report_matches_an_independent_calculation(
        history: dict[str, list[Any]], sqlite_url: str, tmp_path: Path) -> None:
    store_history(sql_uow_factory(sqlite_url), history)
    result = CliRunner().invoke(app, ["report", "--month", "2026-11", "--out", str(tmp_path),
                                      "--url", sqlite_url])
    assert result.exit_code == 0, result.output
    with (tmp_path / "review-2026-11.csv").open() as f:
        rows = {r["metric"]: r for r in csv.DictReader(f)}
    expected = _independent(history)
    assert expected["conversations"] == 300 and expected["handoffs"] > 50
    for name, value in expected.items():
        assert float(rows[name]["2026-11"]) == pytest.approx(value, abs=1e-4), name
    assert int(rows["conversations"]["2026-10"]) == 70  # the trend's previous month
    html = (tmp_path / "review-2026-11.html").read_text()
    assert "<svg" in html and "<mark>" in html and "Time to a human" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_the_report_refuses_a_malformed_month(tmp_path: Path, sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["report", "--month", "November", "--out",
                                      str(tmp_path), "--url", sqlite_url])
    assert result.exit_code == 2
