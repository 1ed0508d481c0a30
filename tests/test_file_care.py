"""File ▸ Back Up Now / Restore from Backup / Check Database in the window, scheduled backups,
and a second program holding the write lock while the person saves."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from dotnet_files import MESSAGE_IDS, SESSION_ID, make_dotnet_database
from gui_helpers import open_window, select_session, settings_in
from orchestrator_desktop import paths
from orchestrator_desktop.data import connection, open_store
from orchestrator_desktop.data.backups import list_backups
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.files import file_care
from orchestrator_desktop.gui.main_window import WAITING_FOR_LOCK, MainWindow


@pytest.fixture
def dotnet_file(tmp_path: Path) -> Path:
    return make_dotnet_database(tmp_path / "orchestrator.db")


@pytest.fixture
def window(qtbot, dotnet_file, tmp_path):
    window = open_window(qtbot, dotnet_file, tmp_path)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=15000)
    return window


def _session_names(path: Path) -> list[str]:
    with sqlite3.connect(path) as con:
        return [row[0] for row in con.execute('SELECT "Name" FROM "Sessions" ORDER BY 1')]


def _hold_write_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another program taking the file's write lock for `seconds` (as the .NET app may)."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sqlite3, sys, time
        con = sqlite3.connect(sys.argv[1], isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        con.execute('UPDATE "Sessions" SET "Name" = "Name"')
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
        con.execute("COMMIT")
    """), str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_opening_a_file_makes_the_days_backup_once(qtbot, dotnet_file, tmp_path,
                                                    monkeypatch) -> None:
    monkeypatch.setattr(file_care, "FIRST_CHECK_MS", 200)
    store = open_store(dotnet_file)  # already migrated, so no backup before an update
    store.run_maintenance(backup_dir=tmp_path / "elsewhere")
    store.close()
    window = open_window(qtbot, dotnet_file, tmp_path)
    path = window.store.path
    assert list_backups(path, paths.backup_dir()) == [], "not on the way to the first window"
    qtbot.waitUntil(lambda: any(b.reason == "scheduled"
                                for b in list_backups(path, paths.backup_dir())), timeout=10000)
    window.care.back_up_if_due()  # not due again the same day
    qtbot.waitUntil(lambda: not window.maintenance.busy)
    assert [b.reason for b in list_backups(path, paths.backup_dir())].count("scheduled") == 1


def test_back_up_now_and_restore_from_backup_bring_the_file_back(window, qtbot,
                                                                 monkeypatch) -> None:
    path = window.store.path
    window.care.backup_action.trigger()
    qtbot.waitUntil(lambda: "Backed up to" in window.statusBar().currentMessage(),
                    timeout=10000)
    assert any(b.reason == "manual" for b in list_backups(path, paths.backup_dir()))
    names_in_backup = _session_names(path)
    select_session(qtbot, window, SESSION_ID)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    window.delete_action.trigger()
    qtbot.waitUntil(lambda: window.sessions.row_of(SESSION_ID) < 0)

    window.care.restore_action.trigger()
    dialog = window.care.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.list.topLevelItem(0).text(1) == "Made on request"
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm",
                        lambda _p, _t, text, *_a, **_k: asked.append(text) or True)
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: window.store is not None and window.sessions.row_of(SESSION_ID) >= 0,
                    timeout=15000)
    assert "backed up first" in asked[0]
    assert _session_names(path) == names_in_backup
    assert "Restored the backup" in window.statusBar().currentMessage()
    safety = [b for b in list_backups(path, paths.backup_dir()) if b.reason == "before-restore"]
    assert len(safety) == 1 and SESSION_ID not in str(
        sqlite3.connect(safety[0].path).execute('SELECT group_concat("Id") FROM "Sessions"')
        .fetchone())
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_check_database_reports_and_rebuilds_a_broken_search_index(window, qtbot) -> None:
    window.care.check_action.trigger()
    qtbot.waitUntil(lambda: window.care.report_dialog is not None, timeout=15000)
    report = window.care.report_dialog
    assert report.headline.text() == "No problems found in orchestrator.db."
    assert "SQLite integrity check: ok" in report.text.toPlainText()
    assert "whose parent message no longer exists" in report.text.toPlainText()
    assert not report.rebuild_button.isVisible()

    with sqlite3.connect(window.store.path) as con:  # lose an index key behind our back
        con.execute('DELETE FROM "desktop_message_keys" WHERE "MessageId" = ?', (MESSAGE_IDS[0],))
    window.care.check_action.trigger()
    qtbot.waitUntil(lambda: window.care.report_dialog is not report, timeout=15000)
    report = window.care.report_dialog
    assert re.fullmatch(r"\d problems? found in orchestrator\.db\. Rebuilding the search "
                        r"index puts it right\.", report.headline.text())
    assert "does not cover every message" in report.text.toPlainText()
    assert report.rebuild_button.isVisible()
    report.rebuild_button.click()
    qtbot.waitUntil(lambda: window.store.search.index_is_consistent()
                    and window.store.meta("fts_state") == "ready", timeout=15000)
    window.care.check_action.trigger()
    qtbot.waitUntil(lambda: window.care.report_dialog is not report, timeout=15000)
    assert window.care.report_dialog.headline.text() == "No problems found in orchestrator.db."


