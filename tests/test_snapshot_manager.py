"""Snapshots from the window: the Session menu, the manager, the comparison view, progress and
cancelling, export/import, and a restore killed half-way."""

from __future__ import annotations

import json
import sqlite3
import textwrap
import threading
from pathlib import Path

import pytest
from dotnet_files import (
    AGENT_ID,
    MESSAGE_IDS,
    SESSION_ID,
    add_messages,
    make_dotnet_database,
    query,
)
from gui_helpers import menu_titled, open_window, select_session
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.enums import MessageRole
from orchestrator_desktop.data.schema import COLUMNS
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.main_window import MainWindow
from orchestrator_desktop.gui.snapshots.snapshot_manager import SnapshotManager
from orchestrator_desktop.gui.snapshots.snapshot_model import DOTNET_LABEL, UNREAD_LABEL
from processes import kill_when
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def dotnet_file(tmp_path):
    return make_dotnet_database(tmp_path / "orchestrator.db")


@pytest.fixture
def window(qtbot, dotnet_file, tmp_path) -> MainWindow:
    window = open_window(qtbot, dotnet_file, tmp_path)
    select_session(qtbot, window, SESSION_ID)
    return window


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """Any unexpected error dialog fails the test instead of blocking it; information is kept."""
    shown = {"errors": [], "info": [], "asked": []}
    monkeypatch.setattr(dialogs, "confirm_restore",
                        lambda _p, text: shown["asked"].append(text) or True)
    monkeypatch.setattr(dialogs, "show_error",
                        lambda _p, title, text: shown["errors"].append((title, text)))
    monkeypatch.setattr(dialogs, "show_info",
                        lambda _p, title, text: shown["info"].append((title, text)))
    yield shown
    # every test that expects an error takes it out of the list
    assert shown["errors"] == []


def _counts(path: Path) -> dict[str, int]:
    return {table: query(path, f'SELECT count(*) FROM "{table}"')[0][0]
            for table in ("Sessions", "Messages", "Attachments", "ToolCalls", "SessionAgents",
                          "SessionSnapshots")}


def _session_menu(window: MainWindow):
    return menu_titled(window, "Session")


def _menu_action(menu, text: str):
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            return action
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")


def _open_restore_menu(qtbot, window: MainWindow) -> list:
    """Open Session ▸ Restore Snapshot as a person would and wait for its entries."""
    menu = menu_titled(window, "Restore Snapshot")
    menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: menu.actions() and menu.actions()[0].text() != "Loading…",
                    timeout=5000)
    return menu.actions()


def _open_manager(qtbot, window: MainWindow) -> SnapshotManager:
    _menu_action(_session_menu(window), "Manage Snapshots…").trigger()
    manager = window.snapshot_manager
    qtbot.waitUntil(lambda: manager.isVisible() and not window.queries.busy, timeout=5000)
    return manager


def _select(qtbot, manager: SnapshotManager, name: str) -> None:
    qtbot.waitUntil(lambda: any(manager.model.listing(r).snapshot.name == name
                                for r in range(manager.model.rowCount())), timeout=5000)
    row = next(r for r in range(manager.model.rowCount())
               if manager.model.listing(r).snapshot.name == name)
    manager.table.selectRow(row)
    assert manager.current().snapshot.name == name


def _restored_id(path: Path) -> str:
    rows = query(path, "SELECT \"Id\" FROM \"Sessions\" WHERE \"Name\" LIKE '%(Restored)'")
    assert len(rows) == 1
    return rows[0][0]


