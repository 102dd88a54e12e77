"""Assess one customer turn: topics, route and scope, from the model or from the lexicon.

With the semantic model on, `Signals.label_scores` carries a probability per topic
(learned on embeddings *and* the lexical cues of `topics.py`, so the cues count through
the model) and per route (`route.<name>`); a topic is read when its probability
reaches the policy's `detection.topic_threshold`. Without a model (`signals: lexical`)
the topics come from the lexical cues alone and the route from a few rules, so a tiny
install still routes cancellations to retention and refunds to billing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from warmline.domain.judge.assessment import ROUTES, TOPICS, Assessment, scope_reading
from warmline.domain.judge.signals import Signals
from warmline.domain.judge.topics import cues
from warmline.domain.judge.triggers.negative_emotion import intensity
from warmline.domain.policy import Policy
from warmline.domain.text import normalise

ROUTE_PREFIX = "route."

_FULFILMENT = re.compile(r"\b(?:deliver\w*|ship\w*|parcel|package|track\w*|arriv\w*|"
                         r"courier|dispatch\w*|order(?:ed|s)?|address)\b")
_ACCOUNT = re.compile(r"\b(?:account|log ?in|sign ?in|password|profile|register\w*|"
                      r"sign ?up|username|e-?mail address)\b")
_BILLING = re.compile(r"\b(?:invoice|bill(?:ing|ed)?|payment|pay|charged?|fee|receipt|"
                      r"card)\b")


def assess(text: str, signals: Signals, policy: Policy) -> Assessment:
    """Topics, route and scope of one customer message."""
    scores = signals.label_scores(text)
    scope = scope_reading(signals.scope(text),
                          policy.triggers.low_confidence.scope_confidence_below)
    sentiment = round(float(signals.sentiment(text)), 4)
    if all(t in scores for t in TOPICS):
        threshold = policy.detection.topic_threshold
        found = tuple(t for t in TOPICS if scores[t] >= threshold)
        route, confidence = _model_route(scores, found)
        return Assessment(found, {t: round(float(scores[t]), 4) for t in TOPICS}, route,
                          confidence, scope, "model", sentiment)
    lexical = _lexical_topics(text, sentiment, policy)
    return Assessment(tuple(sorted(lexical, key=TOPICS.index)),
                      {t: 1.0 if t in lexical else 0.0 for t in TOPICS},
                      _lexical_route(text, lexical), 1.0, scope, "lexical", sentiment)


def _model_route(scores: Mapping[str, float], topics: tuple[str, ...]) -> tuple[str, float]:
    routes = {r: scores[ROUTE_PREFIX + r] for r in ROUTES if ROUTE_PREFIX + r in scores}
    if not routes:
        return _topic_route(topics) or "general", 1.0
    best = max(routes, key=lambda r: routes[r])
    return best, round(float(routes[best]), 4)


def _lexical_topics(text: str, sentiment: float, policy: Policy) -> set[str]:
    found = {c.topic for c in cues(text, ("refund_request", "cancellation"))}
    level, _, _ = intensity(text, sentiment)
    if level >= policy.triggers.negative_emotion.intensity_at_least:
        found.add("complaint")
    return found


def _topic_route(topics: tuple[str, ...] | set[str]) -> str | None:
    if "cancellation" in topics or "complaint" in topics:
        return "retention"
    if "refund_request" in topics:
        return "billing"
    return None


def _lexical_route(text: str, topics: set[str]) -> str:
    by_topic = _topic_route(topics)
    if by_topic:
        return by_topic
    lowered = normalise(text)
    for route, pattern in (("billing", _BILLING), ("account", _ACCOUNT),
                           ("fulfilment", _FULFILMENT)):
        if pattern.search(lowered):
            return route
    return "general"
