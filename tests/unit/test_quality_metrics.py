"""Evaluation metrics: positive-class P/R/F1 from counts, Larson's in-scope accuracy."""

from __future__ import annotations

import pytest

from warmline.quality.metrics import BinaryCounts, Prediction, Report


def counts(pairs: list[tuple[bool, bool]]) -> BinaryCounts:
    c = BinaryCounts()
    for gold, predicted in pairs:
        c.add(gold, predicted)
    return c


def test_precision_recall_and_f1_are_those_of_the_positive_class() -> None:
    c = counts([(True, True)] * 3 + [(True, False)] + [(False, True)] * 2 + [(False, False)] * 4)
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 1, 2, 4)
    assert c.precision == pytest.approx(3 / 5)
    assert c.recall == pytest.approx(3 / 4)
    assert c.f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert c.to_json() == {"precision": 0.6, "recall": 0.75, "f1": 0.6667, "support": 4,
                           "n": 10}


def test_a_detector_that_never_fires_scores_zero_not_an_error() -> None:
    c = counts([(True, False), (False, False)])
    assert (c.precision, c.recall, c.f1) == (0.0, 0.0, 0.0)


def test_only_the_label_keys_present_on_a_turn_are_scored() -> None:
    report = Report("s")
    flags = {"human_request": True, "negative_emotion": True}
    report.score(Prediction(flags), {"human_request": True})
    report.score(Prediction(flags), {})  # no labels: not a scored turn
    assert report.turns_scored == 1
    assert set(report.keys) == {"human_request"}


def test_in_scope_accuracy_needs_the_right_intent_and_no_rejection() -> None:
    report = Report("clinc")
    inside = {"out_of_scope": False, "intent": "balance"}
    report.score(Prediction({}, intent="balance", in_scope=True), inside)
    report.score(Prediction({}, intent="balance", in_scope=False), inside)  # rejected
    report.score(Prediction({}, intent="transfer", in_scope=True), inside)  # wrong intent
    report.score(Prediction({}, intent="balance", in_scope=False), {"out_of_scope": True})
    report.score(Prediction({}, intent="balance", in_scope=True), {"out_of_scope": True})
    data = report.to_json()
    assert data["intent_accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert data["in_scope_accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert data["oos_recall"] == 0.5


def test_reports_merge_by_adding_counts_so_folds_combine_exactly() -> None:
    a, b, whole = Report("s"), Report("s"), Report("s")
    turns = [(Prediction({"complaint": True}, route="retention"),
              {"complaint": True, "route": "retention"}),
             (Prediction({"complaint": True}, route="billing"),
              {"complaint": False, "route": "general"}),
             (Prediction({"complaint": False}, route="general"),
              {"complaint": True, "route": "general"})]
    for i, (prediction, labels) in enumerate(turns):
        (a if i % 2 else b).score(prediction, labels)
        whole.score(prediction, labels)
    a.merge(b)
    assert a.to_json() == whole.to_json()


def test_the_json_keeps_its_stable_keys_with_nulls_for_what_was_not_measured() -> None:
    report = Report("goemotions")
    report.score(Prediction({"negative_emotion": False}), {"negative_emotion": True})
    data = report.to_json()
    assert list(data) == ["set", "turns_scored", "keys", "intent_accuracy",
                          "in_scope_accuracy", "oos_recall", "route_accuracy"]
    assert data["intent_accuracy"] is None and data["route_accuracy"] is None
    assert set(data["keys"]["negative_emotion"]) == {"precision", "recall", "f1", "support",
                                                      "n"}