def assert_faithful_copy(path: Path, old_id: str, new_id: str) -> None:
    """The restored session holds the same messages, children and members, field by field,
    with new ids and parent links pointing inside the copy."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row

    def rows(sql: str, session_id: str) -> list[dict]:
        return [dict(row) for row in con.execute(sql, (session_id,))]

    messages_sql = 'SELECT * FROM "Messages" WHERE "SessionId" = ? ORDER BY "SequenceNumber"'
    old, new = rows(messages_sql, old_id), rows(messages_sql, new_id)
    assert len(old) == len(new) > 0
    id_map = {o["Id"]: n["Id"] for o, n in zip(old, new, strict=True)}
    for o, n in zip(old, new, strict=True):
        assert n["Id"] != o["Id"] and n["SessionId"] == new_id
        for column in COLUMNS["Messages"]:
            if column not in ("Id", "SessionId", "ParentMessageId"):
                assert n[column] == o[column], column
        assert n["ParentMessageId"] == id_map.get(o["ParentMessageId"], o["ParentMessageId"])
    for table in ("Attachments", "ToolCalls"):
        sql = (f'SELECT c.* FROM "{table}" c JOIN "Messages" m ON m."Id" = c."MessageId" '
               'WHERE m."SessionId" = ? ORDER BY m."SequenceNumber", c."ExecutedAt"'
               if table == "ToolCalls" else
               f'SELECT c.* FROM "{table}" c JOIN "Messages" m ON m."Id" = c."MessageId" '
               'WHERE m."SessionId" = ? ORDER BY m."SequenceNumber", c."FileName"')
        old_children, new_children = rows(sql, old_id), rows(sql, new_id)
        assert len(old_children) == len(new_children) > 0
        for o, n in zip(old_children, new_children, strict=True):
            assert n["Id"] != o["Id"] and n["MessageId"] == id_map[o["MessageId"]]
            for column in COLUMNS[table]:
                if column not in ("Id", "MessageId"):
                    assert n[column] == o[column], (table, column)
    members_sql = ('SELECT "AgentId", "JoinedAt", "LeftAt", "Role" FROM "SessionAgents" '
                   'WHERE "SessionId" = ? ORDER BY "AgentId"')
    assert [tuple(r.values()) for r in rows(members_sql, new_id)] == \
        [tuple(r.values()) for r in rows(members_sql, old_id)]
    con.close()


# -- the Session menu -----------------------------------------------------------------------


def test_take_snapshot_from_the_menu_with_the_default_name(window, qtbot, monkeypatch,
                                                           dotnet_file) -> None:
    asked = []

    def answer(_parent, _title, _label, default=""):
        asked.append(default)
        return default  # the person just presses Enter

    monkeypatch.setattr(dialogs, "ask_text", answer)
    take = _menu_action(_session_menu(window), "Take Snapshot…")
    assert take.shortcut() == QKeySequence("Ctrl+Shift+S") and take.isEnabled()
    take.trigger()
    assert asked and asked[0].startswith("Refactor the parser — 20")
    qtbot.waitUntil(lambda: len(query(dotnet_file, 'SELECT 1 FROM "SessionSnapshots"')) == 2,
                    timeout=5000)
    row = query(dotnet_file, 'SELECT "SessionId", "Name", "MessageCount", '
                              'json_extract("SessionStateJson", \'$.DesktopFormat\') FROM '
                              '"SessionSnapshots" WHERE "Id" <> \'dotnet-snap\'')
    assert row == [(SESSION_ID, asked[0], 5, "orchestrator-desktop/session-state")]
    qtbot.waitUntil(lambda: "taken (5 messages)" in window.statusBar().currentMessage())


def test_restore_from_the_submenu_selects_and_shows_the_new_session(window, qtbot,
                                                                    dotnet_file) -> None:
    window.store.snapshots.create(SESSION_ID, "Good & working state")
    entries = _open_restore_menu(qtbot, window)
    texts = [a.text() for a in entries]
    assert texts[0].startswith("Good && working state\t") and texts[0].endswith("· 5 messages")
    assert any(t.startswith("Made by .NET\t") for t in texts)  # the .NET one is listed too
    assert texts[-1].replace("&", "") == "Manage Snapshots…"
    before = _counts(dotnet_file)
    entries[0].trigger()
    qtbot.waitUntil(lambda: window.current_session_id() not in (None, SESSION_ID), timeout=8000)
    new_id = window.current_session_id()
    assert _restored_id(dotnet_file) == new_id
    qtbot.waitUntil(lambda: window.thread_model.session_id == new_id
                    and window.thread_model.rowCount() == 5, timeout=5000)
    index = window.sessions.index(window.sessions.row_of(new_id), 0)
    assert index.data() == "Refactor the parser (Restored)"
    assert not window.task_progress.isVisible()
    after = _counts(dotnet_file)
    assert after["Sessions"] == before["Sessions"] + 1
    assert after["Messages"] == before["Messages"] + 5
    assert_faithful_copy(dotnet_file, SESSION_ID, new_id)


def test_restore_asks_first_keeps_the_dates_and_clears_a_filter_that_hides_it(
        window, qtbot, dotnet_file, monkeypatch, no_modal_dialogs) -> None:
    with sqlite3.connect(dotnet_file) as con:  # a completed session
        con.execute('UPDATE "Sessions" SET "Status" = 2, "CompletedAt" = '
                    "'2024-01-30 12:00:00' WHERE \"Id\" = ?", (SESSION_ID,))
    con.close()
    snapshot = window.store.snapshots.create(SESSION_ID, "Finished work")
    before = _counts(dotnet_file)
    monkeypatch.setattr(dialogs, "confirm_restore",
                        lambda _p, text: no_modal_dialogs["asked"].append(text) and False)
    entry = next(a for a in _open_restore_menu(qtbot, window)
                 if a.text().startswith("Finished work"))
    entry.trigger()  # the person presses Cancel: nothing is written
    assert no_modal_dialogs["asked"] == [
        "Restore “Finished work” (5 messages) as a new session in orchestrator.db?\n\n"
        "The new session is a copy of the session as it was when the snapshot was taken, "
        "with its dates, named “… (Restored)”; the session it was taken of is not changed."]
    assert _counts(dotnet_file) == before and getattr(window, "task_progress", None) is None

    window.filter_bar.text.setText("parser")  # with "Active", hides the completed copy too
    window.filter_bar.status.setCurrentIndex(window.filter_bar.status.findText("Active"))
    qtbot.waitUntil(lambda: window.sessions.row_of(SESSION_ID) < 0, timeout=5000)
    monkeypatch.setattr(dialogs, "confirm_restore", lambda _p, text: True)
    window.restore_snapshot(snapshot.id, snapshot.name)  # as the manager's Restore does
    qtbot.waitUntil(lambda: window.current_session_id() not in (None, SESSION_ID), timeout=8000)
    new_id = window.current_session_id()
    assert _restored_id(dotnet_file) == new_id
    assert window.filter_bar.status.currentIndex() == 0 and window.filter_bar.text.text() == ""
    qtbot.waitUntil(lambda: "filter was cleared" in window.statusBar().currentMessage())
    dates = query(dotnet_file, 'SELECT "Id", "CreatedAt", "LastActivityAt", "CompletedAt", '
                  '"Status" FROM "Sessions" WHERE "Id" IN (?, ?) ORDER BY "Id" = ?',
                  new_id, SESSION_ID, new_id)
    assert [row[1:] for row in dates] == [dates[0][1:]] * 2  # the snapshot's own dates
    created, completed = dates[1][1], dates[1][3]
    assert completed >= created


def test_restore_menu_of_a_session_without_snapshots(window, qtbot, dotnet_file) -> None:
    select_session_row = window.sessions.row_of("empty-strings-session")
    window.table.setCurrentIndex(window.sessions.index(select_session_row, 0))
    qtbot.waitUntil(lambda: window.thread_model.session_id == "empty-strings-session")
    entries = _open_restore_menu(qtbot, window)
    assert entries[0].text() == "No snapshots of this session" and not entries[0].isEnabled()


def test_restoring_a_dotnet_snapshot_makes_a_new_session(window, qtbot, dotnet_file,
                                                        no_modal_dialogs) -> None:
    before = _counts(dotnet_file)
    entry = next(a for a in _open_restore_menu(qtbot, window)
                 if a.text().startswith("Made by .NET"))
    entry.trigger()
    qtbot.waitUntil(lambda: _counts(dotnet_file)["Sessions"] == before["Sessions"] + 1,
                    timeout=5000)
    assert not no_modal_dialogs["errors"]
    qtbot.waitUntil(lambda: not window.task_progress.isVisible())


def test_cancelling_a_big_restore_leaves_nothing_behind(qtbot, tmp_path, monkeypatch) -> None:
    path = make_dotnet_database(tmp_path / "big.db")
    add_messages(path, SESSION_ID, 19_995, first_sequence=6)  # 20,000 messages in all
    window = open_window(qtbot, path, tmp_path)
    select_session(qtbot, window, SESSION_ID)
    monkeypatch.setattr(dialogs, "ask_text", lambda *_a: "Before the big run")
    window.snapshot_action.trigger()
    qtbot.waitUntil(lambda: _counts(path)["SessionSnapshots"] == 2, timeout=15000)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=30000)
    before = _counts(path)

    gate, reached = threading.Event(), threading.Event()
    restore = window.store.snapshots.restore

    def held_restore(snapshot_id, *, progress=None, should_stop=lambda: False):
        def report(fraction: float) -> None:
            progress(fraction)
            reached.set()
            gate.wait(10)  # hold the worker mid-restore until the person has pressed Cancel

        return restore(snapshot_id, progress=report, should_stop=should_stop)

    monkeypatch.setattr(window.store.snapshots, "restore", held_restore)
    entry = next(a for a in _open_restore_menu(qtbot, window)
                 if a.text().startswith("Before the big run"))
    entry.trigger()
    dialog = window.task_progress
    qtbot.waitUntil(lambda: reached.is_set() and dialog.bar.value() > 0, timeout=15000)
    assert dialog.isVisible() and dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.bar.value() == 90  # 2,000 of 20,000 messages staged (90% of the way)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert "Cancelling" in dialog.label.text() and not dialog.cancel_button.isEnabled()
    gate.set()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15000)
    assert "cancelled; nothing was changed" in window.statusBar().currentMessage()
    assert _counts(path) == before
    assert query(path, "SELECT count(*) FROM \"Sessions\" WHERE \"Name\" LIKE '%(Restored)'") \
        == [(0,)]
    assert query(path, 'SELECT count(*) FROM "desktop_message_keys"') == [(before["Messages"],)]
    assert window.current_session_id() == SESSION_ID

    monkeypatch.setattr(window.store.snapshots, "restore", restore)  # now let it finish
    next(a for a in _open_restore_menu(qtbot, window)
         if a.text().startswith("Before the big run")).trigger()
    qtbot.waitUntil(lambda: window.current_session_id() not in (None, SESSION_ID), timeout=30000)
    new_id = window.current_session_id()
    qtbot.waitUntil(lambda: window.thread_model.session_id == new_id
                    and window.thread_model.rowCount() > 0, timeout=5000)
    assert not window.task_progress.isVisible()
    assert query(path, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?', new_id) == \
        [(20_000,)]


@pytest.mark.parametrize("point", [0.45, 0.95])
def test_killed_restore_leaves_the_file_intact(tmp_path, point) -> None:
    path = make_dotnet_database(tmp_path / "big.db")
    add_messages(path, SESSION_ID, 19_995, first_sequence=6)
    store = open_store(path)
    store.run_maintenance()
    snapshot = store.snapshots.create(SESSION_ID, "before the crash")
    store.close()
    before = _counts(path)
    script = textwrap.dedent("""
        import sys, time
        from orchestrator_desktop.data import open_store

        store = open_store(sys.argv[1])

        def progress(fraction):
            if fraction >= float(sys.argv[3]):
                print("stopped", flush=True)
                time.sleep(120)

        store.snapshots.restore(sys.argv[2], progress=progress)
        print("finished", flush=True)
    """)
    # half-way through staging (the file untouched), or with every row written into the
    # file's WAL and not committed
    kill_when(path, script, "stopped", snapshot.id, str(point), wal=point > 0.9)
    assert len(list(tmp_path.glob("*.staging"))) == 1  # the killed process's scratch file
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert _counts(path) == before
    assert query(path, "SELECT count(*) FROM \"Sessions\" WHERE \"Name\" LIKE '%(Restored)'") \
        == [(0,)]
    assert query(path, 'SELECT count(*) FROM "desktop_message_keys"') == \
        [(before["Messages"],)]
    reopened = open_store(path)  # and the application opens it and restores it normally
    try:
        assert reopened.snapshots.restore(snapshot.id).name == "Refactor the parser (Restored)"
    finally:
        reopened.close()
    assert not list(tmp_path.glob("*.staging"))  # a dead process's scratch file is removed


# -- the manager --------------------------------------------------------------------------------


def test_a_snapshot_another_program_writes_shows_its_form_once_it_is_read(
        window, qtbot, dotnet_file) -> None:
    """Its form is found by maintenance after the listing: the open manager follows."""
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=15000)
    manager = _open_manager(qtbot, window)
    qtbot.waitUntil(lambda: manager.model.rowCount() == 1, timeout=5000)
    con = sqlite3.connect(dotnet_file)
    con.execute('INSERT INTO "SessionSnapshots" SELECT \'later-snap\', "SessionId", '
                '\'Later by .NET\', NULL, "CreatedAt", 5, "SessionStateJson", '
                '"AgentStatesJson" FROM "SessionSnapshots" WHERE "Id" = \'dotnet-snap\'')
    con.commit()
    con.close()

    def form_of_later() -> str | None:
        for row in range(manager.model.rowCount()):
            if manager.model.listing(row).snapshot.name == "Later by .NET":
                return manager.model.index(row, 5).data()
        return None

    qtbot.waitUntil(lambda: form_of_later() is not None, timeout=15000)  # listed, then read
    qtbot.waitUntil(lambda: form_of_later() == DOTNET_LABEL, timeout=15000)


def test_manager_lists_snapshots_of_this_or_every_session(window, qtbot, qtmodeltester) -> None:
    store = window.store
    other = store.sessions.create("Another session")
    store.snapshots.create(other.id, "Other's snapshot")
    store.snapshots.create(SESSION_ID, "Mine", "before the agent run")
    manager = _open_manager(qtbot, window)
    qtbot.waitUntil(lambda: manager.model.rowCount() == 2, timeout=5000)
    qtmodeltester.check(manager.model)
    assert "Refactor the parser" in manager.title.text()
    assert manager.table.isColumnHidden(1)
    names = [manager.model.index(r, 0).data() for r in range(2)]
    assert names == ["Mine", "Made by .NET"]
    assert manager.model.index(0, 3).data() == "5" and manager.model.index(0, 6).data() == \
        "before the agent run"
    # the .NET snapshot's form is read by the file's first maintenance, in the background:
    # "…" until then, and the open manager is refreshed when it is known
    assert manager.model.index(1, 5).data() in (UNREAD_LABEL, DOTNET_LABEL)
    qtbot.waitUntil(lambda: manager.model.index(1, 5).data() == DOTNET_LABEL, timeout=10000)
    assert ".NET application" in manager.model.index(1, 5).data(Qt.ItemDataRole.ToolTipRole)
    manager.all_sessions.click()
    qtbot.waitUntil(lambda: manager.model.rowCount() == 3, timeout=5000)
    assert not manager.table.isColumnHidden(1)
    sessions = {manager.model.index(r, 0).data(): manager.model.index(r, 1).data()
                for r in range(3)}
    assert sessions["Other's snapshot"] == "Another session"
    assert sessions["Mine"] == "Refactor the parser"
    manager.this_session.click()
    qtbot.waitUntil(lambda: manager.model.rowCount() == 2, timeout=5000)


def test_manager_is_keyboard_reachable_with_named_controls(window, qtbot,
                                                            monkeypatch) -> None:
    manager = _open_manager(qtbot, window)
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString() for a in manager.actions()}
    assert shortcuts == {
        "New Snapshot…": "Ctrl+N", "Rename…": "F2", "Delete…": "Del",
        "Restore as New Session": "Ctrl+R", "Revert Session…": "Ctrl+Shift+R",
        "Compare with Now…": "Ctrl+D", "Export…": "Ctrl+E", "Import…": "Ctrl+I",
        "Refresh": "F5"}
    from PySide6.QtWidgets import QAbstractButton

    buttons = manager.findChildren(QAbstractButton)
    assert buttons and all(b.accessibleName() for b in buttons if b.text())
    assert manager.table.accessibleName() == "Snapshots"
    assert manager.details.accessibleName() == "Snapshot details"
    assert window.manage_snapshots_action.shortcut() == QKeySequence("Ctrl+Shift+M")
    qtbot.waitUntil(lambda: manager.current() is not None, timeout=5000)
    manager.activateWindow()
    manager.table.setFocus()
    qtbot.waitUntil(manager.table.hasFocus)
    asked = []
    monkeypatch.setattr(dialogs, "confirm", lambda *a: asked.append("delete") or False)
    monkeypatch.setattr(dialogs, "ask_name_and_description",
                        lambda *_a: asked.append("rename") or None)
    qtbot.keyClick(manager.table, Qt.Key.Key_Delete)
    qtbot.keyClick(manager.table, Qt.Key.Key_F2)
    assert asked == ["delete", "rename"]


def test_create_rename_and_delete_in_the_manager(window, qtbot, monkeypatch,
                                                 dotnet_file) -> None:
    manager = _open_manager(qtbot, window)
    answers = iter([("Checkpoint", "before the refactor"), ("Checkpoint 2", "renamed")])
    monkeypatch.setattr(dialogs, "ask_name_and_description", lambda *_a: next(answers))
    manager.new_action.trigger()
    qtbot.waitUntil(lambda: manager.current() is not None
                    and manager.current().snapshot.name == "Checkpoint", timeout=5000)
    assert "before the refactor" in manager.details.text()
    reloads = []  # a snapshot's name shows nowhere in the window: its views stay as they are
    window.sessions.reloaded.connect(lambda: reloads.append("sessions"))
    window.thread_model.modelReset.connect(lambda: reloads.append("thread"))
    manager.rename_action.trigger()
    qtbot.waitUntil(lambda: manager.current().snapshot.name == "Checkpoint 2", timeout=5000)
    qtbot.wait(300)
    assert reloads == []
    assert query(dotnet_file, 'SELECT "Description" FROM "SessionSnapshots" WHERE "Name" = ?',
                  "Checkpoint 2") == [("renamed",)]
    asked = []
    monkeypatch.setattr(dialogs, "confirm", lambda _p, title, text, *_a: asked.append(text)
                        or False)
    manager.delete_action.trigger()
    assert "Checkpoint 2" in asked[0]
    qtbot.wait(100)
    assert _counts(dotnet_file)["SessionSnapshots"] == 2  # refused: still there
    monkeypatch.setattr(dialogs, "confirm", lambda *_a: True)
    manager.delete_action.trigger()
    qtbot.waitUntil(lambda: _counts(dotnet_file)["SessionSnapshots"] == 1, timeout=5000)
    qtbot.waitUntil(lambda: manager.model.rowCount() == 1, timeout=5000)
    assert manager.current().snapshot.id == "dotnet-snap"
    assert _counts(dotnet_file)["Messages"] == 5  # the session itself is untouched


def test_revert_in_place_tells_the_safety_snapshot_name(window, qtbot, monkeypatch,
                                                        dotnet_file, no_modal_dialogs) -> None:
    store = window.store
    store.snapshots.create(SESSION_ID, "Good state")
    store.sessions.add_message(SESSION_ID, "a wrong turn", MessageRole.User, agent_id=AGENT_ID)
    manager = _open_manager(qtbot, window)
    _select(qtbot, manager, "Good state")
    monkeypatch.setattr(dialogs, "confirm", lambda *_a: True)
    manager.revert_action.trigger()
    qtbot.waitUntil(lambda: bool(no_modal_dialogs["info"]), timeout=8000)
    title, text = no_modal_dialogs["info"][0]
    assert title == "Session reverted"
    assert "“Before reverting to “Good state””" in text
    assert query(dotnet_file, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?',
                  SESSION_ID) == [(5,)]
    assert query(dotnet_file, 'SELECT "MessageCount" FROM "SessionSnapshots" WHERE "Name" = ?',
                  "Before reverting to “Good state”") == [(6,)]
    qtbot.waitUntil(lambda: window.thread_model.rowCount() == 5, timeout=5000)
    qtbot.waitUntil(lambda: manager.current() is not None and manager.current().snapshot.name
                    == "Before reverting to “Good state”", timeout=5000)


def test_compare_view_lists_added_removed_and_changed(window, qtbot, qtmodeltester) -> None:
    store = window.store
    store.snapshots.create(SESSION_ID, "Then")
    added = store.sessions.add_message(SESSION_ID, "something new", MessageRole.User)
    store.messages.delete(MESSAGE_IDS[4])
    store.messages.update(MESSAGE_IDS[1], content="rewritten reply")
    manager = _open_manager(qtbot, window)
    _select(qtbot, manager, "Then")
    manager.compare_action.trigger()
    qtbot.waitUntil(lambda: manager.compare_dialog is not None
                    and manager.compare_dialog.isVisible(), timeout=5000)
    view = manager.compare_dialog
    qtmodeltester.check(view.model)
    assert "1 added, 1 removed, 1 changed, 3 unchanged" in view.summary.text()
    rows = [[view.model.index(r, c).data() for c in range(6)]
            for r in range(view.model.rowCount())]
    assert rows == [
        ["~ Changed", "2", "Assistant", "content",
         "Looking at <script>alert(1)</script> tokenizer.py now", "rewritten reply"],
        ["− Removed", "5", "System", "", "مرحبا 🎉 emoji and right-to-left text", ""],
        ["+ Added", "6", "User", "", "", "something new"],
    ]
    assert view.before.toPlainText().startswith("Looking at")
    view.kind.setCurrentIndex(view.kind.findData("added"))
    assert view.model.rowCount() == 1 and view.model.change(0).message_id == added.id
    assert view.after.toPlainText() == "something new"
    assert view.before.toPlainText() == "(not in the snapshot)"


def test_export_then_import_round_trip(window, qtbot, monkeypatch, tmp_path,
                                       dotnet_file) -> None:
    store = window.store
    original = store.snapshots.create(SESSION_ID, "Travels well", "to another machine")
    manager = _open_manager(qtbot, window)
    _select(qtbot, manager, "Travels well")
    target = tmp_path / "exported.json"
    suggested = []
    monkeypatch.setattr(dialogs, "choose_save_json",
                        lambda _p, _t, path: suggested.append(path) or str(target))
    manager.export_action.trigger()
    qtbot.waitUntil(target.exists, timeout=5000)
    assert suggested[0].endswith("Travels well.json")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["Format"] == "orchestrator-desktop/snapshot-file"
    assert document["Snapshot"]["Name"] == "Travels well"
    qtbot.waitUntil(lambda: "Exported" in manager.status.text())
    monkeypatch.setattr(dialogs, "choose_open_json", lambda *_a: str(target))
    manager.import_action.trigger()
    qtbot.waitUntil(lambda: _counts(dotnet_file)["SessionSnapshots"] == 3, timeout=5000)
    rows = query(dotnet_file, 'SELECT "Id", "SessionId", "Description", "CreatedAt", '
                               '"MessageCount", "SessionStateJson", "AgentStatesJson" FROM '
                               '"SessionSnapshots" WHERE "Name" = ? ORDER BY "Id"',
                  "Travels well")
    assert len(rows) == 2 and rows[0][0] != rows[1][0]
    assert rows[0][1:] == rows[1][1:]  # everything but the id came back unchanged
    qtbot.waitUntil(lambda: "Imported “Travels well” into its own session"
                    in manager.status.text(), timeout=5000)
    qtbot.waitUntil(lambda: manager.current() is not None
                    and manager.current().snapshot.id != original.id, timeout=5000)


def test_import_of_a_bad_file_says_what_is_wrong(window, qtbot, monkeypatch, tmp_path,
                                                 no_modal_dialogs, dotnet_file) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": "world"}', encoding="utf-8")
    manager = _open_manager(qtbot, window)
    monkeypatch.setattr(dialogs, "choose_open_json", lambda *_a: str(bad))
    before = _counts(dotnet_file)
    manager.import_action.trigger()
    qtbot.waitUntil(lambda: bool(no_modal_dialogs["errors"]), timeout=5000)
    assert no_modal_dialogs["errors"].pop() == (
        "Cannot import the snapshot",
        "notes.json is not an OrchestratorChat Desktop snapshot file.")
    assert _counts(dotnet_file) == before


def test_dotnet_snapshot_in_the_manager(window, qtbot, no_modal_dialogs, dotnet_file) -> None:
    manager = _open_manager(qtbot, window)
    _select(qtbot, manager, "Made by .NET")
    assert "OrchestratorChat .NET application" in manager.details.text()
    assert manager.restore_action.isEnabled()
    assert ".NET application" in manager.restore_action.toolTip()
    manager.restore_action.trigger()
    qtbot.waitUntil(lambda: query(dotnet_file, "SELECT count(*) FROM \"Sessions\"") == [(3,)],
                    timeout=5000)


def test_read_only_file_disables_snapshot_changes_with_the_reason(qtbot, dotnet_file,
                                                                  tmp_path) -> None:
    dotnet_file.chmod(0o444)
    try:
        window = open_window(qtbot, dotnet_file, tmp_path)
        select_session(qtbot, window, SESSION_ID)
        assert not window.snapshot_action.isEnabled()
        assert not window.restore_menu.isEnabled()
        assert window.restore_menu.menuAction().toolTip() == "The file is read-only."
        manager = _open_manager(qtbot, window)
        _select(qtbot, manager, "Made by .NET")
        for action in (manager.new_action, manager.rename_action, manager.delete_action,
                       manager.restore_action, manager.revert_action, manager.import_action):
            assert not action.isEnabled()
            assert action.toolTip().startswith("The file is read-only.")
        assert manager.export_action.isEnabled()
    finally:
        dotnet_file.chmod(0o644)


def test_restore_from_the_manager_shows_the_new_session(window, qtbot, dotnet_file) -> None:
    window.store.snapshots.create(SESSION_ID, "From the manager")
    manager = _open_manager(qtbot, window)
    _select(qtbot, manager, "From the manager")
    manager.restore_action.trigger()
    qtbot.waitUntil(lambda: window.current_session_id() not in (None, SESSION_ID), timeout=8000)
    new_id = window.current_session_id()
    assert _restored_id(dotnet_file) == new_id
    assert window.task_progress.parent() is manager  # modal over the manager
    qtbot.waitUntil(lambda: "now shown in the window" in manager.status.text(), timeout=5000)
    qtbot.waitUntil(lambda: "(Restored)" in manager.title.text(), timeout=5000)
    assert_faithful_copy(dotnet_file, SESSION_ID, new_id)


def test_a_long_description_can_be_read_to_its_end(qtbot, window, dotnet_file) -> None:
    """Manage Snapshots cut a long description at the foot of its pane."""
    description = "\n".join(f"line {n} of why this snapshot was taken" for n in range(1, 61))
    window.store.snapshots.create(SESSION_ID, "Long story", description)
    manager = _open_manager(qtbot, window)
    _select(qtbot, manager, "Long story")
    pane = manager.details_pane
    bar = pane.verticalScrollBar()
    qtbot.waitUntil(lambda: "line 60 of why" in manager.details.text(), timeout=5000)
    qtbot.wait(50)
    assert bar.maximum() > 0  # more than the pane shows: it scrolls
    bar.setValue(bar.maximum())
    last = manager.details.mapTo(pane.viewport(), manager.details.rect().bottomLeft())
    assert last.y() <= pane.viewport().height() + 6  # the end of the text is in view
