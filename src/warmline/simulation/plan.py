"""A staffing plan for the simulation: a day's traffic, what it is about, and the people.

Read from YAML (the demo plan ships as `warmline/data/staffing_demo.yaml`). Shares are
normalised, times are local to the plan's time zone, and every error names the key
that is wrong, like the policy's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from warmline.domain.errors import PolicyError

_SHIFT = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
#: Topics the plan may mix; "product" is a product question, "other" matches no topic.
TOPICS = ("complaint", "cancellation", "chargeback", "refund_request", "return",
          "address_change", "product", "other")
TRIGGERS = ("human_request", "looping", "low_confidence", "negative_emotion", "money_risk",
            "policy_edge")


@dataclass(frozen=True)
class Spread:
    """A log-normal duration given by its median and 90th percentile, in minutes."""

    median: float
    p90: float

    @property
    def mu(self) -> float:
        return math.log(self.median)

    @property
    def sigma(self) -> float:
        return max(math.log(self.p90 / self.median) / 1.2816, 1e-6)


@dataclass(frozen=True)
class Staff:
    name: str
    skills: frozenset[str]
    languages: frozenset[str]
    capacity: int
    start: time
    end: time
    count: int = 1


@dataclass(frozen=True)
class Plan:
    name: str
    day: date
    timezone: str
    seed: int
    arrivals: dict[int, float]  # local hour -> handoffs per hour
    topics: dict[str, float]
    triggers: dict[str, float]  # empty: each topic's usual trigger
    product_lines: dict[str, float]
    languages: dict[str, float]
    vip_share: float
    high_value_share: float
    handle: Spread
    patience: Spread
    accept_seconds: float
    staff: tuple[Staff, ...]

    @property
    def expected_arrivals(self) -> float:
        return sum(self.arrivals.values())


def demo_plan_text() -> str:
    return resources.files("warmline").joinpath("data/staffing_demo.yaml").read_text("utf-8")


def load_plan(path: Path | None = None) -> Plan:
    text = demo_plan_text() if path is None else path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(str(path or "plan"), f"not valid YAML: {exc}") from exc
    return parse_plan(data)


def parse_plan(data: Any) -> Plan:
    d = _mapping(data, "plan")
    tz = str(d.get("timezone", "UTC"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PolicyError("timezone", f"unknown time zone {tz!r}") from exc
    try:
        day = date.fromisoformat(str(d.get("date", "2026-11-25")))
    except ValueError as exc:
        raise PolicyError("date", "expected YYYY-MM-DD") from exc
    arrivals = {}
    for hour, rate in _mapping(d.get("arrivals"), "arrivals").items():
        if not str(hour).isdigit() or not 0 <= int(hour) <= 23:
            raise PolicyError(f"arrivals.{hour}", "expected an hour 0..23")
        arrivals[int(hour)] = _number(rate, f"arrivals.{hour}")
    mix = _mapping(d.get("mix"), "mix")
    topics = _shares(mix.get("topics"), "mix.topics", TOPICS)
    staff = tuple(_staff(s, f"agents[{i}]") for i, s in enumerate(_list(d.get("agents"),
                                                                          "agents")))
    if not staff:
        raise PolicyError("agents", "at least one agent is needed")
    return Plan(
        name=str(d.get("name", "plan")), day=day, timezone=tz,
        seed=int(_number(d.get("seed", 1), "seed")), arrivals=arrivals, topics=topics,
        triggers=(_shares(mix["triggers"], "mix.triggers", TRIGGERS) if "triggers" in mix
                  else {}),
        product_lines=_shares(mix.get("product_lines"), "mix.product_lines", None),
        languages=_shares(mix.get("languages"), "mix.languages", None),
        vip_share=_number(mix.get("vip_share", 0), "mix.vip_share", hi=1),
        high_value_share=_number(mix.get("high_value_share", 0), "mix.high_value_share", hi=1),
        handle=_spread(d.get("handle_minutes"), "handle_minutes"),
        patience=_spread(d.get("patience_minutes"), "patience_minutes"),
        accept_seconds=_number(d.get("accept_seconds", 15), "accept_seconds"),
        staff=staff)


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyError(key, "expected a mapping")
    return value


def _list(value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise PolicyError(key, "expected a list")
    return value


def _number(value: Any, key: str, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise PolicyError(key, f"expected a number ≥ 0, got {value!r}")
    if hi is not None and value > hi:
        raise PolicyError(key, f"must be at most {hi}")
    return float(value)


def _shares(value: Any, key: str, allowed: tuple[str, ...] | None) -> dict[str, float]:
    raw = _mapping(value, key)
    out = {}
    for name, share in raw.items():
        if allowed is not None and name not in allowed:
            raise PolicyError(f"{key}.{name}", f"unknown (known: {', '.join(allowed)})")
        out[str(name)] = _number(share, f"{key}.{name}")
    total = sum(out.values())
    if total <= 0:
        raise PolicyError(key, "shares must add up to more than 0")
    return {k: v / total for k, v in out.items()}


def _spread(value: Any, key: str) -> Spread:
    d = _mapping(value, key)
    median, p90 = _number(d.get("median"), f"{key}.median"), _number(d.get("p90"), f"{key}.p90")
    if not 0 < median <= p90:
        raise PolicyError(f"{key}.p90", "need 0 < median ≤ p90")
    return Spread(median, p90)


def _staff(value: Any, key: str) -> Staff:
    d = _mapping(value, key)
    m = _SHIFT.match(str(d.get("shift", "")))
    if not m:
        raise PolicyError(f"{key}.shift", "expected HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if (h2, m2) <= (h1, m1) or h1 > 23 or h2 > 23:
        raise PolicyError(f"{key}.shift", "the end must be after the start, same day")
    capacity = int(_number(d.get("capacity", 1), f"{key}.capacity"))
    if capacity < 1:
        raise PolicyError(f"{key}.capacity", "at least 1")
    return Staff(name=str(d.get("name", key)),
                 skills=frozenset(str(s) for s in _list(d.get("skills", []), f"{key}.skills")),
                 languages=frozenset(str(s) for s in _list(d.get("languages", ["en"]),
                                                          f"{key}.languages")),
                 capacity=capacity, start=time(h1, m1), end=time(h2, m2),
                 count=max(int(_number(d.get("count", 1), f"{key}.count")), 1))
