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


def _data_import_graph() -> dict[str, set[str]]:
    """desktop/data's modules and the modules of it each imports, at module level or inside
    a function (imports under `if TYPE_CHECKING:` never run and are left out)."""
    modules = {path.stem for path in DATA.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in DATA.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(inner) for node in ast.walk(tree)
                       if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                       for statement in node.body for inner in ast.walk(statement)}
        edges: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    edges.add(node.module.split(".")[0])
                else:  # from . import x: the module x, or a name of the package
                    edges |= {a.name if a.name in modules else "__init__" for a in node.names}
            elif isinstance(node, ast.Import):
                edges |= {a.name.split(".")[2] for a in node.names
                          if a.name.startswith("orchestrator_desktop.data.")}
        graph[path.stem] = edges & modules
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing
    itself), each sorted (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_sees_imports_inside_functions() -> None:
    graph = _data_import_graph()
    assert "database" in graph["__init__"]
    assert {"encoding", "enums"} <= graph["records"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}) == [
        ["a", "b", "c"], ["d"]]


def test_the_data_layer_has_no_import_cycles() -> None:
    """No module of desktop/data imports, however indirectly, one that imports it back, not
    even inside a function: shared pieces live in modules below both."""
    assert _cycles(_data_import_graph()) == []
