"""The agent's knowledge base: FAQ and policy articles in one YAML file, and retrieval.

    brand: Hearthwell
    articles:
      - id: returns-window
        intent: returns_policy
        title: Returns
        questions: ["what is your return policy", "how long do I have to return"]
        answer: "You can return anything within 30 days of delivery..."

Retrieval is lexical on purpose (content words with shop-talk synonyms and a light
inverse-document-frequency weight): it needs no model, is explainable, and its score
is the confidence the agent reports when no scope check is configured.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from warmline.domain.text import content_words


class KnowledgeError(ValueError):
    """The knowledge file is invalid; the message names the article and field."""


@dataclass(frozen=True)
class Article:
    id: str
    intent: str
    title: str
    questions: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Match:
    article: Article
    score: float  # 0..1
    question: str  # the question that matched best


class KnowledgeBase:
    def __init__(self, articles: list[Article], brand: str = "our shop") -> None:
        ids = [a.id for a in articles]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise KnowledgeError(f"articles: duplicate id {dupes[0]!r}")
        self.articles = articles
        self.brand = brand
        self._docs = [(a, q, content_words(q) | content_words(a.title))
                      for a in articles for q in (*a.questions, a.title)]
        df = Counter(w for a in articles
                     for w in set().union(*(content_words(q) for q in (*a.questions, a.title))))
        n = max(len(articles), 1)
        self._idf = {w: math.log(1 + n / c) for w, c in df.items()}

    def by_id(self, article_id: str) -> Article | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def search(self, text: str, limit: int = 3) -> list[Match]:
        """The best articles for `text`, best first (one entry per article)."""
        words = content_words(text)
        if not words:
            return []
        best: dict[str, Match] = {}
        for article, question, doc in self._docs:
            score = self._score(words, doc)
            if score > 0 and score > getattr(best.get(article.id), "score", 0.0):
                best[article.id] = Match(article, round(score, 3), question)
        return sorted(best.values(), key=lambda m: -m.score)[:limit]

    def _score(self, query: set[str], doc: set[str]) -> float:
        """Weighted cosine of the two word sets (rare words count more)."""
        if not doc:
            return 0.0
        w = self._idf
        default = max(w.values(), default=1.0)
        shared = sum(w.get(x, default) ** 2 for x in query & doc)
        qn = math.sqrt(sum(w.get(x, default) ** 2 for x in query))
        dn = math.sqrt(sum(w.get(x, default) ** 2 for x in doc))
        return shared / (qn * dn) if qn and dn else 0.0

    @classmethod
    def from_mapping(cls, data: Any, source: str = "knowledge") -> KnowledgeBase:
        if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
            raise KnowledgeError(f"{source}: expected a mapping with a list of `articles`")
        articles = []
        for i, raw in enumerate(data["articles"]):
            where = f"{source}: articles[{i}]"
            if not isinstance(raw, dict):
                raise KnowledgeError(f"{where}: expected a mapping")
            for key in ("id", "intent", "answer"):
                if not isinstance(raw.get(key), str) or not raw[key].strip():
                    raise KnowledgeError(f"{where}.{key}: required text")
            questions = raw.get("questions", [])
            if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
                raise KnowledgeError(f"{where}.questions: expected a list of texts")
            articles.append(Article(raw["id"], raw["intent"], str(raw.get("title", raw["id"])),
                                    tuple(questions), raw["answer"].strip()))
        return cls(articles, brand=str(data.get("brand", "our shop")))

    @classmethod
    def load(cls, path: Path | None = None) -> KnowledgeBase:
        """The file at `path`, or the demo store's knowledge shipped with the package."""
        if path is None:
            text = resources.files("warmline").joinpath("data/demo_kb.yaml").read_text("utf-8")
            source = "demo_kb.yaml"
        else:
            text, source = path.read_text(encoding="utf-8"), str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise KnowledgeError(f"{source}: not valid YAML: {exc}") from exc
        return cls.from_mapping(data, source)

    def as_scope_examples(self) -> list[dict[str, str]]:
        """The questions as {"intent", "text"} rows: the kb.jsonl the scope check reads."""
        return [{"intent": a.intent, "text": q} for a in self.articles for q in a.questions]
