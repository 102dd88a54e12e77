"""Policy loading and validation: errors name the offending key."""

import pytest
import yaml

from warmline.adapters.policy_file import default_policy_text, load_policy, parse_policy
from warmline.domain.errors import PolicyError
from warmline.domain.policy import Policy, reference


def test_default_policy_ships_in_the_package_and_matches_the_code_defaults() -> None:
    policy = load_policy()
    assert policy.version
    assert policy.triggers == Policy(version="x").triggers


def test_default_policy_file_sets_every_trigger_explicitly() -> None:
    data = yaml.safe_load(default_policy_text())
    assert set(data["triggers"]) == {"human_request", "looping", "low_confidence",
                                     "negative_emotion", "money_risk", "policy_edge"}


def test_painful_triggers_escalate_at_once_and_the_others_after_a_count() -> None:
    t = load_policy().triggers
    assert [t.human_request.after, t.negative_emotion.after, t.money_risk.after,
            t.policy_edge.after] == [1, 1, 1, 1]
    assert t.looping.after >= 2 and t.low_confidence.after >= 2


@pytest.mark.parametrize(("doc", "key"), [
    ({"version": "1", "triggers": {"looping": {"aftr": 2}}}, "triggers.looping.aftr"),
    ({"version": "1", "triggers": {"looping": {"after": 0}}}, "triggers.looping.after"),
    ({"version": "1", "triggers": {"looping": {"after": "two"}}}, "triggers.looping.after"),
    ({"version": "1", "triggers": {"looping": {"after": 2.5}}}, "triggers.looping.after"),
    ({"version": "1", "triggers": {"money_risk": {"refund_over": -5}}},
     "triggers.money_risk.refund_over"),
    ({"version": "1", "triggers": {"money_risk": {"fx": {"USD": "x"}}}},
     "triggers.money_risk.fx.USD"),
    ({"version": "1", "triggers": {"human_request": {"enabled": "yes"}}},
     "triggers.human_request.enabled"),
    ({"version": "1", "triggers": {"low_confidence": {"confidence_below": 1.5}}},
     "triggers.low_confidence.confidence_below"),
    ({"version": "1", "triggers": {"looping": {"fallback_phrases": "sorry"}}},
     "triggers.looping.fallback_phrases"),
    ({"version": "1", "triggers": []}, "triggers"),
    ({"version": "1", "trigers": {}}, "trigers"),
    ({"triggers": {}}, "version"),
    ("just text", "policy"),
])
def test_invalid_policy_is_rejected_naming_the_key(doc: object, key: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping(doc)
    assert info.value.key == key
    assert str(info.value).startswith(key)


def test_invalid_yaml_is_reported_as_such() -> None:
    with pytest.raises(PolicyError, match="not valid YAML"):
        parse_policy("version: [unclosed", "candidate.yaml")


def test_policy_round_trips_through_its_mapping() -> None:
    policy = load_policy()
    assert Policy.from_mapping(policy.to_mapping()) == policy


def test_every_policy_setting_has_a_help_line() -> None:
    rows = list(reference())
    assert len(rows) > 20
    assert all(help_.strip() for _, _, help_ in rows)
