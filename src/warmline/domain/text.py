"""Small pure text helpers shared by the detectors: tokens, negation, typos, amounts.

Every helper that returns character offsets keeps them valid for the *original* text,
so evidence can always quote `text[start:end]` verbatim.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

WORD = re.compile(r"[a-z0-9']+")


def wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`, for writing word lists compactly."""
    return frozenset(text.split())


# "so" joins clauses ("so please refund me"), unless it intensifies ("so annoying").
CLAUSE_BREAK = re.compile(r"[.,;:!?\n]|\b(?:but|just|though|however|because|cause|since|"
                          r"then|otherwise|and|or)\b|\bso(?=\s+(?:i|we|you|please|pls|can|"
                          r"could|would|it|that|they|he|she|now)\b)")
NEGATORS = wordset(
    "no not never don't dont do_not doesn't doesnt didn't didnt won't wont without nobody "
    "neither nor isn't isnt aren't arent wasn't wasnt"
)
#: A negation does not reach into an embedded question ("I don't know how to reach a
#: person" still asks for one), nor past a new "I ..." clause ("I don't want to wait I
#: want a person"), unless a verb of thinking raised it ("I don't think I need one").
SCOPE_BREAK = wordset("how where what when whether why which if")
RAISING = wordset("think believe guess suppose feel reckon say said")
STOPWORDS = wordset(
    """a an the i me my we our you your it its is are was were be been am do does did
    to of in on for at by with from and or but so this that these those there here
    can could would should will shall may might must please pls plz hi hello hey thanks
    thank thx ty just still yet any some also about again have has had get got im i'm
    it's its ok okay yes yeah yep yup no nope sure great cool fine alright oh um uh
    really very now then one much lot not don't dont doesn't doesnt didn't didnt hasn't hasnt
    haven't havent isn't isnt aren't wasn't won't wont can't cant"""
)
#: Words for the same thing in shop talk, mapped to one representative.
SYNONYMS = {
    "package": "order", "parcel": "order", "delivery": "order", "shipment": "order",
    "purchase": "order", "item": "order", "stuff": "order", "ordered": "order",
    "arrived": "arrive", "arriving": "arrive", "arrives": "arrive", "come": "arrive",
    "came": "arrive", "received": "arrive", "receive": "arrive", "gotten": "arrive",
    "delivered": "arrive", "showed": "arrive", "reached": "arrive",
    "reimbursement": "refund", "refunded": "refund", "money": "refund",
    "deliver": "ship", "shipping": "ship", "shipped": "ship", "ships": "ship",
    "send": "ship", "sent": "ship", "dispatch": "ship", "dispatched": "ship",
    "post": "ship", "posted": "ship",
    "status": "track", "tracking": "track", "whereabouts": "track", "located": "track",
    "cancelled": "cancel", "canceled": "cancel", "cancellation": "cancel",
    "cancelling": "cancel", "canceling": "cancel",
    "where's": "where", "wheres": "where", "when's": "when", "what's": "what",
    "whats": "what", "how's": "how",
}


def normalise(text: str) -> str:
    """Lower case with straight apostrophes; always the same length as `text`."""
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


def _stem(w: str) -> str:
    """A crude stem, the same for "charge", "charged" and "charges"."""
    w = SYNONYMS.get(w, w)
    if (len(w) >= 6 and w.endswith("ing")) or (len(w) >= 5 and w.endswith("ed")):
        w = w[:-3] if w.endswith("ing") else w[:-2]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]  # "stopped" -> "stop"
    elif len(w) >= 5 and w.endswith("es") and w[:-2].endswith(("s", "x", "z", "ch", "sh")):
        w = w[:-2]
    elif len(w) >= 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    w = SYNONYMS.get(w, w)
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


def content_words(text: str) -> set[str]:
    """The words that carry a message's meaning, stemmed and mapped to synonyms."""
    out = set()
    for w in words(text):
        if w.endswith("'s"):
            w = SYNONYMS.get(w, w[:-2])
        if w in STOPWORDS or len(w) < 2:
            continue
        out.add(_stem(w))
    return out


def lexical_similarity(a: str, b: str) -> float:
    """Cosine of the content-word sets, |A∩B| / sqrt(|A|·|B|), in 0..1.

    Unlike the overlap coefficient, a one-word message ("order?") is not "the same" as
    every longer message that happens to contain that word.
    """
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / math.sqrt(len(wa) * len(wb))


def negated(text: str, start: int, window: int = 5) -> bool:
    """True when a negator stands in the same clause, a few words before `start`.

    The clause ends at punctuation and joining words (`CLAUSE_BREAK`); the negation's
    reach ends at a question word or a new "I" (`SCOPE_BREAK`, `RAISING`).
    """
    before = normalise(text[:start])
    clause = CLAUSE_BREAK.split(before)[-1]
    found = WORD.findall(clause.replace("do not", "do_not"))
    for i in range(len(found) - 1, 0, -1):
        if found[i] in SCOPE_BREAK or (found[i] == "i" and found[i - 1] not in RAISING):
            found = found[i + 1:]
            break
    return any(w in NEGATORS for w in found[-window:])


