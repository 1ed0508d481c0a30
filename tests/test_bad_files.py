"""Files that are not what they seem, given to the window and to the command line: each gets
a clear message, and the file is left exactly as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from dotnet_files import AGENT_ID, SESSION_ID, make_dotnet_database
from gui_helpers import settings_in
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.main_window import MainWindow
from processes import APP

ROOT = Path(__file__).resolve().parents[1]


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("These are my notes, not a database.\n" * 40)


def _truncated_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 30)


def _truncated(path: Path) -> None:
    make_dotnet_database(path, wal=False)
    path.write_bytes(path.read_bytes()[:8192])


def _damaged_header(path: Path) -> None:
    make_dotnet_database(path, wal=False)
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x00\x07"  # an impossible page size
    path.write_bytes(bytes(data))


def _other_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, body TEXT)")


BAD_FILES = {
    "empty": (_empty, "is an empty file"),
    "text": (_text, "is not an SQLite database"),
    "truncated header": (_truncated_header, "is truncated"),
    "truncated database": (_truncated, "damaged"),
    "damaged header": (_damaged_header, "is damaged"),
    "another program's SQLite file": (_other_sqlite, "not an OrchestratorChat one"),
}


def _bad_file(tmp_path: Path, kind: str) -> tuple[Path, Path, str]:
    """A folder holding one bad file of `kind`, the file, and words its message must hold."""
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "orchestrator.db"
    make, words = BAD_FILES[kind]
    make(path)
    return folder, path, words


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture
def errors(monkeypatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, text: shown.append((title, text)))
    return shown


@pytest.mark.parametrize("kind", BAD_FILES)
def test_the_window_says_what_is_wrong_and_changes_nothing(qtbot, tmp_path, errors,
                                                           kind) -> None:
    folder, path, words = _bad_file(tmp_path, kind)
    before = _fingerprint(folder)
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    window.show()
    opened = window.open_file(path, create=False)
    if opened:  # damage SQLite only meets when it reads the tables: said on the first read
        qtbot.waitUntil(lambda: bool(errors), timeout=5000)
        window.close_file()
    assert len(errors) == 1 and words in errors[0][1], errors
    assert "Traceback" not in errors[0][1]
    assert window.pages.currentWidget() is window.welcome or window.store is None
    window.close()
    assert _fingerprint(folder) == before


@pytest.mark.parametrize("kind", BAD_FILES)
def test_the_command_line_says_what_is_wrong_and_changes_nothing(tmp_path, kind) -> None:
    folder, path, words = _bad_file(tmp_path, kind)
    before = _fingerprint(folder)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "PYTHONIOENCODING": "utf-8"}
    for command in (["session", "list"], ["db", "check"], ["search", "anything"]):
        result = subprocess.run([*APP, "--db", str(path), *command],
                                capture_output=True, text=True, env=env, cwd=ROOT)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines
    assert _fingerprint(folder) == before


def test_a_newer_schema_opens_read_only_in_the_window_and_the_command_line(qtbot, tmp_path,
                                                                          errors) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = make_dotnet_database(folder / "orchestrator.db", wal=False)
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA user_version = 99")
    before = _fingerprint(folder)
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    window.show()
    assert window.open_file(path, create=False)
    qtbot.waitUntil(lambda: window.sessions.row_of(SESSION_ID) >= 0, timeout=5000)
    assert window.read_only_label.text() == "Read-only"
    assert "newer version" in window.read_only_label.toolTip()
    assert not window.care.restore_action.isEnabled()
    window.close()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state")}
    listed = subprocess.run([*APP, "--db", str(path), "session",
                             "list"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert listed.returncode == 0 and "Refactor the parser" in listed.stdout
    refused = subprocess.run([*APP, "--db", str(path), "agent",
                              "set", AGENT_ID, "--temperature", "1"], capture_output=True,
                             text=True, env=env, cwd=ROOT)
    assert refused.returncode == 1 and "newer version" in refused.stderr
    assert errors == []
    assert {k: v for k, v in _fingerprint(folder).items() if k == path.name} == {
        path.name: before[path.name]}
