"""What Warmline tells the customer around the seam, as policy templates per language.

Every sentence the customer reads about a handoff (who will help, how long, out of
hours, the CSAT question) comes from the policy YAML (`messages.<language>`), so a brand
words it in its own voice and language without touching code. Templates use `{name}`
placeholders; an unknown placeholder is left as written rather than failing a send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def _t(default: str, help: str) -> Any:
    return field(default=default, metadata={"help": help, "min": None, "max": None})


def _list(default: list[str], help: str) -> Any:
    frozen = tuple(default)
    return field(default_factory=lambda: frozen,
                 metadata={"help": help, "min": None, "max": None})


@dataclass(frozen=True)
class Messages:
    expectation: str = _t(
        "I'm bringing in a person from our {team} team. You're number {position} in line, "
        "about {minutes} min. They will see everything we discussed, so you won't have to "
        "repeat yourself.",
        "on handoff, with a wait estimate; {team}, {position}, {minutes}")
    expectation_unknown: str = _t(
        "I'm bringing in a person from our {team} team; they'll join here as soon as one is "
        "free. They will see everything we discussed.",
        "on handoff when nobody online can give an estimate; {team}")
    expectation_closed: str = _t(
        "Our {team} team is offline right now and back at {opens}. {alternative}",
        "on handoff out of hours; {team}, {opens}, {alternative}")
    alternative_next_open: str = _t(
        "Your conversation keeps its place and a person picks it up first thing.",
        "the out-of-hours alternative when the queue waits for the opening")
    alternative_callback: str = _t(
        "We'll call you back when we open, so there's no need to wait here.",
        "the out-of-hours alternative when the queue promises a call-back")
    while_waiting: str = _t(
        "A person from our {team} team is on the way: you're number {position} in line, "
        "about {minutes} min. I've noted your message for them.",
        "what the bot says while a human is coming (it stops improvising); {team}, "
        "{position}, {minutes}")
    assigned: str = _t("{agent} from our {team} team is with you now.",
                       "when a person accepts the handoff; {agent}, {team}")
    wait_grew: str = _t(
        "Sorry, this is taking longer than I said. You're number {position} in line now, "
        "about {minutes} min more.",
        "when the promised wait has passed and the person has not joined yet; {team}, "
        "{position}, {minutes}")
    csat_question: str = _t("How did we do today?",
                            "asked on the same thread after the human resolves")
    csat_titles: tuple[str, ...] = _list(
        ["Great", "OK", "Poor"], "CSAT answer buttons, best first (at most 3 for WhatsApp)")
    csat_scores: tuple[str, ...] = _list(
        ["5", "3", "1"], "the score (1..5) each CSAT button stands for, in the same order")
    csat_thanks: str = _t("Thank you for telling us.", "after the CSAT answer")
    human_button: str = _t("Talk to a person",
                           "the one-tap button's title on channels with buttons")
    human_keywords: tuple[str, ...] = _list(
        ["human", "agent", "person", "operator", "talk to a person"],
        "a customer message that is only one of these (any case, punctuation aside) is "
        "the one-tap route, like the button")


def is_keyword(catalogue: Mapping[str, Messages], text: str) -> bool:
    """The whole message is a keyword for a person, in any of the policy's languages."""
    said = " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())
    return any(said == k.lower() for m in catalogue.values() for k in m.human_keywords)


def default_messages() -> dict[str, Messages]:
    return {"en": Messages()}


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: Mapping[str, object]) -> str:
    """Fill `{name}` placeholders; unknown ones stay as written (a typo shows, not crashes)."""
    return template.format_map(_Keep({k: str(v) for k, v in values.items()}))


def messages_for(catalogue: Mapping[str, Messages], language: str | None) -> Messages:
    """The customer's language when the policy has it, else English, else the first."""
    if language and language in catalogue:
        return catalogue[language]
    return catalogue.get("en") or next(iter(catalogue.values()), Messages())


def csat_score(button_id: str) -> int | None:
    """The score behind a CSAT button id (`csat:<score>`), None for any other button."""
    prefix, _, score = button_id.partition(":")
    if prefix != "csat" or not score.isdigit() or not 1 <= int(score) <= 5:
        return None
    return int(score)
