"""The words of the context package: the two summary sentences and the first message.

Written from a `Story`, one phrasing per next-step situation, so the summary, the next
step and the first message always tell the same story with the same figures.
"""

from __future__ import annotations

import re

from warmline.domain.formats import day, money, ordinal, plural
from warmline.domain.model import Turn
from warmline.domain.package.story import Story

URL = re.compile(r"https?://[^\s<>\"')]+")
#: How an agent's reported actions read in a sentence ("{arg}" is what follows a colon).
ACTIONS = {
    "sent_tracking_link": "sent the tracking link{for_order}",
    "looked_up_order": "looked up order{order}",
    "lookup_order": "looked up the order",
    "checked_return_eligibility": "checked whether order{order} can be returned",
    "answered_from_kb": "answered from the help centre ({arg})",
    "quoted_policy": "quoted the {arg} policy",
    "quote_refund": "quoted a refund",
    "offered_return_label": "offered a return label",
    "checked_cart": "looked at the cart",
    "llm_fallback": "fell back to the embedded agent",
}
ONE_TAP = "talk to a person"


def who(s: Story) -> str:
    if s.record is None or not s.record.customer.name:
        return "The customer"
    c = s.record.customer
    vip = " (VIP)" if s.high_value and any(t.lower() == "vip" for t in c.tags) else ""
    return f"{c.name}{vip}"


