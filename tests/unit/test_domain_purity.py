"""The domain imports nothing outside the standard library (and itself)."""

import ast
import sys
from pathlib import Path

import warmline.domain

DOMAIN = Path(warmline.domain.__file__).parent


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_domain_modules_import_only_the_standard_library_and_the_domain() -> None:
    offenders = []
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            if name.startswith("warmline.domain") or top == "__future__":
                continue
            if top not in sys.stdlib_module_names:
                offenders.append(f"{path.relative_to(DOMAIN)}: {name}")
    assert offenders == []


def test_the_purity_check_catches_a_third_party_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom warmline.adapters import storage\n")
    names = _imports(bad)
    assert "sqlalchemy" in names and "warmline.adapters" in names
    assert "sqlalchemy" not in sys.stdlib_module_names
