"""The routing section of the policy: defaults in the YAML, validation naming the key."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from warmline.adapters.policy_file import default_policy_text, load_policy
from warmline.domain.errors import PolicyError
from warmline.domain.policy import Policy, reference


def test_the_packaged_policy_spells_out_the_routing_defaults_of_the_code() -> None:
    data = yaml.safe_load(default_policy_text())
    assert set(data["routing"]["queues"]) == set(Policy(version="x").routing.queues)
    assert load_policy().routing == Policy(version="x").routing


def test_the_defaults_have_a_visible_fallback_and_a_team_per_demo_product_line() -> None:
    rp = load_policy().routing
    assert [n for n, q in rp.queues.items() if q.fallback] == [rp.fallback_queue] == ["general"]
    assert {rp.queue_for_line(line) for line in ("kitchen", "living", "apparel")} == {
        "kitchen", "living", "apparel"}
    # no queue waits forever: every non-fallback queue overflows to the fallback in the end
    for name, q in rp.queues.items():
        if not q.fallback:
            assert q.escalation[-1].overflow_to == rp.fallback_queue, name


def _with(routing: dict[str, Any]) -> dict[str, Any]:
    return {"version": "1", "routing": routing}


@pytest.mark.parametrize(("routing", "key"), [
    ({"rules": [{"name": "x", "queue": "retension"}]}, "routing.rules[0].queue"),
    ({"rules": [{"queue": "retention"}]}, "routing.rules[0].name"),
    ({"rules": [{"name": "a", "queue": "billing"}, {"name": "a", "queue": "billing"}]},
     "routing.rules[1].name"),
    ({"rules": [{"name": "a", "queue": "billing", "priority": 101}]},
     "routing.rules[0].priority"),
    ({"rules": [{"name": "a", "queue": "billing", "when": [{"hours": "lunch"}]}]},
     "routing.rules[0].when[0].hours"),
    ({"rules": [{"name": "a", "queue": "billing", "when": [{"topic": ["x"]}]}]},
     "routing.rules[0].when[0].topic"),
    ({"rules": [{"name": "a", "queue": "billing", "when": {"topics": ["x"]}}]},
     "routing.rules[0].when"),
    ({"rules": [{"name": "a", "queue": "billing",
                 "when": [{"max_sentiment": -2}]}]}, "routing.rules[0].when[0].max_sentiment"),
    ({"fallback_queue": "nowhere"}, "routing.fallback_queue"),
    ({"queues": {"general": {"fallback": True}, "a": {"fallback": True}}},
     "routing.queues.general.fallback"),
    ({"queues": {"general": {"fallback": True}, "a": {"hours": "weekends"}}},
     "routing.queues.a.hours"),
    ({"queues": {"general": {"fallback": True},
                 "a": {"escalation": [{"after_seconds": 60, "overflow_to": "b"}]},
                 "b": {"escalation": [{"after_seconds": 60, "overflow_to": "a"}]}}},
     "routing.queues.a"),
    ({"queues": {"general": {"fallback": True},
                 "a": {"escalation": [{"after_seconds": 300}, {"after_seconds": 60}]}}},
     "routing.queues.a.escalation[1].after_seconds"),
    ({"queues": {"general": {"fallback": True}, "a": {"when_closed": "tomorrow"}}},
     "routing.queues.a.when_closed"),
    ({"schedules": {"business": {"timezone": "Mars/Olympus"}}},
     "routing.schedules.business.timezone"),
    ({"schedules": {"business": {"open": "8am"}}}, "routing.schedules.business.open"),
    ({"schedules": {"business": {"open": "20:00", "close": "08:00"}}},
     "routing.schedules.business.close"),
    ({"schedules": {"business": {"days": ["monday"]}}}, "routing.schedules.business.days[0]"),
    ({"offer_seconds": 1}, "routing.offer_seconds"),
])
def test_a_bad_routing_policy_is_rejected_naming_the_key(routing: dict[str, Any],
                                                         key: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping(_with(routing))
    assert info.value.key == key, str(info.value)


def test_every_routing_setting_is_documented_with_a_help_line() -> None:
    rows = {k: h for k, _, h in reference() if k.startswith("routing")}
    assert "routing.rules[].when[].customer_tags" in rows
    assert "routing.queues.<name>.escalation[].overflow_to" in rows
    assert all(h.strip() for h in rows.values())
