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


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help, "min": None, "max": None})


def _list(default: list[str], help: str) -> Any:
    frozen = tuple(default)
    return field(default_factory=lambda: frozen,
                 metadata={"help": help, "min": None, "max": None})


@dataclass(frozen=True)
class WhatsAppTemplate:
    """A pre-approved WhatsApp template sent in place of a message outside the 24-hour
    customer-service window (Meta refuses free-form text there). Create it in WhatsApp
    Manager under this name and language, with one body variable per `parameters` entry."""

    name: str = _t("", "the template's name as approved in WhatsApp Manager")
    language: str = _t("en", "the template's language code in WhatsApp Manager (en, en_US, "
                       "de…)")
    parameters: tuple[str, ...] = _list(
        [], "the message's values that fill the body variables {{1}}, {{2}}… in order "
        "(placeholders of the message: team, position, minutes, agent, text…)")
    named_parameters: bool = _f(
        False, "the template was created with named variables ({{team}}): send each value "
        "with its parameter_name")
    quick_replies: bool = _f(
        False, "the template has quick-reply buttons: their payloads are the message's "
        "button ids in order (csat:5, csat:3, csat:1; warmline:human)")


def _templates(default: dict[str, WhatsAppTemplate], help: str) -> Any:
    return field(default_factory=lambda: dict(default),
                 metadata={"help": help, "min": None, "max": None})


DEFAULT_TEMPLATES = {
    "expectation": WhatsAppTemplate("warmline_expectation", "en", ("team", "minutes")),
    "wait_update": WhatsAppTemplate("warmline_wait_update", "en", ("position", "minutes")),
    "assigned": WhatsAppTemplate("warmline_assigned", "en", ("agent", "team")),
    "human_reply": WhatsAppTemplate("warmline_human_reply", "en", ("agent", "text")),
    "csat_question": WhatsAppTemplate("warmline_csat", "en", (), quick_replies=True),
}


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
    confirm_order: str = _t(
        "While you wait, I'll get the details ready for our {team} team. Is this about "
        "order #{order}?",
        "while waiting: confirm the order from the record (Yes/No buttons); {team}, "
        "{order}, {items}")
    confirm_address: str = _t(
        "Is the delivery address still {address}?",
        "while waiting: confirm the order's delivery address from the record; {team}, "
        "{order}, {address}")
    ask_photos: str = _t(
        "If you can, send a photo of the damage here: our {team} team will need it.",
        "while waiting, for a damage complaint: ask for photos (any photo or file the "
        "customer sends counts); {team}, {order}")
    photos_received: str = _t("Thank you, I've added it for our {team} team.",
                              "when the photos arrive; {team}")
    share_tracking: str = _t(
        "Meanwhile, here is the tracking link for order #{order}: {tracking_url}",
        "while waiting: the order's tracking link from the record; {team}, {order}, "
        "{tracking_url}, {carrier}")
    noted: str = _t("Thank you, noted for our {team} team.",
                    "after the customer confirmed the last detail; {team}")
    disputed: str = _t("Thanks, I've told our {team} team; they will check it with you.",
                       "after the customer said a detail is wrong; {team}")
    yes_title: str = _t("Yes", "the confirming button's title (button id confirm:yes)")
    no_title: str = _t("No", "the disputing button's title (button id confirm:no)")
    yes_words: tuple[str, ...] = _list(
        ["yes", "yep", "yeah", "yup", "correct", "right", "that's right", "that's it",
         "sure", "exactly", "y"],
        "a reply opening with one of these confirms the detail asked")
    no_words: tuple[str, ...] = _list(
        ["no", "nope", "wrong", "incorrect", "not", "that's wrong", "n"],
        "a reply opening with one of these disputes it (the person checks it)")
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
    whatsapp_templates: dict[str, WhatsAppTemplate] = _templates(
        DEFAULT_TEMPLATES,
        "per message kind (expectation, wait_update, assigned, human_reply, csat_question, "
        "bot_reply, csat_thanks, confirm_*), the template sent instead outside WhatsApp's "
        "24-hour window; a kind without one stays in the outbox as failed, with the reason")


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


def template_values(template: WhatsAppTemplate, kind: str, text: str,
                    values: Mapping[str, str]) -> tuple[str, ...]:
    """The template's body parameters from the message's values (`text` is the message).

    Meta refuses newlines, tabs and more than four spaces in a row in a parameter, so
    whitespace is folded. A parameter the message kind does not carry is an error that
    names it: the outbox keeps it, rather than sending a template with a hole.
    """
    known = {"text": text, **values}
    missing = [p for p in template.parameters if p not in known]
    if missing:
        raise KeyError(f"template {template.name!r} needs {', '.join(missing)}, which a "
                       f"{kind} message does not carry (it has: {', '.join(sorted(known))})")
    return tuple(" ".join(str(known[p]).split()) or "-" for p in template.parameters)


def csat_score(button_id: str) -> int | None:
    """The score behind a CSAT button id (`csat:<score>`), None for any other button."""
    prefix, _, score = button_id.partition(":")
    if prefix != "csat" or not score.isdigit() or not 1 <= int(score) <= 5:
        return None
    return int(score)
