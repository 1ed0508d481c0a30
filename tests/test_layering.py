"""The rooms' rules beside tests/test_layers.py: the window holds no SQL, the command line
reaches the file only through the data layer, no module of the window reaches into another
object's private members, and the window's modules reach the file only through the door
(desktop/gui/operations.py), which alone decides whether a result is still wanted. Each
check is also run on a planted violation, so that a check that cannot fail is found out."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "desktop"
GUI = ROOT / "gui"
CLI = ROOT / "cli"

DATABASE_MODULES = {"sqlite3", "pony", "apsw"}
# SQL as this code base writes it: upper-case keywords in their usual company
SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\S+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|TRIGGER|VIEW)\b|\bPRAGMA\b"
    r"|\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED)\b|\bWHERE\b[\s\S]*\s=\s?\?")
EXECUTE = {"execute", "executemany", "executescript"}
# private names a module of the window may use on an object other than self or cls
PRIVATE_ALLOWED: set[str] = set()
DOOR = GUI / "operations.py"
# modules of the window that still submit to a TaskRunner or keep a staleness guard of their
# own (path under desktop/ -> why); every request goes through the door now
DOOR_BYPASS_ALLOWED: dict[str, str] = {}
STORE_ATTRIBUTES = {"store", "_store"}


def database_imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        found += [f"line {node.lineno}: import {n}" for n in names
                  if n.split(".")[0] in DATABASE_MODULES]
    return found


def sql_in(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and SQL.search(node.value):
            found.append(f"line {node.lineno}: SQL {node.value[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in EXECUTE:
            found.append(f"line {node.lineno}: .{node.func.attr}(")
    return found


def private_reaches(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr) \
                and node.attr not in PRIVATE_ALLOWED \
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom):
            found += [f"line {node.lineno}: from {node.module} import {alias.name}"
                      for alias in node.names if is_private(alias.name)]
    return found


def door_bypasses(tree: ast.AST) -> list[str]:
    """Work submitted to a TaskRunner directly, and the hand-written "is this result still
    wanted?" guards the door's `latest`/`within` and file check replace: a captured store
    compared with the one held now (`store is not self.store`), or a generation counter."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "submit":
            found.append(f"line {node.lineno}: {ast.unparse(node.func)}(")
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.IsNot, ast.Eq,
                                                                   ast.NotEq))
                                                   for op in node.ops):
            sides = [node.left, *node.comparators]
            if any(isinstance(side, ast.Attribute) and side.attr in STORE_ATTRIBUTES
                   for side in sides) and any(isinstance(side, ast.Name) for side in sides):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Attribute) and "generation" in node.attr:
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def offenders(folder: Path, check) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(ROOT)}: {what}" for what in check(tree)]
    return found


def test_the_window_holds_no_sql() -> None:
    """Views ask repository methods, in a worker; SQL and connections stay in desktop/data."""
    assert offenders(GUI, database_imports) == []
    assert offenders(GUI, sql_in) == []


def test_the_command_line_reaches_the_file_only_through_the_data_layer() -> None:
    assert offenders(CLI, database_imports) == []
    assert offenders(CLI, sql_in) == []


def test_no_module_of_the_window_reaches_into_another_objects_private_members() -> None:
    assert offenders(GUI, private_reaches) == []


def test_the_window_reaches_the_file_only_through_the_door() -> None:
    """No module of the window but the door submits work to a TaskRunner or decides for
    itself whether a result is still for the open file and the newest request."""
    found = [line for line in offenders(GUI, door_bypasses)
             if not line.startswith(str(DOOR.relative_to(ROOT)) + ":")
             and line.split(":")[0] not in DOOR_BYPASS_ALLOWED]
    assert found == []
    for module in DOOR_BYPASS_ALLOWED:  # an entry that no longer bypasses is taken out
        assert door_bypasses(ast.parse((ROOT / module).read_text(encoding="utf-8"))), module


def test_the_rooms_are_checked_at_all() -> None:
    """The folders hold the modules the checks above read (a moved folder would pass them)."""
    assert len(list(GUI.rglob("*.py"))) > 30
    assert (GUI / "sessions" / "session_list.py").is_file()
    assert len(list(CLI.rglob("*.py"))) > 10


PLANTED = [
    (database_imports, "import sqlite3\n"),
    (database_imports, "from pony.orm import db_session\n"),
    (sql_in, "rows = store.scalar('SELECT count(*) FROM Sessions')\n"),
    (sql_in, 'SQL = """\n    UPDATE Sessions\n    SET Name = ?\n"""\n'),
    (sql_in, "store.db.execute(text)\n"),
    (sql_in, "conn.executescript(script)\n"),
    (private_reaches, "window._action('Back Up', slot)\n"),
    (private_reaches, "self.window._start_maintenance()\n"),
    (private_reaches, "from ..dialogs import _title_width\n"),
    (door_bypasses, "self._runner.submit(load, done, self.failed.emit)\n"),
    (door_bypasses, "if store is not self.store:\n    return\n"),
    (door_bypasses, "if store is not self.editor.store:\n    return\n"),
    (door_bypasses, "if generation != self._generation:\n    return\n"),
]


@pytest.mark.parametrize(("check", "source"), PLANTED)
def test_each_check_finds_a_planted_violation(check, source: str) -> None:
    assert check(ast.parse(source)) != []


@pytest.mark.parametrize("source", [
    "self._load(record)\n",
    "cls._instances.clear()\n",
    "super().__init__(parent)\n",
    "label.setText('Select a session from the list')\n",
    "dialogs.show_error(self, 'Cannot delete', 'Update the name first.')\n",
    "if self.store is not None and not self.store.read_only:\n    pass\n",
    "if self._told_replaced is self.store:\n    pass\n",
    "self.door.op(load).within('thread').success(done).run()\n",
])
def test_what_the_checks_let_through(source: str) -> None:
    tree = ast.parse(source)
    assert database_imports(tree) == sql_in(tree) == private_reaches(tree) \
        == door_bypasses(tree) == []
