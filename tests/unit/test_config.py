"""Settings: one table, every entry documented, bad values named."""

import dataclasses
import re
from pathlib import Path

import pytest

from warmline.config import SETTINGS, Config, _path, read
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


# --- each setting declared once -------------------------------------------------------

SRC = Path(__file__).resolve().parents[2] / "src" / "warmline"
README = DOCS.parents[1] / "README.md"
VARIABLE = re.compile(r"WARMLINE_[A-Z][A-Z0-9_]*\*?")
NOT_WARMLINES = {"WARMLINE_TEST_POSTGRES_URL"}  # the test suite's own server, read by tests/
DECLARED = {s.variable for s in SETTINGS}


def _named(text: str) -> set[str]:
    return {v.removesuffix("_FILE") for v in VARIABLE.findall(text)}


def _source_files() -> list[Path]:
    return [p for p in SRC.rglob("*") if p.is_file()
            and p.suffix in (".py", ".html", ".js", ".yaml", ".css", ".md")]


def test_every_field_of_config_is_declared_with_setting() -> None:
    undeclared = [f.name for f in dataclasses.fields(Config) if "setting" not in f.metadata]
    assert undeclared == [], "declare each Config field with setting(default, help, ...)"
    assert Config() == Config.from_env({}), "every default parses to the field's default"


def test_every_warmline_variable_the_code_names_is_a_declared_setting() -> None:
    named = {(v, p.relative_to(SRC).as_posix()) for p in _source_files()
             for v in _named(p.read_text(encoding="utf-8")) if not v.endswith("*")}
    assert sorted((v, where) for v, where in named if v not in DECLARED) == []


def test_every_warmline_variable_the_docs_name_is_a_declared_setting() -> None:
    pages = [README, *sorted(DOCS.parent.glob("*.md"))]
    for page in pages:
        for v in _named(page.read_text(encoding="utf-8")) - NOT_WARMLINES:
            if v.endswith("*"):
                assert any(d.startswith(v[:-1]) for d in DECLARED), (page.name, v)
            else:
                assert v in DECLARED, f"{page.name} names {v}, which config.py does not declare"


def test_nothing_but_config_reads_the_environment() -> None:
    reads = re.compile(r"\bos\.environ\b|\bgetenv\(|\bfrom os import\b.*\benviron\b")
    found = [p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
             if p.name != "config.py" and reads.search(p.read_text(encoding="utf-8"))]
    assert found == [], "read settings through warmline.config (Config.from_env or read)"


def test_operator_settings_are_in_the_table_and_test_only_ones_only_in_their_section(
        ) -> None:
    operator, _, tests_only = DOCS.read_text(encoding="utf-8").partition("## For tests only")
    assert settings_table(test_only=True) in tests_only, \
        "regenerate it with `warmline settings --test-only`"
    assert {s.name for s in SETTINGS if s.test_only} == {"fault_pause", "fault_marker"}
    for s in SETTINGS:
        if s.test_only:
            assert s.variable not in operator and s.variable not in settings_table(), s.name
        else:
            assert f"| `{s.variable}` |" in operator and s.variable not in tests_only, s.name
    assert "WARMLINE_API_TOKEN" in settings_table()


# one bad value per setting that has a check; a new check needs a line here
BAD = {
    "agent": ("robot", "unknown agent 'robot' (known: none, reference, llm)"),
    "signals": ("magic", "unknown provider 'magic'"),
    "record_timeout": ("soon", "expected seconds between 0 and 600, got 'soon'"),
    "llm_timeout": ("601", "expected seconds between 0 and 600, got '601'"),
    "port": ("eighty", "expected a whole number, got 'eighty'"),
    "max_body_bytes": ("-1", "expected a whole number, got '-1'"),
    "max_message_chars": ("4k", "expected a whole number, got '4k'"),
    "sweep_seconds": ("3601", "expected seconds between 0 and 3600, got '3601'"),
    "log_format": ("xml", "unknown log format 'xml' (known: text, json)"),
    "whatsapp_api_url": ("graph.facebook.com", "expected an http(s) URL"),
    "chatwoot_url": ("ftp://chat.example", "expected an http(s) URL"),
    "chatwoot_account_id": ("acme", "expected a whole number, got 'acme'"),
    "chatwoot_teams": ("retention", "expected queue=team_id pairs, got 'retention'"),
    "session_hours": ("0", "expected hours between 0 and 720, got '0'"),
    "rate_limit_per_token": ("many", "expected a whole number, got 'many'"),
    "rate_limit_per_sender": ("1.5", "expected a whole number, got '1.5'"),
    "fault_pause": ("during_commit:5", "expected POINT[:SECONDS]"),
}


