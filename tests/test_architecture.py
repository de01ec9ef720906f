"""The code's own rules that import-linter cannot see: no module imports another module's
private names (``from x import _helper``). Private modules are held by import-linter."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["appointments", "audit", "common", "community", "config", "notifications", "online",
           "patients", "policy", "practices", "records", "staff"]


def private_name_imports(root: Path = ROOT) -> list[str]:
    found = []
    for app in PRODUCT:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                    for alias in node.names:
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            found.append(f"{path.relative_to(root)}: {node.module}.{alias.name}")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    assert private_name_imports() == []


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "x.py").write_text("from policy.records import _secret\n")
    for app in PRODUCT:
        (tmp_path / app).mkdir(exist_ok=True)
    assert private_name_imports(tmp_path) == ["policy/x.py: policy.records._secret"]
