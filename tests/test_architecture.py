"""Dependencies run one way: top apps -> standards -> fund -> referrals -> (vault, audit,
accounts) -> config (docs/architecture.md).

Two checks of the same rule: import-linter with the contracts in
pyproject.toml (what `make lint` runs), and an independent scan of every
import statement with `ast`, including imports inside functions, so that a
contract edited by mistake does not silently let a forbidden import in.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_AND_TOP = {"fund", "referrals", "reports", "demo", "operations", "documents", "standards", "notifications"}
# app -> the project apps it must never import
FORBIDDEN = {
    "referrals": DOMAIN_AND_TOP - {"referrals"},
    "audit": DOMAIN_AND_TOP,
    "accounts": DOMAIN_AND_TOP,
    "vault": DOMAIN_AND_TOP | {"accounts"},
    "fund": DOMAIN_AND_TOP - {"fund", "referrals"},
    "standards": DOMAIN_AND_TOP - {"standards", "fund", "referrals"},
}


def imported_top_packages(source: str) -> set[tuple[int, str]]:
    """(line, top-level package) of every absolute import in `source`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {(node.lineno, alias.name.split(".")[0]) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.lineno, node.module.split(".")[0]))
    return found


def forbidden_imports(app: str, root: Path = ROOT) -> list[str]:
    problems = []
    for path in sorted((root / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue  # generated; they name other apps' migrations by dependency, not by import
        for line, package in imported_top_packages(path.read_text(encoding="utf-8")):
            if package in FORBIDDEN[app]:
                problems.append(f"{path.relative_to(root)}:{line} imports {package}")
    return problems


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_no_app_imports_an_app_above_it(app):
    assert forbidden_imports(app) == []


def test_the_scan_sees_imports_inside_functions(tmp_path):
    (tmp_path / "audit").mkdir()
    (tmp_path / "audit" / "labels.py").write_text("def label():\n    from fund.models import Disbursement\n")
    assert forbidden_imports("audit", root=tmp_path) == ["audit/labels.py:2 imports fund"]


def test_import_linter_contracts_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