def test_a_damaged_file_is_reported_by_check_database(qtbot, tmp_path, monkeypatch) -> None:
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, text: errors.append((title, text)))
    path = make_dotnet_database(tmp_path / "orchestrator.db", wal=False)
    window = open_window(qtbot, path, tmp_path)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=15000)
    store = window.store
    with sqlite3.connect(path) as con:  # a broken index: rows the index does not list
        con.execute("PRAGMA writable_schema = ON")
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = "
                           "'IX_Messages_SessionId'").fetchone()[0]
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as handle:  # wipe the index's root page
        handle.seek((root - 1) * page_size)
        handle.write(b"\x0d" + b"\x00" * (page_size - 1))
    window.care.check_action.trigger()
    qtbot.waitUntil(lambda: window.care.report_dialog is not None, timeout=15000)
    report = window.care.report_dialog
    assert "problem" in report.headline.text() and "Restore a backup" in report.headline.text()
    assert "SQLite integrity check: problems found" in report.text.toPlainText()
    assert window.store is store, "the window keeps the file open and browsable"
    assert errors == []


def test_read_only_file_cannot_be_restored_but_can_be_checked(qtbot, dotnet_file,
                                                              tmp_path) -> None:
    dotnet_file.chmod(0o444)
    try:
        window = open_window(qtbot, dotnet_file, tmp_path)
        assert not window.care.restore_action.isEnabled()
        assert window.care.restore_action.toolTip() == "The file is read-only."
        assert window.care.check_action.isEnabled() and window.care.backup_action.isEnabled()
        assert list_backups(dotnet_file, paths.backup_dir()) == []
    finally:
        dotnet_file.chmod(0o644)


def test_a_save_waits_for_another_writer_and_the_window_stays_responsive(window, qtbot,
                                                                         monkeypatch) -> None:
    select_session(qtbot, window, SESSION_ID)
    holder = _hold_write_lock(window.store.path, 3)
    ticks: list[float] = []
    from PySide6.QtCore import QTimer

    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    monkeypatch.setattr(dialogs, "ask_text", lambda *_a: "Renamed while locked")
    window.rename_action.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == WAITING_FOR_LOCK,
                    timeout=3000)
    qtbot.waitUntil(lambda: "Renamed while locked" in _session_names(window.store.path),
                    timeout=15000)
    timer.stop()
    holder.wait(10)
    assert len(ticks) >= 20, "the event loop stalled while the save waited for the lock"
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != WAITING_FOR_LOCK)


def test_a_save_past_the_busy_timeout_can_be_tried_again_and_nothing_is_lost(
        qtbot, dotnet_file, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_SECONDS", 0.5)
    window = open_window(qtbot, dotnet_file, tmp_path)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=15000)
    select_session(qtbot, window, SESSION_ID)
    holder = _hold_write_lock(dotnet_file, 2)
    offers: list[str] = []

    def try_again(_parent, _title, text, action="Delete") -> bool:
        offers.append(f"{action}: {text}")
        holder.wait(10)  # the person waits for the other program, then tries again
        return True

    monkeypatch.setattr(dialogs, "confirm", try_again)
    monkeypatch.setattr(dialogs, "ask_text", lambda *_a: "Saved on the second try")
    window.rename_action.trigger()
    qtbot.waitUntil(lambda: "Saved on the second try" in _session_names(dotnet_file),
                    timeout=15000)
    assert len(offers) == 1 and offers[0].startswith("Try Again: The database is busy")
    assert "has not been made yet" in offers[0]


def test_a_damaged_file_with_backups_is_offered_a_restore(qtbot, dotnet_file, tmp_path,
                                                          monkeypatch) -> None:
    store = open_store(dotnet_file)
    store.run_maintenance(backup_dir=paths.backup_dir())  # backs it up before updating it
    store.close()
    data = bytearray(dotnet_file.read_bytes())
    data[16:18] = b"\x00\x07"  # damaged beyond SQLite's reading
    dotnet_file.write_bytes(bytes(data))
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    window.show()
    asked: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "confirm",
                        lambda _p, _t, text, action="Delete": asked.append((action, text)) or True)

    assert not window.open_file(dotnet_file, create=False)
    assert asked[0][0] == "Restore from Backup…"
    assert "is damaged" in asked[0][1] and "There is 1 backup of it" in asked[0][1]
    dialog = window.care.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.list.topLevelItem(0).text(1) == "Before a database update"
    assert not dialog.back_up_button.isEnabled(), "nothing open to back up"
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: window.store is not None and window.sessions.row_of(SESSION_ID) >= 0,
                    timeout=15000)
    assert "damaged.bak" in window.statusBar().currentMessage()
    with sqlite3.connect(dotnet_file) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
