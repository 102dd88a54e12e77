"""Lexical topic cues (refund, cancellation, chargeback, return...) shared by detectors.

A cue is a request or a claim, not a mention: questions about the rules ("what is
your refund policy?"), about progress ("where is my refund?") and reports of the
past ("my order was cancelled") are left out by `EXCLUDE`, and a negator shortly
before the words drops the cue ("I don't want a refund, just a replacement").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from warmline.domain.text import correct_typos, negated, original_span, wordset


@dataclass(frozen=True)
class TopicCue:
    topic: str
    start: int
    end: int


_ORDER_WORDS = r"(?:order|purchase|subscription|membership|plan|account|booking|item|it|this)"
TOPICS: dict[str, re.Pattern[str]] = {
    "refund_request": re.compile(
        r"\b(?:refund(?:s|ed|ing)?|(?:(?:return|give|send|want|get|need) (?:me )?)?(?:my |the |"
        r"our )?money back|(?:return|give|send|want) (?:me )?(?:back )?my money|reimburs\w*|"
        r"compensat\w*|restitution|rebat\w*|pay (?:me )?back|credit (?:it )?back|"
        r"(?:want|need|get|give me) (?:my|the|that|those|this|these) (?:[€$£]?\d[\d.,]*\s?"
        r"(?:€|\$|£|eur\w*|dollars?|pounds?|quid|bucks)?|money|cash) back)\b"),
    "cancellation": re.compile(
        r"\b(?:cancel(?:l?ing|l?ation|s)?|cancle|terminate (?:my|the)|"
        r"(?:clos|delet|remov|shut(?:t)? down)\w* (?:my|the|this|a|an)(?: \w+)? account|"
        r"account (?:removal|deletion|closure)|"
        r"(?:want|need|like|get|have) (?:it|this|that|them|my \w+|the \w+) cancell?ed|"
        rf"(?:stop|end|undo) (?:my|the|this) {_ORDER_WORDS})\b"),
    "chargeback": re.compile(
        r"\b(?:charge-?\s?backs?|dispute\w*|(?:call|contact|ring|go to|report "
        r"(?:you|this|it) to) my (?:bank|credit card company|card issuer)|"
        r"(?:claim|case) (?:with|through) (?:my bank|paypal|visa|mastercard|amex|klarna)|"
        r"reverse the (?:charge|payment|transaction)|"
        r"(?:i'll|i will|i'm going to|im going to|gonna|going to) sue|sue (?:you|your)|"
        r"lawyers?|solicitors?|attorneys?|legal action|small claims|"
        r"(?:take \w+|see you) (?:to|in) court|"
        r"trading standards|consumer protection|ombudsman)\b"),
    "return": re.compile(
        r"\b(?:return(?:ing)?|send (?:it|this|them|the \w+) back|exchange|swap (?:it|this))\b"),
    "address_change": re.compile(
        r"\b(?:change|update|correct|fix|modify|edit|amend)\s+(?:the\s+|my\s+)?"
        r"(?:delivery\s+|shipping\s+)?address\b|\b(?:wrong|new|different|old)\s+"
        r"(?:delivery\s+|shipping\s+)?address\b|\b(?:ship|send|deliver) (?:it |this |them )?"
        r"to (?:a |my )?(?:different|another|other|new) (?:address|place|location)\b|"
        r"\b(?:redirect|reroute|re-route) (?:it|my|the|this)\b"),
    "price_match": re.compile(
        r"\bprice[- ]?match\w*|\bmatch (?:the|their|a|this|that|his|her|other|"
        r"competitors?'?s?) prices?\b|\bmatch prices\b|"
        r"\b(?:can|could|will|would) you match (?:that|it|this)\b|"
        r"\bbeat (?:that|their|the) price\b|"
        r"\b(?:cheaper|less) (?:at|on|elsewhere|somewhere|from)\b|"
        r"\blower price (?:at|on|elsewhere)\b|\bfound it (?:for less|cheaper)\b"),
    "discount_exception": re.compile(
        r"\b(?:special|extra|additional|loyalty|courtesy|one-?off|exceptional|birthday)\s+"
        r"(?:discount|deal|price|offer|coupon)\b|\b(?:expired|old|invalid|last week's)\s+"
        r"(?:discount|coupon|promo|voucher)(?:\s+code)?\b|\b(?:discount|coupon|promo|voucher)"
        r"(?:\s+code)?\s+(?:has\s+|had\s+|is\s+|was\s+)?expired\b|\bapply\s+(?:the\s+|a\s+|my\s+)?"
        r"(?:discount|coupon|promo|voucher)\w*(?:\s+code)?\s+(?:retroactively|after|to (?:my|an?) "
        r"(?:old|previous|past|earlier|last))\b|\bgive me a (?:discount|deal|better price)\b|"
        r"\bmake an exception\b|\bstill (?:get|have|use|apply)\s+(?:the\s+)?(?:sale|discount|"
        r"promo|offer|code|coupon|deal|black friday)\b|\b(?:missed|forgot(?: to use| to apply)?) "
        r"(?:the|my|a) (?:sale|discount|promo|code|coupon|voucher)\b"),
    "late_return": re.compile(
        r"\b(?:past|after|outside|beyond|over|missed|passed)\s+(?:the\s+|your\s+)?"
        r"(?:\d+[- ]day\s+)?(?:return\s+)?(?:window|deadline|period)\b|"
        r"\b(?:past|outside|beyond|passed)\s+(?:the\s+|your\s+)?\d+\s+days\b|"
        r"\breturn (?:window|period|deadline) (?:has )?(?:passed|expired|closed|ended|is over)\b"),
    "warranty": re.compile(
        r"\b(?:out of|expired|past the|after the|outside the|beyond the|no longer under)\s+"
        r"(?:the\s+)?(?:warranty|guarantee)\b|"
        r"\b(?:warranty|guarantee) (?:has |is |just )?(?:expired|ended|run out|over)\b"),
    "fault": re.compile(
        r"\b(?:warranty|guarantee|stopped working|broke(?:n)?|faulty|defective|"
        r"(?:doesn't|does not|won't|will not) (?:work|turn on|charge|start))\b"),
}
# Mentions that are not requests, per topic.
EXCLUDE: dict[str, re.Pattern[str]] = {
    "refund_request": re.compile(
        r"\b(?:refund|money back|reimbursement|compensation) (?:policy|policies|rules|terms|"
        r"period|guarantee)\b|\b(?:in|under) (?:what|which) (?:cases|situations|"
        r"circumstances)\b.*|\bhow long\b.*|\breimbursable\b|"
        r"\b(?:track|status of|check(?: on)?|progress of|where is|where's|when will i get) "
        r"(?:my |the )?refund\b|\b(?:was|were|been|already|got) refunded\b"),
    "cancellation": re.compile(
        r"\bcancell?ation (?:policy|fees?|charges?|charegs|penalt\w+|costs?|terms|period|window|"
        r"deadline)\b|\b(?:fee|charge|penalt|cost)\w*(?: \w+)? (?:for|of) cancel\w*|"
        r"\bcancel\w* (?:my |the |all |these |those )?(?:newsletters?|e-?mails?|notifications?|"
        r"marketing|alerts?|messages?|texts?|sms)\b"),
    "return": re.compile(r"\breturn (?:policy|label|address|status)\b|\bin return\b"),
    "address_change": re.compile(
        r"\baddress (?:in|on|for|of) (?:my |the )?(?:account|profile|future|next)\b|"
        r"\b(?:account|profile|billing|default) address\b"),
}
_VOCABULARY = wordset("refund cancel cancelling canceling cancellation chargeback dispute "
                      "return exchange address reimburse "
                      "warranty guarantee discount coupon voucher")


def cues(text: str, topics: tuple[str, ...] | None = None) -> list[TopicCue]:
    """Every non-negated topic cue in `text` (one per topic, the first)."""
    fixed, origin = correct_typos(text, _VOCABULARY)
    found = []
    for topic, pattern in TOPICS.items():
        if topics is not None and topic not in topics:
            continue
        skip = [(m.start(), m.end()) for m in EXCLUDE[topic].finditer(fixed)] \
            if topic in EXCLUDE else []
        for m in pattern.finditer(fixed):
            if any(s < m.end() and m.start() < e for s, e in skip) \
                    or negated(fixed, m.start()):
                continue
            found.append(TopicCue(topic, *original_span(origin, m.start(), m.end())))
            break
    return found
