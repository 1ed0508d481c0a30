"""The data layer knows nothing of Qt: checked statically and in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "desktop" / "data"


def test_no_data_module_imports_qt() -> None:
    offenders = []
    for path in DATA.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names
                          if n.split(".")[0] in {"PySide6", "shiboken6", "PyQt6", "PyQt5"}]
    assert offenders == []


def test_importing_the_data_layer_loads_no_qt(tmp_path) -> None:
    code = ("import sys, orchestrator_desktop.data as d; s = d.open_store(sys.argv[1]); "
            "s.sessions.count(); print(sorted(m for m in sys.modules if 'PySide' in m))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "x.db")],
                         capture_output=True, text=True, check=True, cwd=DATA.parents[1])
    assert out.stdout.strip() == "[]"


def test_nothing_imports_the_source_folder_by_its_name() -> None:
    """The package installs as `orchestrator_desktop`; an `import desktop` would load a second
    copy of it from the checkout (or nothing, once installed)."""
    root = DATA.parents[1]
    offenders = []
    for folder in ("desktop", "tests", "benchmarks", "packaging", "docs"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                offenders += [f"{path.relative_to(root)}: {n}" for n in names
                              if n.split(".")[0] == "desktop"]
    assert offenders == []
