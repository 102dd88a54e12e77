"""`negative_emotion`: strong anger, frustration or distress, with an intensity in 0..1.

Intensity = the negative part of the sentiment signal (VADER by default), weighted
so that sentiment alone fires only when strongly negative (VADER also scores sad news
and third parties negatively), plus cues that lexicons miss in support chats:
repetition ("third time", "broken again"), frustration and insults, distress,
profanity, shouting in capitals and repeated punctuation. A second cue of a kind
adds half as much again; a word cue is dropped when negated ("not angry", "no
worries") or self-directed ("sorry for being annoying"), halved when hedged ("a bit
disappointed") and raised when intensified ("absolutely ridiculous"). Profanity,
capitals and "!!!" are amplifiers: they count only when the message is not plainly
positive ("THANK YOU SO MUCH!!!").
"""

from __future__ import annotations

import re

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.judge.triggers.base import TurnContext
from warmline.domain.text import (
    CLAUSE_BREAK,
    correct_typos,
    hedged,
    negated,
    original_span,
    wordset,
)

KIND = "negative_emotion"

CUES: list[tuple[str, float, re.Pattern[str]]] = [
    ("repetition", 0.45, re.compile(
        r"\b(?:(?:second|2nd|third|3rd|fourth|4th|fifth|5th|\d+(?:st|nd|rd|th))\s+time|"
        r"(?:two|three|four|five|several|many|multiple|\d+)\s+times|"
        r"again and again|over and over|keeps? (?:happening|breaking|failing|crashing)|"
        r"still (?:not|no|hasn't|haven't|isn't|doesn't|nothing|waiting|broken)|"
        r"yet again|(?:weeks?|months?|days?) (?:now|later|and still)|"
        r"(?:broke|broken|damaged|late|wrong|missing|faulty|delayed|charged) again)\b")),
    ("frustration", 0.5, re.compile(
        r"\b(?:unacceptable|ridiculous|outrageous|disgusting|disgusted|disgraceful|pathetic|"
        r"useless|worst(?! case)|terrible|horrible|horrendous|awful|appalling|furious|livid|angry|"
        r"fed up|sick (?:and tired )?of|had enough|a joke|scam\w*|rip-?off|incompetent|"
        r"frustrat\w*|infuriat\w*|annoy\w*|fuming|shocking|insane|nightmare|"
        r"never again|disappointed|disappointing|disappointment|upset|you lied|lied to me|"
        r"you(?:'re| are) lying|liars|"
        r"hate(?! to (?:bother|ask|say|be))|worse|"
        r"stupid|dumb|idiot\w*|moron\w*|(?:bunch of|you|such) clowns?|garbage|trash|rubbish|"
        r"shambles|"
        r"sucks?|pissed(?: off)?|waste of (?:time|money)|how dare|unbelievable|"
        r"what the (?:hell|heck|fuck)|are you (?:kidding|serious|joking)|"
        r"(?:not|isn't|is not|not even) (?:acceptable|ok|okay|good enough|fair|funny)|"
        r"(?:nobody|no one|noone) (?:cares|listens|helps|answers|is listening)|"
        r"(?:is|does) (?:anyone|anybody) (?:even |actually )?(?:read|reading|listen\w*|care))\b")),
    ("distress", 0.5, re.compile(
        r"\b(?:desperate|panick\w*|stressed|devastated|in tears|crying|heartbroken|"
        r"can't afford|emergency|worried sick|begging|please please|"
        r"(?:really|so|very) (?:worried|anxious|scared))\b")),
    ("urgency", 0.25, re.compile(r"\b(?:urgent(?:ly)?|asap|please help|help me please)\b")),
]
PROFANITY = re.compile(
    r"\b(?:fuck\w*|f\*+k\w*|shit\w*|sh\*t|bullshit|crap\w*|damn\w*|goddam\w*|bloody|wtf|"
    r"ffs|piss\w*|bastards?|arse(?:hole)?s?|ass(?:hole)?s?|bitch\w*|screw(?:ed)? you)\b")
SHOUT = re.compile(r"\b[A-Z]{3,}(?:\W+[A-Z]{2,}){1,}\b")
EMPHASIS = re.compile(r"\b[A-Z]{4,}\b")
INTENSIFIER = re.compile(r"\b(?:so|really|absolutely|totally|completely|utterly|extremely|"
                         r"beyond|truly|fucking|bloody|very)\s+$")
