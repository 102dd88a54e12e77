"""Settings: one table, every entry documented, bad values named."""

import dataclasses
from pathlib import Path

import pytest

from warmline.config import SETTINGS, Config
from warmline.entrypoints.cli.main import policy_table, settings_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_a_config_field() -> None:
    assert {f.name for f in dataclasses.fields(Config)} == {s.name for s in SETTINGS}


def test_every_setting_is_documented_with_its_default() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert settings_table() in text, "regenerate the table with `warmline settings`"
    for s in SETTINGS:
        assert f"`WARMLINE_{s.name.upper()}`" in text, s.name


def test_defaults_apply_when_the_environment_is_empty() -> None:
    config = Config.from_env({})
    assert config.database_url.startswith("sqlite:///")
    assert config.policy is None and config.port == 8000


@pytest.mark.parametrize(("env", "name"), [
    ({"WARMLINE_PORT": "eighty"}, "WARMLINE_PORT"),
    ({"WARMLINE_SIGNALS": "magic"}, "WARMLINE_SIGNALS"),
])
def test_bad_settings_are_rejected_naming_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Config.from_env(env)


def test_the_policy_reference_in_the_docs_matches_the_code() -> None:
    text = (DOCS.parent / "policy.md").read_text(encoding="utf-8")
    assert policy_table() in text, "regenerate the table with `warmline policy reference`"


def test_chatwoot_teams_map_queues_to_team_ids_and_refuse_malformed_pairs() -> None:
    from warmline.config import Config

    config = Config.from_env({"WARMLINE_CHATWOOT_TEAMS": "retention=3, billing=4"})
    assert config.chatwoot_teams == {"retention": 3, "billing": 4}
    with pytest.raises(ValueError, match="WARMLINE_CHATWOOT_TEAMS"):
        Config.from_env({"WARMLINE_CHATWOOT_TEAMS": "retention=three"})