def gist(s: Story, limit: int = 90) -> str:
    """The customer's most telling message, for when no better description exists."""
    asking = {e.turn for h in s.escalation.hits if h.kind == "human_request"
              for e in h.evidence}  # "can I talk to someone?" says nothing of the issue
    asks = [t for t in s.customer_turns
            if t.text.strip().lower() != ONE_TAP and len(t.text.split()) >= 3
            and not (t.index in asking and len(t.text.split()) <= 6)]
    if not asks:
        return ""
    text = " ".join(asks[0].text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _order(s: Story) -> str:
    o = s.order
    if o is None:
        return "their order"
    return f"order #{o.id}" + (f" ({o.items})" if o.items else "")


def _amount(s: Story) -> str:
    return money(s.amount, s.currency) if s.amount is not None else "an amount not stated"


def wants(s: Story, rule: str) -> str:
    """Sentence one: what the customer wants."""
    w, o = who(s), s.order
    order = _order(s)
    carrier = (o.carrier if o else None) or "the carrier"
    dispatched = f" on {day(o.dispatched_at)}" if o and o.dispatched_at else ""
    asked = f"a refund of {_amount(s)} for" if "refund_request" in s.topics else "to return"
    outside = (f"{w} wants {asked} {order}, delivered {s.days_since_delivery} days ago: "
               f"{s.days_over} days outside the {s.window}-day return window")
    text = {
        "chargeback": f"{w} wants their money back for {order} and threatens a chargeback "
                      "or legal action",
        "repeated_fault": f"{w} wants the {o.items if o and o.items else 'item'} from order "
                          f"#{o.id if o else '?'} fixed or replaced: this is the "
                          f"{ordinal(s.nth_fault or 2)} fault report on that order",
        "refund_outside_window_high_value": outside,
        "refund_outside_window": outside,
        "refund_over_threshold": f"{w} wants a refund of {_amount(s)}"
                                 + (f" for {order}" if o else ""),
        "cancel_before_dispatch": f"{w} wants to cancel {order}, {_amount(s)}, "
                                  f"{o.status if o else ''} and not yet dispatched",
        "cancel_after_dispatch": f"{w} wants to cancel {order}, which already left with "
                                 f"{carrier}{dispatched}",
        "address_after_dispatch": f"{w} wants to change the delivery address of {order}, "
                                  f"already dispatched with {carrier}{dispatched}",
        "late_delivery": f"{w} wants to know where {order} is: promised for "
                         f"{day(o.expected_at) if o and o.expected_at else '?'}, now "
                         f"{plural(s.days_late or 0, 'day')} late and not delivered",
        "warranty": f"{w} wants a repair or replacement for {order}, delivered "
                    f"{s.days_since_delivery} days ago: {s.warranty_over} days past the "
                    f"{s.warranty}-day warranty",
        "payment_failed_cart": _cart_want(s, w),
        "price_match": f"{w} wants a price match" + (f" on {order}" if o else ""),
        "discount_exception": f"{w} wants a special discount",
        "cancellation": f"{w} wants to cancel" + (f" {order}" if o else ""),
        "refund": f"{w} wants a refund" + (f" for {order}" if o else ""),
    }.get(rule)
    if text is None and "order_status" in s.topics and o is not None:
        text = f"{w} wants to know where {order} is: {_status(s)}"
    if text is None:
        g = gist(s)
        if "human_request" in s.kinds and not g:
            text = f"{w} asked for a person and has not said what about yet"
        elif "human_request" in s.kinds:
            text = f"{w} asked for a person about: “{g}”"
        else:
            text = f"{w} wants help with: “{g}”" if g else f"{w} wants help"
    return _end(text)


def _status(s: Story) -> str:
    o = s.order
    assert o is not None
    if o.status == "delivered" and o.delivered_at:
        return f"delivered on {day(o.delivered_at)}"
    if o.status == "dispatched":
        shipped = f"dispatched with {o.carrier or 'the carrier'}" + (
            f" on {day(o.dispatched_at)}" if o.dispatched_at else "")
        return shipped + (f", due {day(o.expected_at)}" if o.expected_at else "")
    return f"{o.status}, not dispatched yet"


def _cart_want(s: Story, w: str) -> str:
    cart = s.cart
    if cart is None:
        return f"{w} wants to complete a purchase"
    what = cart.lines[0].name if cart.lines else "their cart"
    more = f" and {len(cart.lines) - 1} more" if len(cart.lines) > 1 else ""
    return (f"{w} wants to buy the {what}{more} ({money(cart.total, cart.currency)}) but the "
            f"payment failed ({cart.payment_error})")


def tried(s: Story) -> str:
    """Sentence two: what has already been tried, by the agent and before (the record)."""
    done: list[str] = []
    for t in s.agent_turns:
        for action in t.actions:
            phrase = _action(action)
            if phrase not in done:
                done.append(phrase)
    links = [u.rstrip(".,;:") for t in s.agent_turns for u in URL.findall(t.text)]
    for link in dict.fromkeys(links):
        if not any("tracking" in d for d in done) or "track" not in link:
            done.append(f"shared {link}")
    replies = [t for t in s.agent_turns if not t.actions]
    if replies and not done:
        done.append(f"answered {plural(len(replies), 'time')} ({_quoted(replies)})")
    unsure = [t for t in s.agent_turns if t.confidence is not None and t.confidence < 0.45]
    if unsure:
        done.append("was unsure (confidence "
                    + ", ".join(f"{t.confidence:.2f}" for t in unsure) + ")")
    if "looping" in s.kinds:
        done.append(f"the customer asked {plural(len(s.customer_turns), 'time')}")
    before = _record_history(s)
    if done:
        text = "So far the agent " + _join(done)
    elif len(s.customer_turns) <= 1:
        text = "Nothing has been tried yet: it escalated on the customer's first message"
    else:
        text = (f"Nothing has been tried yet: the agent had not answered the customer's "
                f"{plural(len(s.customer_turns), 'message')}")
    if before:
        text += "; the record shows " + _join(before)
    return _end(text)


def _action(action: str) -> str:
    name, _, arg = action.partition(":")
    template = ACTIONS.get(name)
    if template is None:
        readable = name.replace("_", " ")
        return f"{readable} ({arg})" if arg else readable
    return template.format(arg=arg.replace("-", " ") if arg else "?",
                           order=f" #{arg}" if arg else "",
                           for_order=f" for order #{arg}" if arg else "")


def _quoted(turns: list[Turn]) -> str:
    def short(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= 60 else text[:59].rstrip() + "…"
    return "; ".join(f"“{short(t.text)}”" for t in turns[-2:])


def _record_history(s: Story) -> list[str]:
    r, o = s.record, s.order
    if r is None:
        return []
    out: list[str] = []
    if o is not None:
        faults = r.fault_reports(o.id)
        if faults:
            dated = "; ".join(f"{day(i.started_at)}{': ' + i.outcome if i.outcome else ''}"
                              for i in faults if i.started_at)
            out.append(f"{plural(len(faults), 'earlier fault report')} on #{o.id}"
                       + (f" ({dated})" if dated else ""))
        for ret in r.returns:
            if ret.order_id == o.id:
                out.append(f"a return {ret.status}"
                           + (f" on {day(ret.requested_at)}" if ret.requested_at else ""))
        refunded = r.refunded(o.id)
        if refunded:
            out.append(f"{money(refunded, o.currency)} already refunded on #{o.id}")
    if s.cart is not None and s.cart.payment_error:
        when = f" on {day(s.cart.updated_at)}" if s.cart.updated_at else ""
        out.append(f"a checkout that failed at payment{when}")
    handoffs = [i for i in r.interactions if i.handed_off]
    if handoffs:
        out.append(f"{plural(len(handoffs), 'earlier handoff')} to the team")
    return out


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _end(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def first_message(s: Story, rule: str) -> str:
    """What the human can send first: it shows they already know the story."""
    c = s.record.customer if s.record else None
    hello = f"Hi {c.first_name}," if c and c.first_name else "Hi,"
    o = s.order
    order = f"order #{o.id}" if o else "your order"
    item = f"the {o.items}" if o and o.items else "your item"
    carrier = (o.carrier if o else None) or "the carrier"
    story = {
        "chargeback": f"I can see you're unhappy about {order}, and I'd like to put it "
                      "right with you directly.",
        "repeated_fault": f"I can see this is the {ordinal(s.nth_fault or 2)} time {item} "
                          f"from {order} has failed — I'm sorry, that shouldn't happen.",
        "refund_outside_window_high_value": f"I can see {order} was delivered "
                                            f"{s.days_since_delivery} days ago and you'd like "
                                            f"a refund of {_amount(s)}.",
        "refund_outside_window": f"I can see {order} was delivered {s.days_since_delivery} "
                                 f"days ago, a little past our {s.window}-day return window.",
        "refund_over_threshold": f"I can see you'd like a refund of {_amount(s)}"
                                 + (f" for {order}." if o else "."),
        "cancel_before_dispatch": f"I can see {order} hasn't shipped yet, so we can still "
                                  "stop it.",
        "cancel_after_dispatch": f"I can see {order} has already left with {carrier}.",
        "address_after_dispatch": f"I can see {order} is already with {carrier}, so I'll "
                                  "ask them to deliver to your new address.",
        "late_delivery": f"I can see {order} was due on "
                         f"{day(o.expected_at) if o and o.expected_at else '?'} and still "
                         "hasn't reached you — I'm sorry about the wait.",
        "warranty": f"I can see {item} from {order} has stopped working.",
        "payment_failed_cart": "I can see your payment didn't go through"
                               + (f" ({s.cart.payment_error})." if s.cart else "."),
        "price_match": "I can see you've found a better price elsewhere.",
        "discount_exception": "I can see you're asking about a special discount.",
        "emotion": "I'm sorry about all this — I can see how frustrating it has been.",
    }.get(rule)
    if story is None:
        g = gist(s)
        story = f"I can see you asked about “{g}”." if g else (
            f"I can see {order} is {o.status} — is that what this is about?" if o
            else "How can I help?")
    return (f"{hello} I've picked this up from our assistant and read everything, so "
            f"there's no need to repeat anything. {story} I'm on it now, right here in "
            "this chat.")
