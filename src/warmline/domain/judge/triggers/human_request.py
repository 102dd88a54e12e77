"""`human_request`: the customer asks for a person, a transfer or a call-back.

A request is an asking form ("talk to", "get me", "is there", "call me back") aimed
at a person ("a real human", "one of your agents", "someone else"). "Customer
service" is a person only when the customer asks to be *transferred* to it: wanting
to talk to it, or its hours and number, is asking this chat for help. Mentions are
not requests ("your agent told me", "I was chatting with an agent"), and a negator
in the same clause cancels one ("no need for a human, thanks"), unless the request
starts a clause of its own ("I don't want a bot, I want a human"). Rejecting the bot
outright counts as asking for a person. Words one typo away ("somone", "humna") are
read as meant. The explicit one-tap route always fires; with the semantic model on,
its probability counts too.
"""

from __future__ import annotations

import re

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.judge.triggers.base import TurnContext
from warmline.domain.text import correct_typos, negated, original_span, wordset

KIND = "human_request"
VOCABULARY = wordset("talk speak chat talking speaking chatting someone somebody anyone "
                     "anybody person human agent operator representative assistant "
                     "supervisor manager connect transfer contact")

_DET = r"(?:(?:a|an|the|some|any|your|ur|another|one\s+of\s+(?:your|ur|the))\s+)?"
_ADJ = (r"(?:(?:real|live|actual|human|proper|normal|living|breathing|non-?robotic|other|"
        r"different|senior|qualified|competent|bloody|fucking|goddamn|damn|freaking)[\s-]+)"
        r"{0,2}")
# "people" only after an adjective that makes them people rather than the bot ("real people").
_NOUN = (r"(?:human(?:\s+beings?)?s?|persons?|(?<=real |tual |live |uman )people|agents?|"
         r"representatives?|reps?|"
         r"operators?|some(?:one|body)|any(?:one|body)|staff(?:\s+members?)?|"
         r"members?\s+of\s+(?:staff|your\s+team|the\s+team)|supervisors?|managers?|boss|"
         r"advis[eo]rs?|associates?|employees?|team\s+members?|consultants?|specialists?|"
         r"assistants?|workers?|colleagues?)")
PERSON = rf"{_DET}{_ADJ}{_NOUN}(?:\s+else)?"
#: After "talk to", any one word may name the kind of person ("a bank worker").
PERSON_LOOSE = rf"{_DET}{_ADJ}(?:[a-z]+\s+)?{_NOUN}(?:\s+else)?"
DEPARTMENT = (r"(?:the\s+|your\s+|ur\s+)?(?:customer\s+(?:services?|support|care)|support|"
              r"(?:sales|billing|returns|complaints)\s+(?:team|department|dept))"
              r"(?:\s+(?:team|department|dept|desk))?")
_TALK = r"(?:talk(?:ing)?|speak(?:ing)?|chat(?:ting)?|get\s+through)"
_TRANSFER = (r"(?:be\s+(?:connected|transferred|put\s+through|passed)|connect\s+me|"
             r"put\s+me\s+through|transfer\s+me|pass\s+me(?:\s+(?:on|over))?|"
             r"hand\s+(?:me|this)\s+(?:over|off)|switch\s+me|redirect\s+me)")
_CONTACT = (r"(?:contact(?:ing)?|reach(?:ing)?|call|phone|get\s+(?:hold\s+of|in\s+"
            r"touch\s+with))")
_WANT = (r"(?:i\s+(?:want|need|would\s+like|'d\s+like|d\s+like|demand|request|prefer|"
         r"wanna|insist\s+on|asked\s+for|am\s+asking\s+for)|i'm\s+asking\s+for|"
         r"(?:get|give|find|bring)\s+me|can(?:'t)?\s+i\s+(?:get|have)|(?:could|may)\s+i\s+"
         r"(?:get|have)|is(?:n't)?\s+there|are\s+there|where\s+(?:is|are)|where's)")
_TO = r"(?:to|wi?th|wirh|wit|w/|through\s+(?:to|with)|over\s+to|on\s+to)\s*"

