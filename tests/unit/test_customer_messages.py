"""What the customer reads around the seam comes from the policy, per language."""

from __future__ import annotations

import pytest

from warmline.domain.errors import PolicyError
from warmline.domain.policy import Policy
from warmline.domain.seam.messages import (
    Messages,
    csat_score,
    is_keyword,
    messages_for,
    render,
)


def test_templates_fill_their_placeholders_and_leave_unknown_ones_visible() -> None:
    assert render("{team}: {minutes} min, {oops}", {"team": "billing", "minutes": 4}) == (
        "billing: 4 min, {oops}")


def test_a_policy_words_the_messages_per_language_and_english_is_the_fallback() -> None:
    policy = Policy.from_mapping({"version": "v1", "messages": {
        "en": {"expectation": "Someone from {team} in {minutes} min."},
        "de": {"expectation": "Jemand aus {team} in {minutes} Min.",
               "csat_question": "Wie war es?"}}})
    assert messages_for(policy.messages, "de").csat_question == "Wie war es?"
    assert messages_for(policy.messages, "fr").expectation.startswith("Someone from")
    assert messages_for(policy.messages, None).csat_thanks == Messages().csat_thanks


def test_an_unknown_message_key_is_refused_with_its_dotted_path() -> None:
    with pytest.raises(PolicyError) as error:
        Policy.from_mapping({"version": "v1", "messages": {"en": {"expectaton": "x"}}})
    assert "messages.en.expectaton" in str(error.value)


def test_only_csat_buttons_carry_a_score() -> None:
    assert [csat_score(b) for b in ("csat:5", "csat:1", "csat:9", "warmline:human")] == [
        5, 1, None, None]


def test_a_message_that_is_only_a_policy_keyword_is_the_one_tap_route() -> None:
    catalogue = {"en": Messages(), "de": Messages(human_keywords=("mensch",))}
    assert [is_keyword(catalogue, t) for t in ("Human!", "  agent ", "Mensch", "talk to a person",
                                               "the human said no")] == [
        True, True, True, True, False]


def test_template_values_follow_the_policys_order_and_fold_whitespace() -> None:
    from warmline.domain.seam.messages import WhatsAppTemplate, template_values

    spec = WhatsAppTemplate("warmline_human_reply", "en", ("agent", "text"))
    assert template_values(spec, "human_reply", "Hi,\n\tI'm   on   it.     Ok",
                           {"agent": "Ana"}) == ("Ana", "Hi, I'm on it. Ok")


def test_a_template_parameter_the_message_does_not_carry_is_named() -> None:
    import pytest

    from warmline.domain.seam.messages import WhatsAppTemplate, template_values

    spec = WhatsAppTemplate("warmline_expectation", "en", ("team", "minutes"))
    with pytest.raises(KeyError, match="needs minutes"):
        template_values(spec, "expectation", "…", {"team": "retention"})
