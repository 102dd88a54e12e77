"""Reading a policy from YAML (the default one ships inside the package)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from warmline.domain.errors import PolicyError
from warmline.domain.policy import Policy


def default_policy_text() -> str:
    return resources.files("warmline").joinpath("default_policy.yaml").read_text("utf-8")


def parse_policy(text: str, source: str = "policy") -> Policy:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(source, f"not valid YAML: {exc}") from exc
    return Policy.from_mapping(data)


def load_policy(path: Path | None = None) -> Policy:
    """The policy at `path`, or the packaged default when `path` is None."""
    if path is None:
        return parse_policy(default_policy_text(), "default_policy.yaml")
    return parse_policy(path.read_text(encoding="utf-8"), str(path))
