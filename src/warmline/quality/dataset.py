"""Labelled conversation sets in the evaluation format (../shared/data/FORMAT.md).

A set is a folder with `cases.jsonl` (conversations, labels on customer turns) and an
optional `kb.jsonl` (the agent's knowledge). Labels are kept apart from the turns as
soon as a case is read: the engine only ever gets `EngineTurn`s, and a turn's labels
come out of their `SealedLabels` only in exchange for the prediction already made for
that turn, so no evaluation can look at a label before it has scored the turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOOLEAN_KEYS = ("human_request", "out_of_scope", "negative_emotion", "complaint",
                "cancellation", "refund_request")
TEXT_KEYS = ("intent", "route")


@dataclass(frozen=True)
class EngineTurn:
    """What the live engine sees of a turn: who said what (and the agent's confidence)."""

    role: str
    text: str
    confidence: float | None = None
    intent: str | None = None


class SealedLabels:
    """A case's labels, handed out one turn at a time against that turn's prediction."""

    def __init__(self, labels: Mapping[int, Mapping[str, Any]]) -> None:
        self.__labels = dict(labels)

    @property
    def turns(self) -> frozenset[int]:
        """Which turns carry labels (not what they say)."""
        return frozenset(self.__labels)

    def reveal(self, turn: int, prediction: object) -> Mapping[str, Any]:
        if prediction is None:
            raise ValueError("score the turn first: labels are revealed against a prediction")
        return self.__labels.get(turn, {})


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[EngineTurn, ...]
    labels: SealedLabels


@dataclass(frozen=True)
class LabelledSet:
    name: str
    path: Path
    cases: tuple[Case, ...]
    kb: Path | None

    def texts(self) -> list[str]:
        """Every turn's text, in order (for warming an embedding cache)."""
        return [t.text for c in self.cases for t in c.turns]


def load_set(folder: Path) -> LabelledSet:
    """Read a set folder; every problem names the file, the line and the field."""
    cases_file = folder / "cases.jsonl"
    if not cases_file.is_file():
        raise ValueError(f"{folder}: no cases.jsonl (see FORMAT.md for the layout)")
    kb = folder / "kb.jsonl"
    cases = tuple(_read_cases(cases_file))
    return LabelledSet(folder.name, folder, cases, kb if kb.is_file() else None)


def labelled_turns(folder: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(case id, text, labels) of every labelled customer turn: training data only."""
    for line_no, raw in _lines(folder / "cases.jsonl"):
        case = _parse(raw, folder / "cases.jsonl", line_no)
        for turn in case["turns"]:
            if turn.get("role") == "customer" and turn.get("labels"):
                yield str(case["id"]), turn["text"], dict(turn["labels"])


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield number, line


def _parse(raw: str, path: Path, line_no: int) -> dict[str, Any]:
    where = f"{path}:{line_no}"
    try:
        case = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON ({exc})") from exc
    if not isinstance(case, dict) or not isinstance(case.get("turns"), list):
        raise ValueError(f'{where}: expected {{"id": ..., "turns": [...]}}')
    for i, turn in enumerate(case["turns"]):
        if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
            raise ValueError(f"{where}: turns[{i}].text: expected text")
        if turn.get("role") not in ("customer", "agent"):
            raise ValueError(f"{where}: turns[{i}].role: expected customer or agent, "
                             f"got {turn.get('role')!r}")
        labels = turn.get("labels", {})
        if not isinstance(labels, dict):
            raise ValueError(f"{where}: turns[{i}].labels: expected a mapping")
        for key, value in labels.items():
            if key in BOOLEAN_KEYS and not isinstance(value, bool):
                raise ValueError(f"{where}: turns[{i}].labels.{key}: expected true or false")
            if key in TEXT_KEYS and not isinstance(value, str):
                raise ValueError(f"{where}: turns[{i}].labels.{key}: expected text")
    case.setdefault("id", f"line-{line_no}")
    return case


def _read_cases(path: Path) -> Iterator[Case]:
    for line_no, raw in _lines(path):
        case = _parse(raw, path, line_no)
        turns, labels = [], {}
        for i, turn in enumerate(case["turns"]):
            confidence = turn.get("confidence")
            turns.append(EngineTurn(turn["role"], turn["text"],
                                    float(confidence) if isinstance(confidence, (int, float))
                                    else None, turn.get("intent")))
            if turn["role"] == "customer" and turn.get("labels"):
                labels[i] = dict(turn["labels"])
        yield Case(str(case["id"]), tuple(turns), SealedLabels(labels))