PUNCT = re.compile(r"[!?]*(?:!!|\?!|!\?|\?\?)[!?]*")
NEUTRAL_CAPS = frozenset({"ASAP", "USA", "UK", "EU", "FAQ", "ID", "PIN", "SMS", "OK", "USB",
                          "TV", "PDF", "URL", "CEO", "DHL", "UPS", "GPS", "PS", "XL", "XXL",
                          "XS", "EUR", "USD", "GBP", "IBAN", "VAT", "DPD", "FYI", "IT"})
VOCABULARY = wordset("unacceptable ridiculous outrageous disgusting disgraceful pathetic "
                     "useless terrible horrible awful appalling furious frustrated "
                     "frustrating annoying annoyed incompetent disappointed disappointing "
                     "nightmare desperate devastated emergency unbelievable absolutely")
POSITIVE = 0.3  # sentiment at or above which the message reads as plainly positive
SENTIMENT_WEIGHT = 0.8  # sentiment alone fires at the default 0.6 from about -0.75


def intensity(text: str, sentiment: float) -> tuple[float, list[Evidence], int]:
    """Intensity in 0..1 and the evidence behind it (turn index filled by the caller)."""
    fixed, origin = correct_typos(text, VOCABULARY)
    evidence: list[Evidence] = []
    score = SENTIMENT_WEIGHT * max(0.0, -sentiment)

    def add(weight: float, start: int, end: int, note: str) -> None:
        nonlocal score
        score += weight
        s, e = original_span(origin, start, end)
        evidence.append(Evidence.span(0, text, s, e, note=note))

    for name, weight, pattern in CUES:
        found = [m for m in pattern.finditer(fixed)
                 if not negated(fixed, m.start(), window=2) and not _apology(fixed, m.start())]
        for m, share in zip(found, (1.0, 0.5), strict=False):
            w = weight * share
            if hedged(fixed, m.start()):
                w /= 2
            elif INTENSIFIER.search(fixed[:m.start()]):
                w += 0.15
            add(w, m.start(), m.end(), name)
    if sentiment < POSITIVE:
        profanity = PROFANITY.search(fixed)
        if profanity:
            add(0.45, profanity.start(), profanity.end(), "profanity")
        letters = [c for c in text if c.isalpha()]
        upper = sum(c.isupper() for c in letters)
        shout = SHOUT.search(text)
        if len(letters) >= 8 and upper / len(letters) >= 0.7 and len(text.split()) >= 2:
            add(0.45, 0, len(text.rstrip()), "shouting")
        elif shout and not set(re.findall(r"[A-Z]+", shout.group())) <= NEUTRAL_CAPS:
            add(0.25, shout.start(), shout.end(), "shouting")
        else:
            loud = [m for m in EMPHASIS.finditer(text) if m.group() not in NEUTRAL_CAPS]
            if loud:
                add(0.15, loud[0].start(), loud[0].end(), "emphasis")
        punct = PUNCT.search(text)
        if punct:
            add(0.25 if len(punct.group()) >= 3 else 0.15, punct.start(), punct.end(),
                "repeated punctuation")
    return min(1.0, score), evidence, len(evidence)


def _apology(text: str, start: int) -> bool:
    """The customer blames themselves: "sorry for being so annoying"."""
    clause = CLAUSE_BREAK.split(text[:start])[-1]
    return bool(re.search(r"\b(?:sorry (?:for|to|if)|apologi[sz]e)\b", clause))


def detect(ctx: TurnContext) -> list[TriggerHit]:
    if not ctx.is_customer:
        return []
    rule = ctx.policy.triggers.negative_emotion
    sentiment = ctx.signals.sentiment(ctx.turn.text)
    level, cues, _ = intensity(ctx.turn.text, sentiment)
    model = ctx.signals.label_scores(ctx.turn.text).get(KIND)
    if model is not None and model >= rule.model_threshold:
        level = max(level, model, rule.intensity_at_least)
    if level < rule.intensity_at_least:
        return []
    idx = ctx.turn.index
    evidence = [Evidence(turn=idx, quote=ctx.turn.text, figure=round(sentiment, 3),
                         unit="sentiment", note="compound sentiment")]
    evidence += [Evidence(turn=idx, quote=e.quote, start=e.start, end=e.end, note=e.note)
                 for e in cues]
    if model is not None and model >= rule.model_threshold:
        evidence.append(Evidence(turn=idx, quote=ctx.turn.text, figure=round(model, 3),
                                 unit="probability", note="semantic model"))
    reason = "strong negative emotion" + (f" ({', '.join(e.note for e in cues)})" if cues else "")
    return [TriggerHit(KIND, idx, reason, tuple(evidence), round(level, 3))]
