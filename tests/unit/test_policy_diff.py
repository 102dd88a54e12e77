"""`warmline policy diff A B`: the change between two policies, in words."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from warmline.adapters.policy_file import default_policy_text, parse_policy
from warmline.adapters.policy_log import log_beside
from warmline.domain.measure.policy_diff import describe_changes
from warmline.domain.policy import Policy
from warmline.entrypoints.cli.main import app


def _variant(*edits: tuple[str, str]) -> str:
    text = default_policy_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_identical_policies_have_no_changes() -> None:
    base = parse_policy(default_policy_text())
    assert describe_changes(base, base) == []


def test_a_lowered_threshold_is_said_in_words_with_what_it_governs() -> None:
    base = parse_policy(default_policy_text())
    cand = parse_policy(_variant(("refund_over: 100", "refund_over: 80"),
                                 ('version: "2026.11.1"', 'version: "2026.12.1"')))
    lines = describe_changes(base, cand)
    assert lines[0] == "version: changed from '2026.11.1' to '2026.12.1'"
    assert lines[1].startswith("triggers.money_risk.refund_over: lowered from 100.0 to 80.0 — ")
    assert "refund" in lines[1].split(" — ")[1] and len(lines) == 2


def test_switches_lists_and_routing_rules_are_described() -> None:
    base = parse_policy(default_policy_text())
    cand = parse_policy(_variant(
        ("chargeback: true", "chargeback: false"),
        ("fallback_intents: [fallback, unknown, none, out_of_scope, nlu_fallback]",
         "fallback_intents: [fallback, unknown, dont_know]")))
    lines = describe_changes(base, cand)
    assert any(x.startswith("triggers.money_risk.chargeback: turned off") for x in lines)
    assert any("fallback_intents: added dont_know; removed none, out_of_scope, nlu_fallback"
               in x for x in lines)
    rules = base.to_mapping()["routing"]["rules"]
    moved = parse_policy(default_policy_text())
    data = moved.to_mapping()
    data["routing"]["rules"] = [*rules[1:], rules[0]]
    data["routing"]["rules"][0]["queue"] = "billing"
    lines = describe_changes(base, Policy.from_mapping(data))
    first = rules[1]["name"]
    assert any(x.startswith(f"routing.rules[{first}].queue: changed from") for x in lines)
    assert any("order changed (first match wins)" in x for x in lines)


def test_the_cli_prints_every_change(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(default_policy_text())
    b.write_text(_variant(("refund_over: 100", "refund_over: 80")))
    result = CliRunner().invoke(app, ["policy", "diff", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "1 change" in result.output and "refund_over: lowered from 100.0 to 80.0" in (
        result.output)
    missing = CliRunner().invoke(app, ["policy", "diff", str(a), str(tmp_path / "x.yaml")])
    assert missing.exit_code != 0


def test_activating_a_policy_records_who_did_it_and_what_changed(tmp_path: Path) -> None:
    active, cand = tmp_path / "policy.yaml", tmp_path / "next.yaml"
    active.write_text(default_policy_text())
    cand.write_text(_variant(("refund_over: 100", "refund_over: 80"),
                             ('version: "2026.11.1"', 'version: "2026.12.1"')))
    r = CliRunner().invoke(app, ["policy", "activate", str(cand), "--by", "sam",
                                 "--to", str(active)])
    assert r.exit_code == 0, r.output
    assert active.read_text() == cand.read_text()
    [event] = log_beside(active).history()
    assert (event.version, event.previous_version, event.by) == ("2026.12.1", "2026.11.1",
                                                                 "sam")
    assert any("refund_over: lowered from 100.0 to 80.0" in c for c in event.changes)
    shown = CliRunner().invoke(app, ["policy", "history", "--to", str(active)])
    assert "2026.12.1 (was 2026.11.1) by sam" in shown.output


def test_a_version_label_cannot_be_reused_for_other_content(tmp_path: Path) -> None:
    active, cand = tmp_path / "policy.yaml", tmp_path / "next.yaml"
    active.write_text(default_policy_text())
    cand.write_text(_variant(('version: "2026.11.1"', 'version: "2026.12.1"')))
    args = ["policy", "activate", str(cand), "--by", "sam", "--to", str(active)]
    assert CliRunner().invoke(app, args).exit_code == 0
    cand.write_text(_variant(("refund_over: 100", "refund_over: 70"),
                             ('version: "2026.11.1"', 'version: "2026.12.1"')))
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 1 and "new version" in again.output
