"""The reference AI agent: answers from the knowledge base and the live record, no LLM.

It exists so Warmline runs end to end with no external agent: order status and tracking
links, return eligibility against the delivery date and the window, refund status, and
FAQ/policy answers from the knowledge base. Every reply says what it did (`actions`,
e.g. `sent_tracking_link:1043`, written to the conversation's log as `AgentReplied`)
and reports an intent and a confidence: the retrieval score, gated by the scope check
(`signals.scope`) when one is configured. It does not improvise: below `min_score` it
says it is unsure, which is what the low_confidence trigger listens for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from warmline.adapters.agent.kb import KnowledgeBase, Match
from warmline.domain.formats import day, money
from warmline.domain.judge.signals import Signals
from warmline.domain.model import Conversation, Role
from warmline.domain.policy import Policy
from warmline.domain.record.commerce import Cart, CustomerRecord, Order
from warmline.domain.text import order_refs
from warmline.ports import AgentDraft

THANKS = re.compile(r"^\W*(?:(?:ok(?:ay)?|oh|ah|great|perfect|brilliant|cool|found it|got it)"
                    r"\W+)*(?:thanks?|thank you|thx|ty|cheers|bye|goodbye|that'?s all|"
                    r"great|perfect|got it|found it)\b", re.IGNORECASE)
GREETING = re.compile(r"^\W*(?:hi|hello|hey|hallo|good (?:morning|afternoon|evening))\W*$",
                      re.IGNORECASE)
WHERE = re.compile(r"\b(?:where(?:'s| is)?|when (?:will|does|is|do)|track(?:ing)?|status|"
                   r"arriv\w*|deliver(?:y|ed)?|shipped|dispatch\w*|still waiting|hasn'?t "
                   r"(?:come|arrived))\b", re.IGNORECASE)
ORDERISH = re.compile(r"\b(?:order|parcel|package|delivery|shipment|it)\b|#\d{3,}",
                      re.IGNORECASE)
RETURN = re.compile(r"\b(?:return(?:ing)?|send (?:it|this|them) back|exchange)\b",
                    re.IGNORECASE)
REFUND_STATUS = re.compile(r"\b(?:where(?:'s| is) my refund|refund status|status of my "
                           r"refund|when will i (?:get|receive) my refund)\b", re.IGNORECASE)
PAYMENT = re.compile(r"\b(?:payment|pay|paying|card|checkout|check out|declined|3-?d ?secure)"
                     r"\b", re.IGNORECASE)
POLICY_QUESTION = re.compile(r"\b(?:policy|how (?:do|can|long)|what is|what's)\b",
                             re.IGNORECASE)
UNSURE = ("I'm not sure I understand — could you tell me a bit more? An order number helps "
          "me look things up.")


class ReferenceAgent:
    def __init__(self, kb: KnowledgeBase, signals: Signals, policy: Callable[[], Policy],
                 min_score: float = 0.45) -> None:
        self.kb, self.signals, self.policy, self.min_score = kb, signals, policy, min_score

    def reply(self, conv: Conversation, record: CustomerRecord | None,
              now: datetime) -> AgentDraft:
        asked = next((t for t in reversed(conv.turns) if t.role is Role.CUSTOMER), None)
        if asked is None:
            return AgentDraft(f"Hi! Welcome to {self.kb.brand}. How can I help?", 0.95,
                              "greeting")
        draft = self._draft(asked.text, record, now)
        return self._gate(asked.text, draft)

    def _gate(self, text: str, draft: AgentDraft) -> AgentDraft:
        """Apply the scope check when configured: out of scope is never confident."""
        verdict = self.signals.scope(text)
        if verdict is None or verdict.in_scope or draft.intent in ("thanks", "greeting"):
            return draft
        return AgentDraft(UNSURE, min(draft.confidence, 0.2), "out_of_scope",
                          (*draft.actions, f"scope_check:{verdict.confidence:.2f}"))

    def _draft(self, text: str, record: CustomerRecord | None, now: datetime) -> AgentDraft:
        hello = f"{record.customer.first_name}" if record and record.customer.first_name \
            else ""
        short = len(text.split()) <= 8 and "?" not in text
        if short and GREETING.match(text):
            return AgentDraft(f"Hi{' ' + hello if hello else ''}! How can I help you today?",
                              0.95, "greeting")
        if short and THANKS.match(text):
            return AgentDraft(f"You're welcome{', ' + hello if hello else ''}! Is there "
                              "anything else I can help with?", 0.95, "thanks")
        cart = record.open_cart() if record is not None else None
        if PAYMENT.search(text) and cart is not None and cart.payment_error:
            return self._failed_payment(cart)
        order = self._order(text, record)
        if REFUND_STATUS.search(text) and record is not None:
            return self._refund_status(record, order)
        if WHERE.search(text) and ORDERISH.search(text) and not POLICY_QUESTION.search(text):
            return self._order_status(text, record, order, now)
        if RETURN.search(text) and order is not None and not POLICY_QUESTION.search(text):
            return self._return_eligibility(order, record, now)
        return self._from_kb(text)

    def _order(self, text: str, record: CustomerRecord | None) -> Order | None:
        if record is None:
            return None
        refs = order_refs(text)
        for ref, _, _ in refs:
            if record.order(ref):
                return record.order(ref)
        if refs or not record.orders:
            return None
        dated = [o for o in record.orders if o.placed_at is not None]
        return max(dated, key=lambda o: o.placed_at or datetime.min) if dated \
            else record.orders[-1]

    def _order_status(self, text: str, record: CustomerRecord | None, order: Order | None,
                      now: datetime) -> AgentDraft:
        if order is None:
            refs = order_refs(text)
            if record is not None and refs:
                return AgentDraft(f"I can't find order #{refs[0][0]} on your account — could "
                                  "you check the number?", 0.4, "order_status",
                                  (f"looked_up_order:{refs[0][0]}",))
            best = self.kb.search(text, 1)
            general = best[0].article.answer + " " if best else ""
            return AgentDraft(f"{general}If you share your order number I can look it up for "
                              "you.", 0.6, "order_status")
        actions = [f"looked_up_order:{order.id}"]
        items = f" ({order.items})" if order.items else ""
        link = ""
        if order.tracking_url and order.status in ("dispatched", "delivered"):
            link = f" You can follow it here: {order.tracking_url}"
            actions.append(f"sent_tracking_link:{order.id}")
        if order.status == "delivered" and order.delivered_at:
            text_ = (f"Order #{order.id}{items} was delivered on {day(order.delivered_at)}"
                     f"{' by ' + order.carrier if order.carrier else ''}.{link} If it hasn't "
                     "reached you, tell me and I'll have a colleague check with the carrier.")
        elif order.status == "dispatched":
            when = f" on {day(order.dispatched_at)}" if order.dispatched_at else ""
            due = ""
            if order.expected_at is not None:
                due = (f" It was due on {day(order.expected_at)}, so it's running a little "
                       "late — I'm sorry." if order.expected_at < now
                       else f" It's due on {day(order.expected_at)}.")
            text_ = (f"Order #{order.id}{items} left our warehouse{when}"
                     f"{' with ' + order.carrier if order.carrier else ''}.{due}{link}")
        elif order.status in ("placed", "paid"):
            due = f" Expected delivery: {day(order.expected_at)}." if order.expected_at else ""
            text_ = (f"Order #{order.id}{items} is confirmed and being prepared.{due} I'll "
                     "share the tracking link as soon as it ships.")
        else:
            text_ = f"Order #{order.id}{items} is {order.status}."
        return AgentDraft(text_, 0.92, "order_status", tuple(actions))

    def _return_eligibility(self, order: Order, record: CustomerRecord | None,
                            now: datetime) -> AgentDraft:
        window = self.policy().triggers.policy_edge.return_window_days
        if record is not None and order.lines:
            pl = record.line(order.lines[0].line_id)
            window = pl.return_window_days if pl and pl.return_window_days else window
        action = (f"checked_return_eligibility:{order.id}",)
        how = self.kb.by_id("returns-how")
        steps = f" {how.answer}" if how else ""
        if order.delivered_at is None:
            return AgentDraft(f"Order #{order.id} hasn't been delivered yet; once it arrives "
                              f"you'll have {window} days to return it.", 0.85,
                              "return_eligibility", action)
        deadline = order.delivered_at + timedelta(days=window)
        if deadline < now:
            return AgentDraft(f"Order #{order.id} was delivered on {day(order.delivered_at)}, "
                              f"outside our {window}-day return window. Let me ask a colleague "
                              "what we can do.", 0.3, "return_eligibility", action)
        return AgentDraft(f"Yes — order #{order.id} was delivered on {day(order.delivered_at)}"
                          f", so you can return it until {day(deadline)}.{steps}", 0.9,
                          "return_eligibility", action)

    def _refund_status(self, record: CustomerRecord, order: Order | None) -> AgentDraft:
        refunds = [r for r in record.refunds if order is None or r.order_id == order.id]
        if not refunds:
            which = f" for order #{order.id}" if order else ""
            return AgentDraft(f"I can't see a refund{which} yet. Refunds are issued within 5 "
                              "working days of the return reaching us.", 0.7, "refund_status",
                              (f"looked_up_order:{order.id}",) if order else ())
        r = refunds[-1]
        when = f" on {day(r.created_at)}" if r.created_at else ""
        return AgentDraft(f"A refund of {money(r.amount, r.currency)} for order #{r.order_id} "
                          f"was {r.status}{when}. It can take 3–5 working days to show on "
                          "your statement.", 0.9, "refund_status",
                          (f"looked_up_order:{r.order_id}",))

    def _failed_payment(self, cart: Cart) -> AgentDraft:
        what = ", ".join(li.name for li in cart.lines) or "your cart"
        article = self.kb.by_id("payment-failed")
        help_ = f" {article.answer}" if article else ""
        actions = (f"checked_cart:{cart.id}",) + (
            (f"answered_from_kb:{article.id}",) if article else ())
        return AgentDraft(f"I can see your cart ({what}, {money(cart.total, cart.currency)}) "
                          f"— the last payment attempt failed: {cart.payment_error}.{help_}",
                          0.85, "payment_help", actions)

    def _from_kb(self, text: str) -> AgentDraft:
        matches = self.kb.search(text)
        best: Match | None = matches[0] if matches else None
        if best is None or best.score < self.min_score:
            score = best.score if best else 0.0
            return AgentDraft(UNSURE, round(min(score, self.min_score - 0.01), 3), "fallback")
        confidence = round(min(0.5 + best.score / 2, 0.95), 3)
        return AgentDraft(best.article.answer, confidence, best.article.intent,
                          (f"answered_from_kb:{best.article.id}",))