def test_every_setting_with_a_check_has_a_bad_value_tested() -> None:
    checked = {s.name for s in SETTINGS if s.parse not in (str, _path)}
    assert checked == set(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_check_names_the_variable_and_what_it_expected(name: str) -> None:
    value, expected = BAD[name]
    variable = f"WARMLINE_{name.upper()}"
    with pytest.raises(ValueError, match=f"^{variable}: {re.escape(expected)}"):
        Config.from_env({variable: value})
    with pytest.raises(ValueError, match=f"^{variable}: "):
        Config.from_env({}, **{name: value})


def test_the_port_message_reads_in_full() -> None:
    with pytest.raises(ValueError) as raised:
        Config.from_env({"WARMLINE_PORT": "eighty"})
    assert str(raised.value) == "WARMLINE_PORT: expected a whole number, got 'eighty'"


def test_checks_across_settings_name_every_variable_involved() -> None:
    with pytest.raises(ValueError, match="WARMLINE_LLM_URL and WARMLINE_LLM_MODEL"):
        Config.from_env({"WARMLINE_AGENT": "llm", "WARMLINE_LLM_URL": "http://x/v1"})
    with pytest.raises(ValueError, match=r"WARMLINE_KB: .*WARMLINE_SIGNALS=semantic"):
        Config.from_env({"WARMLINE_SIGNALS": "lexical", "WARMLINE_KB": "kb.jsonl"})
    llm = Config.from_env({"WARMLINE_AGENT": "llm", "WARMLINE_LLM_URL": "http://x/v1",
                           "WARMLINE_LLM_MODEL": "m"})
    assert (llm.agent, llm.llm_model) == ("llm", "m")


def test_values_are_parsed_to_the_declared_types() -> None:
    config = Config.from_env({
        "WARMLINE_POLICY": "p.yaml", "WARMLINE_RECORD_TIMEOUT": "0.5",
        "WARMLINE_SWEEP_SECONDS": "0", "WARMLINE_SESSION_HOURS": "720",
        "WARMLINE_CHATWOOT_URL": "https://chat.example/", "WARMLINE_FAULT_PAUSE": "after_commit",
        "WARMLINE_FAULT_MARKER": "/tmp/m"})
    assert config.policy == Path("p.yaml") and config.record_timeout == 0.5
    assert config.sweep_seconds == 0.0 and config.session_hours == 720.0
    assert config.chatwoot_url == "https://chat.example"
    assert config.fault_pause == ("after_commit", 30.0) and config.fault_marker == Path("/tmp/m")
    assert Config.from_env({}).fault_pause is None


def test_overrides_win_and_an_unknown_one_is_refused() -> None:
    config = Config.from_env({"WARMLINE_SIGNALS": "semantic"}, signals="lexical",
                             sweep_seconds="0")
    assert (config.signals, config.sweep_seconds) == ("lexical", 0.0)
    with pytest.raises(TypeError, match="not a setting: sweep_secs"):
        Config.from_env({}, sweep_secs="0")


def test_the_cli_token_comes_from_the_environment_or_a_file_and_is_a_secret(
        tmp_path: Path) -> None:
    assert Config.from_env({"WARMLINE_API_TOKEN": "wl_cli"}).api_token == "wl_cli"
    secret = tmp_path / "api.token"
    secret.write_text("wl_file\n", encoding="utf-8")
    config = Config.from_env({"WARMLINE_API_TOKEN_FILE": str(secret)})
    assert config.api_token == "wl_file" and "wl_file" not in repr(config)


def test_every_secret_stays_out_of_the_repr() -> None:
    secrets = [s for s in SETTINGS if s.secret]
    assert {"admin_token", "api_token", "llm_api_key", "record_token",
            "webchat_secret"} <= {s.name for s in secrets}
    config = Config.from_env({s.variable: f"s3cret-{s.name}" for s in secrets})
    for s in secrets:
        assert getattr(config, s.name) == f"s3cret-{s.name}"
        assert f"s3cret-{s.name}" not in repr(config)


def test_read_gives_one_setting_without_reading_the_others() -> None:
    env = {"WARMLINE_FAULT_PAUSE": "before_commit:2", "WARMLINE_PORT": "eighty"}
    assert read("fault_pause", env) == ("before_commit", 2.0)
    assert read("fault_marker", env) is None
    with pytest.raises(ValueError, match="WARMLINE_PORT"):
        read("port", env)
