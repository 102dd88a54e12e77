"""Wiring of detection: the signal setting, the kb setting, licensed training data, and
how a stored decision reads as a prediction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from warmline.adapters.signals.lexical import LexicalSignals
from warmline.bootstrap import build_signals
from warmline.config import Config
from warmline.domain import events as ev
from warmline.domain.hits import TriggerHit
from warmline.domain.judge.assessment import Assessment, ScopeReading
from warmline.quality.evaluate import prediction_from
from warmline.quality.train import collect, normalised, training_sets

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_semantic_signals_are_the_default_and_lexical_stays_for_tiny_installs() -> None:
    assert Config.from_env({}).signals == "semantic"
    config = Config.from_env({"WARMLINE_KB": "agent/kb.jsonl"})
    assert config.signals == "semantic" and config.kb == Path("agent/kb.jsonl")
    with pytest.raises(ValueError, match="WARMLINE_KB"):
        Config.from_env({"WARMLINE_SIGNALS": "lexical", "WARMLINE_KB": "agent/kb.jsonl"})
    assert isinstance(build_signals("lexical"), LexicalSignals)
    assert Config.from_env({}).kb is None


def write_set(root: Path, name: str, licence: str | None, texts: list[tuple[str, bool]]
              ) -> None:
    folder = root / name
    folder.mkdir()
    if licence is not None:
        (folder / "CARD.md").write_text(f"# {name}\n\n- **licence**: {licence}\n")
    lines = [f'{{"id": "{name}-{i}", "turns": [{{"role": "customer", "text": "{t}", '
             f'"labels": {{"human_request": {str(v).lower()}}}}}]}}'
             for i, (t, v) in enumerate(texts)]
    (folder / "cases.jsonl").write_text("\n".join(lines) + "\n")


def test_only_sets_whose_card_names_a_licence_are_trained_on(tmp_path: Path) -> None:
    write_set(tmp_path, "open", "CC BY 4.0", [("get me a human", True)])
    write_set(tmp_path, "unlicensed", "none stated for annotations", [("hello", False)])
    write_set(tmp_path, "no_card", None, [("hi", False)])
    used, skipped = training_sets(tmp_path)
    assert [p.name for p in used] == ["open"]
    assert {s["set"] for s in skipped} == {"unlicensed", "no_card"}


def test_held_out_texts_are_left_out_of_training_whatever_their_case(tmp_path: Path) -> None:
    write_set(tmp_path, "open", "MIT", [("Get me  a HUMAN", True), ("where is it", False)])
    examples = collect([tmp_path / "open"], exclude=frozenset({normalised("get me a human")}))
    assert examples.texts == ["where is it"]
    assert examples.count("human_request") == (0, 1)


def test_a_stored_decision_reads_as_hits_topics_route_and_scope() -> None:
    hit = TriggerHit("negative_emotion", 2, "strong negative emotion")
    decision = ev.DecisionMade(
        conversation_id="c", occurred_at=NOW, turn=2, escalate=False, hits=(hit,),
        policy_version="v", suppressed=True,
        assessment=Assessment(("refund_request",), route="billing",
                              scope=ScopeReading(False, "refund", 0.003)))
    p = prediction_from(decision)
    assert p.flags["negative_emotion"] and not p.flags["human_request"]
    assert p.flags["refund_request"] and not p.flags["complaint"]
    assert p.flags["out_of_scope"] and p.in_scope is False and p.intent == "refund"
    assert p.route == "billing"


def test_an_agent_turn_decision_has_no_assessment_to_score() -> None:
    decision = ev.DecisionMade(conversation_id="c", occurred_at=NOW, turn=1, escalate=False,
                               policy_version="v")
    p = prediction_from(decision)
    assert p.route is None and p.in_scope is None and "out_of_scope" not in p.flags
