"""`warmline eval` end to end through the CLI, on small samples of the real dev sets.

Samples keep the suite fast; `make eval` runs the full sets. The dev sets live beside
the repository (../shared/data/dev), as on every developer machine and in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.unit.conftest import FakeSignals
from typer.testing import CliRunner

from warmline.domain.policy import Policy
from warmline.entrypoints.cli.main import app
from warmline.quality.dataset import load_set
from warmline.quality.evaluate import Evaluator
from warmline.quality.metrics import Prediction

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "data" / "dev"
KEYS = ["set", "turns_scored", "keys", "intent_accuracy", "in_scope_accuracy", "oos_recall",
        "route_accuracy"]
runner = CliRunner()

needs_dev = pytest.mark.skipif(not DEV.is_dir(), reason=f"dev sets not found at {DEV}")


def sample(name: str, target: Path, cases: int, *, every: int = 1,
           kb_intents: set[str] | None = None) -> Path:
    """Every `every`-th case of a dev set (and part of its kb) as a new set folder."""
    folder = target / name
    folder.mkdir(parents=True)
    lines = (DEV / name / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    if kb_intents is not None:
        def known(line: str) -> bool:
            labels = json.loads(line)["turns"][0]["labels"]
            return labels.get("out_of_scope") or labels.get("intent") in kb_intents
        lines = [line for line in lines if known(line)]
        kb = [line for line in (DEV / name / "kb.jsonl").read_text("utf-8").splitlines()
              if json.loads(line)["intent"] in kb_intents]
        (folder / "kb.jsonl").write_text("\n".join(kb) + "\n", encoding="utf-8")
    chosen = lines[::every][:cases]
    (folder / "cases.jsonl").write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return folder


@needs_dev
def test_eval_scores_a_multi_turn_sample_and_writes_the_stable_json(tmp_path: Path) -> None:
    folder = sample("uss_multiwoz", tmp_path, 6)
    out = tmp_path / "out" / "uss.json"
    result = runner.invoke(app, ["eval", str(folder), "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data) == KEYS
    customer_turns = sum(1 for line in (folder / "cases.jsonl").read_text().splitlines()
                         for t in json.loads(line)["turns"] if t["role"] == "customer")
    assert data["turns_scored"] == customer_turns
    assert data["keys"]["negative_emotion"]["n"] == customer_turns
    assert "negative_emotion" in result.output  # the Rich table


@needs_dev
def test_eval_reports_route_and_topics_on_bitext(tmp_path: Path) -> None:
    folder = sample("bitext", tmp_path, 40, every=97)
    out = tmp_path / "bitext.json"
    result = runner.invoke(app, ["eval", str(folder), "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["keys"]) == {"human_request", "complaint", "cancellation",
                                 "refund_request"}
    assert data["route_accuracy"] is not None and data["intent_accuracy"] is None


@needs_dev
def test_a_set_with_a_kb_gets_a_scope_check_that_catches_out_of_scope(tmp_path: Path) -> None:
    """A held-out slice: CLINC150 val cases never train anything; the kb is its train
    split. Floors are far below the full-set figures (a sanity floor, not a target)."""
    intents = {"balance", "bill_due", "book_flight", "calories", "change_language",
               "pto_request", "recipe", "timer", "translate", "weather"}
    folder = sample("clinc150", tmp_path, 400, kb_intents=intents)
    out = tmp_path / "clinc.json"
    result = runner.invoke(app, ["eval", str(folder), "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["intent_accuracy"] >= 0.9
    assert data["in_scope_accuracy"] >= 0.85
    assert data["oos_recall"] >= 0.5
    assert data["keys"]["out_of_scope"]["support"] == 100


def test_eval_runs_on_a_set_it_has_never_seen_with_lexical_signals(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    cases = [{"id": "a", "turns": [
        {"role": "customer", "text": "where is my order?", "labels": {"human_request": False}},
        {"role": "agent", "text": "On its way."},
        {"role": "customer", "text": "I want to speak to a human",
         "labels": {"human_request": True, "route": "general"}}]}]
    (folder / "cases.jsonl").write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    out = tmp_path / "mine.json"
    result = runner.invoke(app, ["eval", str(folder), "--signals", "lexical", "--json-out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["turns_scored"] == 2
    assert data["keys"]["human_request"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0,
                                             "support": 1, "n": 2}


def test_eval_rejects_a_broken_set_naming_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "cases.jsonl").write_text('{"turns": [{"role": "bot", "text": "x"}]}\n')
    result = runner.invoke(app, ["eval", str(folder), "--signals", "lexical"])
    assert result.exit_code == 1
    assert "cases.jsonl:1" in result.output and "role" in result.output


def test_labels_are_revealed_only_after_the_turn_has_been_scored(tmp_path: Path) -> None:
    folder = tmp_path / "spy"
    folder.mkdir()
    case = {"id": "s", "turns": [
        {"role": "customer", "text": "hello", "labels": {"human_request": False}},
        {"role": "customer", "text": "a human please", "labels": {"human_request": True}}]}
    (folder / "cases.jsonl").write_text(json.dumps(case) + "\n")
    labelled = load_set(folder)
    order: list[str] = []

    class Spy(FakeSignals):
        def sentiment(self, text: str) -> float:
            order.append(f"judged {text}")
            return 0.0

    sealed = labelled.cases[0].labels
    reveal = sealed.reveal

    def spying_reveal(turn: int, prediction: object) -> object:
        assert isinstance(prediction, Prediction)
        order.append(f"revealed {turn}")
        return reveal(turn, prediction)

    sealed.reveal = spying_reveal  # type: ignore[method-assign]
    Evaluator(Spy(), Policy(version="t")).run(labelled)
    judged = [i for i, step in enumerate(order) if step.startswith("judged a human")]
    assert order.index("revealed 0") < judged[0] < order.index("revealed 1")
    with pytest.raises(ValueError, match="score the turn first"):
        reveal(0, None)