HEDGES = re.compile(r"\b(?:a (?:bit|little|tad)|bit of a|slightly|somewhat|kind of|kinda|"
                    r"sort of|sorta|a touch|mildly|not very|not too)\b")


def hedged(text: str, start: int, window: int = 4) -> bool:
    """True when a downtoner ("a bit", "slightly") stands just before `start`."""
    before = " ".join(words(text[:start])[-window:])
    return bool(HEDGES.search(before))


# --- typo tolerance -----------------------------------------------------------------

def _edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    return out


#: Real words one letter away from a detector's vocabulary: never "corrected".
REAL_WORDS = wordset("""steak sneak speck worse worth manages managed managers humane
    persona prison parson agents angle agency agenda urgent talks walks stalk chalk
    chats chant chart charts cheat wants waits curious terribly horribly awfully
    annoyingly""")


@lru_cache(maxsize=32)
def _typo_table(vocabulary: frozenset[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for word in sorted(vocabulary):
        if len(word) < 4:
            continue
        for typo in _edits1(word):
            if typo[:-1] == word and typo[-1] != word[-1]:
                continue  # an inflection ("talks", "returned"), not a typo
            if len(typo) >= 5 and typo not in vocabulary and typo not in REAL_WORDS:
                table.setdefault(typo, word)
    return table


def correct_typos(text: str, vocabulary: Iterable[str]) -> tuple[str, list[int]]:
    """Lower-cased `text` with words one typo away from `vocabulary` spelled right.

    Only words of five letters or more are touched, so short everyday words are never
    "corrected", nor are the real words in `REAL_WORDS`. Returns the new text and, for
    each of its characters, the index of the character it came from in `text` (plus
    one final entry for the end), so a match in the corrected text maps back to a span
    of the original.
    """
    table = _typo_table(frozenset(vocabulary))
    lowered = normalise(text)
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in WORD.finditer(lowered):
        out.append(lowered[pos:m.start()])
        origin.extend(range(pos, m.start()))
        fixed = table.get(m.group())
        if fixed is None:
            out.append(m.group())
            origin.extend(range(m.start(), m.end()))
        else:  # each letter maps into the typo; the last one to its last letter
            out.append(fixed)
            origin.extend(min(m.start() + i, m.end() - 2) for i in range(len(fixed) - 1))
            origin.append(m.end() - 1)
        pos = m.end()
    out.append(lowered[pos:])
    origin.extend(range(pos, len(lowered)))
    origin.append(len(lowered))
    return "".join(out), origin


def original_span(origin: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a [start, end) span of corrected text back to the original text."""
    return origin[start], origin[end - 1] + 1 if end > start else origin[start]


# --- money ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Amount:
    value: float
    currency: str | None
    start: int
    end: int


_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "us$": "USD"}
_CODES = {"eur": "EUR", "euro": "EUR", "euros": "EUR", "usd": "USD", "dollar": "USD",
          "dollars": "USD", "bucks": "USD", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
          "quid": "GBP"}
_NUM = r"(\d{1,3}(?:[,.]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?!\d)"
_CODE = r"eur|euros?|usd|dollars?|bucks|gbp|pounds?|quid"
AMOUNT_BEFORE = re.compile(rf"(us\$|[€$£]|\b(?:eur|usd|gbp)(?![a-z]))\s?{_NUM}", re.IGNORECASE)
AMOUNT_AFTER = re.compile(rf"(?<![\w.,]){_NUM}\s?({_CODE}\b|[€$£])", re.IGNORECASE)


def _number(whole: str, cents: str | None) -> float:
    digits = re.sub(r"[,.]", "", whole)
    return float(digits) + (float(f"0.{cents}") if cents else 0.0)


def _currency(mark: str) -> str:
    mark = mark.lower()
    return _SYMBOLS.get(mark) or _CODES[mark]


def find_amounts(text: str) -> list[Amount]:
    """Money figures written with a currency symbol or name ("€184", "120 dollars")."""
    out = [Amount(_number(m.group(2), m.group(3)), _currency(m.group(1)), m.start(), m.end())
           for m in AMOUNT_BEFORE.finditer(text)]
    taken = [(a.start, a.end) for a in out]
    for m in AMOUNT_AFTER.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        out.append(Amount(_number(m.group(1), m.group(2)), _currency(m.group(3)),
                          m.start(), m.end()))
    return sorted(out, key=lambda a: a.start)


ORDER_REF = re.compile(r"(?:#|\border\s*(?:number|no\.?|#)?\s*)(\d{3,})", re.IGNORECASE)


def order_refs(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(1), m.start(), m.end()) for m in ORDER_REF.finditer(text)]
