"""Another program changing the file while the window is open, the way the .NET application
does (plain SQL, no knowledge of this application's tables): the window and search follow."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from dotnet_files import AGENT_ID, MESSAGE_IDS, SESSION_ID, make_dotnet_database
from gui_helpers import open_window, select_session
from orchestrator_desktop.gui.thread.thread_view import MESSAGE_ROLE

DOTNET_WRITER = textwrap.dedent("""
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], timeout=10)
    con.execute("PRAGMA foreign_keys = ON")
    action = sys.argv[2]
    if action == "append":
        con.execute('INSERT INTO "Messages" VALUES (?,?,?,1,?,NULL,?,6,NULL,NULL)',
                    ("appended-elsewhere", sys.argv[3], "a zebra crossing appeared",
                     sys.argv[4], "2024-01-30 12:00:00.1234567"))
    elif action == "edit":
        con.execute('UPDATE "Messages" SET "Content" = ? WHERE "Id" = ?',
                    ("Please refactor the giraffe module.", sys.argv[3]))
    elif action == "delete":
        con.execute('DELETE FROM "Messages" WHERE "Id" = ?', (sys.argv[3],))
    con.commit()
""")


def _dotnet(path: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-c", DOTNET_WRITER, str(path), *args], check=True)


def _contents(window) -> list[str | None]:
    model = window.thread_model
    return [model.index(row).data(MESSAGE_ROLE).content for row in range(model.rowCount())]


def _hits(window, qtbot, text: str) -> list[str]:
    window.search.query.setText(text)
    window.search.run_search()
    qtbot.waitUntil(lambda: window.search.status.text() not in ("", "Searching…"),
                    timeout=5000)
    model = window.search.model
    return [model.hit(row).message_id for row in range(model.rowCount())]


def test_appends_edits_and_deletes_by_another_program_show_without_a_restart(qtbot,
                                                                            tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    window = open_window(qtbot, path, tmp_path)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=15000)
    select_session(qtbot, window, SESSION_ID)
    assert _hits(window, qtbot, "zebra") == []
    assert window.search.status.text() == "No messages match."

    _dotnet(path, "append", SESSION_ID, AGENT_ID)
    qtbot.waitUntil(lambda: window.thread_model.row_of("appended-elsewhere") == 5, timeout=8000)
    model = window.search.model  # the results on screen follow without searching again
    qtbot.waitUntil(lambda: [model.hit(r).message_id for r in range(model.rowCount())] == [
        "appended-elsewhere"], timeout=8000)
    qtbot.waitUntil(lambda: window.search.status.text() == "1 match.")

    _dotnet(path, "edit", MESSAGE_IDS[0])
    qtbot.waitUntil(lambda: _contents(window)[0] == "Please refactor the giraffe module.",
                    timeout=8000)
    assert _hits(window, qtbot, "giraffe") == [MESSAGE_IDS[0]]
    assert MESSAGE_IDS[0] not in _hits(window, qtbot, "tokenizer")

    _dotnet(path, "delete", MESSAGE_IDS[1])
    qtbot.waitUntil(lambda: window.thread_model.row_of(MESSAGE_IDS[1]) < 0, timeout=8000)
    assert "Looking at <script>alert(1)</script> tokenizer.py now" not in _contents(window)
    assert _hits(window, qtbot, "script") == []
    assert window.current_session_id() == SESSION_ID
    assert window.store.search.index_is_consistent()
