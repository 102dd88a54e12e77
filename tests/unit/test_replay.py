"""Replay's comparison and timing score (docs/replay.md), and a FORMAT.md set replayed."""

from __future__ import annotations

import json
from pathlib import Path

from warmline.adapters.policy_file import default_policy_text, parse_policy
from warmline.bootstrap import build_signals
from warmline.domain.measure.replay import (
    Point,
    Tolerance,
    compare,
    gold_turn,
    score,
    timing_credit,
)
from warmline.quality.dataset import load_set
from warmline.quality.replay import Replayer, replay_set


def test_changes_are_named_by_when_and_where_the_candidate_hands_over() -> None:
    at2 = Point(2, ("money_risk",), "billing", "refunds_to_billing")
    assert compare("c", None, None).kind == "same"
    assert compare("c", None, at2).kind == "added"
    assert compare("c", at2, None).kind == "dropped"
    assert compare("c", Point(3), at2).kind == "earlier"
    assert compare("c", Point(1), at2).kind == "later"
    assert compare("c", Point(2, (), "general", "fallback"), at2).kind == "rerouted"
    assert compare("c", at2, at2).kind == "same"
    assert "route general (fallback) → billing" in compare(
        "c", Point(2, (), "general", "fallback"), at2).describe()


def test_the_gold_turn_is_the_first_labelled_ask_for_a_human() -> None:
    assert gold_turn({}) is None
    assert gold_turn({1: {"complaint": True}, 3: {"human_request": True}}) == 3
    assert gold_turn({2: {"negative_emotion": True}, 3: {"human_request": True}}) == 2
    assert gold_turn({1: {"human_request": True, "escalate": False},
                      4: {"escalate": True}}) == 4


def test_timing_credit_penalises_early_and_late_beyond_the_tolerance() -> None:
    tol = Tolerance(early=0, late=1, decay=0.5)
    assert timing_credit(None, None, tol) is None
    assert timing_credit(3, None, tol) == 0.0 and timing_credit(None, 3, tol) == 0.0
    assert timing_credit(3, 3, tol) == 1.0 and timing_credit(4, 3, tol) == 1.0  # 1 late: ok
    assert timing_credit(5, 3, tol) == 0.5 and timing_credit(6, 3, tol) == 0.0
    assert timing_credit(2, 3, tol) == 0.5  # one turn early
    assert timing_credit(1, 3, Tolerance(early=2)) == 1.0


def test_precision_recall_and_timing_over_conversations() -> None:
    s = score([(2, 2), (5, 2), (3, None), (None, 4), (None, None)], Tolerance())
    assert (s.tp, s.fp, s.fn) == (2, 1, 1)
    assert s.precision == 2 / 3 and s.recall == 2 / 3
    assert s.timed == 4 and s.timing == (1.0 + 0.0 + 0.0 + 0.0) / 4


def test_a_labelled_set_is_replayed_under_both_policies(tmp_path: Path) -> None:
    cases = [
        {"id": "a", "turns": [
            {"role": "customer", "text": "I want a refund of 80 euros for order 1234",
             "labels": {"escalate": True}}]},
        {"id": "b", "turns": [
            {"role": "customer", "text": "Do you ship to Norway?",
             "labels": {"human_request": False}},
            {"role": "agent", "text": "Yes, in 3 days.", "confidence": 0.9},
            {"role": "customer", "text": "Let me talk to a human please",
             "labels": {"human_request": True}}]},
    ]
    (tmp_path / "cases.jsonl").write_text("\n".join(json.dumps(c) for c in cases))
    signals = build_signals("lexical")
    base = parse_policy(default_policy_text())
    cand = parse_policy(default_policy_text().replace("refund_over: 100", "refund_over: 60"))
    result = replay_set(load_set(tmp_path), Replayer(base, signals), Replayer(cand, signals))
    assert [(c.conversation_id, c.kind) for c in result.changes] == [("a", "added"),
                                                                     ("b", "same")]
    assert (result.baseline.recall, result.candidate.recall) == (0.5, 1.0)
    assert result.candidate.timing == 1.0 and result.customer_turns == 3