# (pattern, negation window): a request that opens its own clause is only cancelled by
# a negator right before it ("don't get me a human"); a bare verb by one further back.
PATTERNS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(rf"\b{_WANT}\s+(?:please\s+)?{PERSON}\b"), 3),
    (re.compile(rf"\b{_TALK}\s+{_TO}{PERSON_LOOSE}\b"), 5),
    (re.compile(rf"\b{_TRANSFER}\s+{_TO}(?:{PERSON_LOOSE}|{DEPARTMENT})\b"), 5),
    (re.compile(rf"\b{_CONTACT}\s+(?:{_TO})?{PERSON}\b"), 5),
    (re.compile(r"\b(?:can|could|would|will|may)\s+(?:please\s+)?(?:a\s+(?:real|live|actual)\s+"
                r"(?:person|human|agent)|a\s+human|some(?:one|body)\s+else|any(?:one|body)\s+"
                r"else|a\s+(?:manager|supervisor)|(?:a\s+)?member\s+of\s+staff|someone\s+"
                r"(?:real|from\s+(?:your|the)\s+team|in\s+charge))\b"), 3),
    (re.compile(r"\b(?:call|phone|ring)\s+me(?:\s+back)?(?=\s*(?:$|[.,!?]|back|asap|please|"
                r"pls|now|today|tomorrow|tonight|at|on|later|as\s+soon|this))|"
                r"\bgive\s+me\s+a\s+(?:call|ring|bell)\b|"
                r"\b(?:a|request|arrange|book|schedule|want|need|get)\s+(?:a\s+)?call-?\s?back\b|"
                r"\b(?:some(?:one|body)|any(?:one|body)|a\s+person|an?\s+(?:agent|human))\s+"
                r"(?:to\s+|please\s+|can\s+|could\s+)?(?:call|phone|ring|contact|email|"
                r"get\s+back\s+to)\s+me\b"), 5),
    (re.compile(r"\btransfer\s+(?:me|(?:my|this|the)\s+(?:case|chat|conversation|call|issue|"
                r"complaint|ticket|query))\b|\bescalation\b|\bescalate\s+(?:this|it|me|my\s+\w+|"
                r"the\s+(?:issue|case|matter|complaint|ticket|problem)|to|please|pls|now|asap)\b|"
                r"\b(?:please|pls|can\s+you|could\s+you|you\s+(?:need|have)\s+to)\s+escalate\b|"
                r"\b(?:this|it|that)\s+(?:to\s+be\s+)?escalated\b"), 5),
    (re.compile(rf"^\W*(?:{PERSON}|{DEPARTMENT})\W*(?:please|pls|plz|now|asap)?\W*$|"
                r"(?:^|[.,!?:;]\s*|\b(?:a|an|real|live|actual)\s+)(?:human|person|agent|"
                r"operator|representative)\s*(?:please|pls|plz|asap)\b"), 5),
    (re.compile(r"\b(?:stop|quit|enough|sick\s+of|tired\s+of|done|fed\s+up|"
                r"no\s+more)\b[^.!?]{0,30}\b(?:bots?|robots?|ai|chatbots?)\b|"
                r"\b(?:don't|do\s+not|dont|won't|wont|refuse\s+to)\s+"
                r"(?:want\s+to\s+|wanna\s+)?(?:talk|speak|chat|deal)\s+(?:to|with)\s+"
                r"(?:a\s+|an\s+|the\s+|this\s+|your\s+)?(?:bot|robot|machine|ai|computer|"
                r"chatbot)\b"), 0),
    # Giving up on the bot: "this chat isn't working", "you're not helping", "I'm not
    # comfortable sharing my details with a machine" ask for someone else, implicitly.
    (re.compile(r"\b(?:this|the)\s+(?:conversation|chat|bot|chatbot|assistant)\s+"
                r"(?:is\s+not|isn't|isnt|doesn't|does\s+not|ain't)\s+(?:working|helping|"
                r"help(?:ful)?|going\s+anywhere)\b|"
                r"\byou(?:'re|\s+are)\s+not\s+(?:helping|understanding|listening)\b|"
                r"(?:\bnot|n't|\bnever)\s+(?:\w+\s+){0,2}(?:comfortable|happy|trust\w*|want)\s+"
                r"(?:\w+\s+){0,2}(?:shar\w+|tell\w*|giv\w+|talk\w*)\b[^.!?]{0,40}?"
                r"\b(?:with|to)\s+(?:a|an|this|the|some)\s+(?:machine|bot|robot|computer|ai|"
                r"chatbot)\b"), 0),
]
# "I was talking to an agent", "am I speaking to a person?": a narrative or a question.
_NARRATIVE = re.compile(r"(?:\b(?:was|were|been|am|is|are|im|already)|'m)"
                        r"(?:\s+(?:i|you|we|they|he|she|it))?\s*$")
# "the agent said", "a person who told me": a person who is talked about.
_MENTION = re.compile(r"\s*(?:who\s+)?(?:said|told|says|tells|promised|was|were|spoke|"
                      r"talked|called|gave|sent)\b")


def detect(ctx: TurnContext) -> list[TriggerHit]:
    idx = ctx.turn.index
    if ctx.one_tap:
        ev = Evidence(turn=idx, quote="", note=f"one-tap request via {ctx.one_tap}")
        return [TriggerHit(KIND, idx, "asked for a person (one-tap)", (ev,))]
    if not ctx.is_customer:
        return []
    found = find_request(ctx.turn.text)
    if found is not None:
        ev = Evidence.span(idx, ctx.turn.text, *found, note="request")
        return [TriggerHit(KIND, idx, "asked for a person", (ev,))]
    score = ctx.signals.label_scores(ctx.turn.text).get(KIND)
    rule = ctx.policy.triggers.human_request
    if score is not None and score >= rule.model_threshold:
        ev = Evidence(turn=idx, quote=ctx.turn.text, figure=round(score, 3),
                      unit="probability", note="semantic model")
        return [TriggerHit(KIND, idx, "asked for a person (model)", (ev,), score)]
    return []


def find_request(text: str) -> tuple[int, int] | None:
    """The (start, end) in `text` of the first request for a person, if any."""
    fixed, origin = correct_typos(text, VOCABULARY)
    for pattern, window in PATTERNS:
        for m in pattern.finditer(fixed):
            if window and negated(fixed, m.start(), window=window):
                continue
            progressive = re.match(r"\w+ing\b", m.group())
            if progressive and _NARRATIVE.search(fixed[:m.start()]):
                continue
            if _MENTION.match(fixed[m.end():]):
                continue
            return original_span(origin, m.start(), m.end())
    return None
