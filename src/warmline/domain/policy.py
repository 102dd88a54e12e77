"""The escalation policy as data: triggers, thresholds and counts.

Loaded from YAML by an adapter, validated here with the standard library so a bad
file is rejected with the dotted key that is wrong. Every field carries a help line
(`metadata["help"]`) that the policy reference in docs/ is generated from.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from warmline.domain.errors import PolicyError
from warmline.domain.package.next_steps import NextStepRules
from warmline.domain.routing.policy import RoutingPolicy
from warmline.domain.seam.messages import Messages, default_messages
from warmline.domain.seam.waiting import WaitingRules

T = TypeVar("T")


def setting(default: Any, help: str, *, min: float | None = None,
            max: float | None = None) -> Any:
    """A policy field with its default, its help line and its allowed range."""
    meta = {"help": help, "min": min, "max": max}
    if isinstance(default, (dict, list, tuple)):
        frozen = tuple(default) if isinstance(default, list) else default
        return dataclasses.field(default_factory=lambda: frozen, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


AFTER_HELP = "escalate once this many turns in the window have hit (1 = at once)"


@dataclass(frozen=True)
class HumanRequestRule:
    enabled: bool = setting(True, "fire when the customer asks for a person")
    after: int = setting(1, AFTER_HELP, min=1)
    model_threshold: float = setting(
        0.5, "probability from the semantic model above which a request counts", min=0, max=1)


@dataclass(frozen=True)
class LoopingRule:
    enabled: bool = setting(True, "fire on re-asked questions, repeated or fallback replies")
    after: int = setting(2, "misses (re-asks, repeats, fallbacks) before escalating", min=1)
    similarity: float = setting(
        0.6, "similarity at or above which two messages count as the same ask", min=0, max=1)
    fallback_phrases: tuple[str, ...] = setting(
        ["i'm not sure i understand", "i didn't understand", "i did not understand",
         "could you rephrase", "can you rephrase", "i don't have an answer",
         "i'm not able to help with that", "sorry, i can't help with that",
         "i didn't quite get that", "i'm sorry, i don't know"],
        "agent replies containing one of these (lower case) count as a fallback")


@dataclass(frozen=True)
class LowConfidenceRule:
    enabled: bool = setting(True, "fire when the agent is unsure or out of its scope")
    after: int = setting(2, AFTER_HELP, min=1)
    confidence_below: float = setting(
        0.45, "agent confidence under this counts as a low-confidence turn", min=0, max=1)
    fallback_intents: tuple[str, ...] = setting(
        ["fallback", "unknown", "none", "out_of_scope", "nlu_fallback"],
        "intents an agent reports when it could not map the message")
    scope_confidence_below: float = setting(
        0.01, "a customer message whose scope confidence is under this is out of the "
        "agent's scope; the confidence is the share of the agent's own knowledge examples "
        "that score as low, so 0.01 flags about 1% of in-scope messages", min=0, max=1)


@dataclass(frozen=True)
class NegativeEmotionRule:
    enabled: bool = setting(True, "fire on strong anger, frustration or distress")
    after: int = setting(1, AFTER_HELP, min=1)
    intensity_at_least: float = setting(
        0.6, "emotion intensity (0..1, sentiment plus cues) that fires", min=0, max=1)
    model_threshold: float = setting(
        0.5, "probability from the semantic model at or above which the emotion fires",
        min=0, max=1)


@dataclass(frozen=True)
class MoneyRiskRule:
    enabled: bool = setting(True, "fire on refunds, orders and threats above thresholds")
    after: int = setting(1, AFTER_HELP, min=1)
    currency: str = setting("EUR", "currency the thresholds are expressed in")
    refund_over: float = setting(100.0, "a refund request above this amount fires", min=0)
    order_over: float = setting(500.0, "an order above this value in question fires", min=0)
    cancellation: bool = setting(True, "any cancellation request fires")
    chargeback: bool = setting(True, "a chargeback or bank-dispute threat fires")
    fx: dict[str, float] = setting(
        {"EUR": 1.0, "USD": 0.92, "GBP": 1.17},
        "rate to convert one unit of a currency into the policy currency")
    high_value_lifetime_value: float = setting(
        2000.0, "a customer whose lifetime value (record) is at least this is high-value; "
        "0 switches it off", min=0)
    high_value_tags: tuple[str, ...] = setting(
        ["vip"], "record tags that make a customer high-value")
    high_value_refund_over: float = setting(
        50.0, "for a high-value customer, a refund request above this amount fires", min=0)
    repeat_refund: bool = setting(
        True, "a refund asked for an order the record shows as already refunded fires")


@dataclass(frozen=True)
class PolicyEdgeRule:
    enabled: bool = setting(True, "fire on requests that bend a store rule")
    after: int = setting(1, AFTER_HELP, min=1)
    return_window_days: int = setting(30, "days after delivery a return is allowed", min=0)
    warranty_days: int = setting(730, "days after delivery the warranty covers", min=0)
    price_match: bool = setting(True, "price-match requests fire")
    discount_exceptions: bool = setting(True, "requests for special or expired discounts fire")
    address_change_after_dispatch: bool = setting(
        True, "address changes for an order already dispatched fire")
    record_windows: bool = setting(
        True, "use the return window and warranty of the order's product line from the "
        "record when it has them")
    late_delivery_days: int = setting(
        3, "a question about an order this many days past its promised delivery date "
        "(record: orders.expected_at) fires; 0 switches it off", min=0)
    repeat_fault_after: int = setting(
        2, "a fault report on an order with this many earlier fault reports in the record "
        "fires; 0 switches it off", min=0)


@dataclass(frozen=True)
class Triggers:
    human_request: HumanRequestRule = dataclasses.field(default_factory=HumanRequestRule)
    looping: LoopingRule = dataclasses.field(default_factory=LoopingRule)
    low_confidence: LowConfidenceRule = dataclasses.field(default_factory=LowConfidenceRule)
    negative_emotion: NegativeEmotionRule = dataclasses.field(
        default_factory=NegativeEmotionRule)
    money_risk: MoneyRiskRule = dataclasses.field(default_factory=MoneyRiskRule)
    policy_edge: PolicyEdgeRule = dataclasses.field(default_factory=PolicyEdgeRule)

    def rule(self, kind: str) -> Any:
        return getattr(self, kind)


@dataclass(frozen=True)
class ContextRules:
    next_steps: NextStepRules = dataclasses.field(default_factory=NextStepRules)
    quotes: int = setting(4, "how many of the customer's own sentences the package quotes",
                          min=0, max=20)
    history: int = setting(5, "how many past conversations and handoffs the package lists",
                           min=0, max=50)


@dataclass(frozen=True)
class DetectionRules:
    topic_threshold: float = setting(
        0.5, "probability from the semantic model at or above which a topic (complaint, "
        "cancellation, refund_request) is read in a customer message", min=0, max=1)


@dataclass(frozen=True)
class Policy:
    version: str = setting("", "version label recorded with every decision")
    name: str = setting("default", "a human name for this policy")
    triggers: Triggers = dataclasses.field(default_factory=Triggers)
    detection: DetectionRules = dataclasses.field(default_factory=DetectionRules)
    context: ContextRules = dataclasses.field(default_factory=ContextRules)
    routing: RoutingPolicy = dataclasses.field(default_factory=RoutingPolicy)
    waiting: WaitingRules = dataclasses.field(default_factory=WaitingRules)
    messages: dict[str, Messages] = dataclasses.field(
        default_factory=default_messages,
        metadata={"help": "what the customer reads around the seam, per language "
                  "(docs/channels.md)", "min": None, "max": None})

    @classmethod
    def from_mapping(cls, data: Any) -> Policy:
        policy = _build(cls, data, "")
        if not policy.version:
            raise PolicyError("version", "required: a non-empty version label")
        return policy

    def to_mapping(self) -> dict[str, Any]:
        return _dump(self)  # type: ignore[no-any-return]


def _build(cls: type[T], data: Any, path: str) -> T:
    where = path or "policy"
    if not isinstance(data, Mapping):
        raise PolicyError(where, f"expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in data:
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise PolicyError(_join(path, str(key)), f"unknown key (known keys: {known})")
    values: dict[str, Any] = {}
    for name, f in fields.items():
        if name in data:
            values[name] = _coerce(hints[name], data[name], _join(path, name), f.metadata)
    return cls(**values)


def _coerce(tp: Any, value: Any, path: str, meta: Mapping[str, Any]) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, path)  # type: ignore[arg-type]
    if tp is bool:
        if not isinstance(value, bool):
            raise PolicyError(path, f"expected true or false, got {value!r}")
        return value
    if tp in (int, float):
        ok = isinstance(value, int) if tp is int else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            raise PolicyError(path, f"expected {'an integer' if tp is int else 'a number'}, "
                              f"got {value!r}")
        lo, hi = meta.get("min"), meta.get("max")
        if lo is not None and value < lo:
            raise PolicyError(path, f"must be at least {lo}, got {value}")
        if hi is not None and value > hi:
            raise PolicyError(path, f"must be at most {hi}, got {value}")
        return tp(value)
    if tp is str:
        if not isinstance(value, str):
            raise PolicyError(path, f"expected text, got {value!r}")
        return value
    item = _item_dataclass(tp)
    if item is not None:  # a list or a mapping of nested sections (routing rules, queues)
        if origin is tuple:
            if not isinstance(value, list):
                raise PolicyError(path, "expected a list")
            return tuple(_build(item, v, f"{path}[{i}]") for i, v in enumerate(value))
        if not isinstance(value, Mapping):
            raise PolicyError(path, "expected a mapping")
        return {str(k): _build(item, v, _join(path, str(k))) for k, v in value.items()}
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyError(path, "expected a list of texts")
        return tuple(value)
    if origin is dict:
        if not isinstance(value, Mapping):
            raise PolicyError(path, "expected a mapping")
        out: dict[str, float] = {}
        for k, v in value.items():
            out[str(k)] = _coerce(float, v, _join(path, str(k)), {"min": 0})
        return out
    if isinstance(tp, types.UnionType):  # pragma: no cover - no optional fields yet
        raise PolicyError(path, "unsupported type")
    raise PolicyError(path, f"unsupported type {tp!r}")


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _item_dataclass(tp: Any) -> Any:
    """The section type of `tuple[Section, ...]` or `dict[str, Section]`, else None."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    item = args[0] if origin is tuple and args else args[1] if origin is dict else None
    return item if item is not None and dataclasses.is_dataclass(item) else None


def reference(cls: type = Policy, path: str = "") -> Iterator[tuple[str, Any, str]]:
    """(dotted key, default, help) for every policy setting, for the docs."""
    for f in dataclasses.fields(cls):
        key = _join(path, f.name)
        tp = typing.get_type_hints(cls)[f.name]
        if dataclasses.is_dataclass(tp):
            yield from reference(tp, key)  # type: ignore[arg-type]
            continue
        factory: Any = f.default_factory
        default = f.default if f.default is not dataclasses.MISSING else factory()
        item = _item_dataclass(tp)
        if item is not None:  # the names in the default, then the keys of one entry
            names = list(default) if isinstance(default, dict) else [
                getattr(d, "name", "…") for d in default]
            yield key, names, f.metadata.get("help", "")
            yield from reference(item, key + (".<name>" if isinstance(default, dict)
                                              else "[]"))
            continue
        yield key, _dump(default), f.metadata.get("help", "")
