"""The thread's sense of place in a long session (issue 16, items 4, 5 and 7): where the view
is, Go to by number or time, following what another program appends, and a message's menu
and details. Driven as a person does: keys, clicks and right-clicks."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dotnet_files import AGENT_ID, MESSAGE_IDS, SESSION_ID, add_messages, make_dotnet_database
from gui_helpers import open_window, select_session
from orchestrator_desktop.data import open_store
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.thread.go_to import GoToDialog, local_to_utc
from orchestrator_desktop.gui.thread.thread_view import MAX_ROWS, position_text
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit

START = datetime(2024, 5, 1, 8, 0, 0)  # the added messages are one minute apart from here


def _add_timed(path: Path, count: int) -> None:
    """`count` messages in SESSION_ID after its five, one minute apart, written as .NET does."""
    con = sqlite3.connect(path)
    con.executemany('INSERT INTO "Messages" VALUES (?,?,?,?,NULL,NULL,?,0,NULL,NULL)', [
        (f"timed-{n:06d}", SESSION_ID, f"timed message {n}", n % 2,
         f"{START + timedelta(minutes=n):%Y-%m-%d %H:%M:%S}.1234567") for n in range(count)])
    con.commit()
    con.close()


@pytest.fixture
def long_file(tmp_path) -> Path:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    _add_timed(path, 20_000)
    return path


def _window(qtbot, path: Path, folder: Path):
    window = open_window(qtbot, path, folder)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=30000)
    select_session(qtbot, window, SESSION_ID)
    qtbot.waitUntil(lambda: window.thread_model.extent is not None, timeout=5000)
    return window


def _current_position(window) -> int | None:
    message = window.thread_model.message(window.thread.list.currentIndex().row())
    return message.position if message else None


def _answer_go_to(monkeypatch, qtbot, typed: str, asked: list) -> None:
    """Answer Go to as a person: the real dialog, the text typed into it key by key."""
    def ask(parent, count, first, last, current):
        dialog = GoToDialog(parent, count, first, last, current)
        qtbot.addWidget(dialog)
        dialog.field.selectAll()
        qtbot.keyClicks(dialog.field, typed)
        asked.append((count, dialog.explanation.text(), dialog.ok.isEnabled()))
        return dialog.choice() if dialog.ok.isEnabled() else None
    monkeypatch.setattr(dialogs, "ask_go_to", ask)


# -- data layer ---------------------------------------------------------------------------------

def test_message_number_and_time_lookups_follow_the_thread_order(long_file) -> None:
    store = open_store(long_file)
    try:
        store.run_maintenance()
        sessions = store.sessions
        extent = sessions.thread_extent(SESSION_ID)
        assert extent.count == 20_005
        assert extent.first_time == datetime(2024, 1, 30, 9, 5, 1, 123456)
        assert extent.last_time == START + timedelta(minutes=19_999, microseconds=123456)
        assert sessions.message_at(SESSION_ID, 1) == MESSAGE_IDS[0]
        assert sessions.message_at(SESSION_ID, 5) == MESSAGE_IDS[4]
        for number in (6, 10_000, 10_003, 20_005):  # from the start and from the end
            assert sessions.message_at(SESSION_ID, number) == f"timed-{number - 6:06d}"
        assert sessions.message_at(SESSION_ID, 0) is None
        assert sessions.message_at(SESSION_ID, 20_006) is None
        assert sessions.message_at_time(SESSION_ID, START + timedelta(minutes=30)) \
            == "timed-000030"
        assert sessions.message_at_time(SESSION_ID, START + timedelta(minutes=30, seconds=1)) \
            == "timed-000031"
        assert sessions.message_at_time(SESSION_ID, datetime(2030, 1, 1)) is None
        around = sessions.messages_around(SESSION_ID, "timed-009994", context=3,
                                          position=10_000)
        assert [m.position for m in around.messages] == list(range(9_997, 10_004))
        counted = sessions.messages_around(SESSION_ID, "timed-009994", context=3)
        assert [m.id for m in counted.messages] == [m.id for m in around.messages]
        assert [m.position for m in counted.messages] == list(range(9_997, 10_004))
        assert sessions.count_after(SESSION_ID, extent.last_cursor) == 0
        assert sessions.count_after(SESSION_ID, counted.messages[-1].cursor) == 20_005 - 10_003
    finally:
        store.close()


def test_position_text_reads_plainly() -> None:
    assert position_text(9_990, 10_010, 20_000) == "Messages 9,990\u201310,010 of 20,000"
    assert position_text(5, 5, 5) == "Message 5 of 5"
    assert position_text(None, None, 0) == "No messages"


# -- item 4: where am I, and Go to -----------------------------------------------------------------

def test_the_thread_says_where_it_is_and_goes_to_a_number_typed_after_ctrl_g(
        qtbot, long_file, tmp_path, monkeypatch) -> None:
    window = _window(qtbot, long_file, tmp_path)
    label = window.thread.position
    qtbot.waitUntil(lambda: label.text().startswith("Messages 1\u2013")
                    and label.text().endswith(" of 20,005"), timeout=5000)
    asked: list = []
    _answer_go_to(monkeypatch, qtbot, "10000", asked)
    window.thread.list.setFocus()
    qtbot.keyClick(window.thread.list, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert asked == [(20_005, "Message 10,000 of 20,005.", True)]
    qtbot.waitUntil(lambda: _current_position(window) == 10_000, timeout=10000)
    current = window.thread_model.message(window.thread.list.currentIndex().row())
    assert current.id == "timed-009994"

    def shown() -> tuple[int, int]:
        words = label.text().replace(",", "").split()  # "Messages 9997–10003 of 20005"
        span = words[1].split("\u2013") if len(words) > 1 and words[0] == "Messages" else []
        return (int(span[0]), int(span[1])) if len(span) == 2 else (0, 0)
    qtbot.waitUntil(lambda: " of 20,005" in label.text() and shown()[0] <= 10_000 <= shown()[1],
                    timeout=5000)
    # scrolling moves the line with the view
    before = shown()
    view = window.thread.list
    for _ in range(6):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: shown()[0] > before[0], timeout=5000)
    # and the menu holds the same command
    window.go_to_action.trigger()
    assert len(asked) == 2


def test_go_to_a_date_and_time_lands_on_the_first_message_at_or_after_it(
        qtbot, long_file, tmp_path, monkeypatch) -> None:
    window = _window(qtbot, long_file, tmp_path)
    local = datetime(2024, 5, 3, 14, 5)  # typed in the computer's time zone
    expected = [n for n in range(20_000)
                if START + timedelta(minutes=n, microseconds=123456) >= local_to_utc(local)][0]
    asked: list = []
    _answer_go_to(monkeypatch, qtbot, "2024-05-03 14:05", asked)
    qtbot.keyClick(window.thread.list, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert asked[0][1] == "The first message at or after 2024-05-03 14:05:00 (local time)."
    qtbot.waitUntil(lambda: window.thread_model.message(
        window.thread.list.currentIndex().row()) is not None and window.thread_model.message(
        window.thread.list.currentIndex().row()).id == f"timed-{expected:06d}", timeout=10000)
    assert _current_position(window) == expected + 6


def test_go_to_says_what_it_cannot_do_and_typing_arrives_as_typed(qtbot) -> None:
    dialog = GoToDialog(None, 20_000, datetime(2024, 1, 1), datetime(2024, 2, 1), None)
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    for typed, enabled, said in (
            ("20001", False, "There is no message 20,001: the thread has 20,000 messages."),
            ("#12,345", True, "Message 12,345 of 20,000."),
            ("2024-13-01", False, "There is no such date or time."),
            ("yesterday", False, "Not a message number or a date and time."),
            ("2030-01-01", True, "Every message is older than 2030-01-01 00:00:00")):
        dialog.field.clear()
        qtbot.keyClicks(dialog.field, typed)
        assert dialog.field.text() == typed
        assert dialog.ok.isEnabled() is enabled
        assert dialog.explanation.text().startswith(said)


# -- item 5: new messages from another program ---------------------------------------------------

APPENDER = textwrap.dedent("""
    import datetime, sqlite3, sys
    path, session, agent, prefix, count, batch = sys.argv[1:7]
    when = datetime.datetime(2031, 1, 1) + datetime.timedelta(minutes=int(batch))
    con = sqlite3.connect(path, timeout=10)
    con.executemany('INSERT INTO "Messages" VALUES (?,?,?,1,?,NULL,?,0,NULL,NULL)',
                    [(f"{prefix}-{n:04d}", session, f"appended {prefix} {n}", agent,
                      f"{when:%Y-%m-%d %H:%M:%S}.{n:07d}") for n in range(int(count))])
    con.commit()
""")


_appended: list[str] = []


def _append(path: Path, prefix: str, count: int) -> list[str]:
    """`count` messages appended by another process, the way the .NET application writes
    them, each batch later than the one before."""
    _appended.append(prefix)
    subprocess.run([sys.executable, "-c", APPENDER, str(path), SESSION_ID, AGENT_ID, prefix,
                    str(count), str(len(_appended))], check=True)
    return [f"{prefix}-{n:04d}" for n in range(count)]


def _last_id(window) -> str | None:
    model = window.thread_model
    message = model.message(model.rowCount() - 1)
    return message.id if message else None


def _at_bottom(window) -> bool:
    bar = window.thread.list.verticalScrollBar()
    return bar.value() == bar.maximum()


@pytest.mark.parametrize("count", [1, 200])
def test_at_the_end_new_messages_show_and_the_view_stays_at_the_bottom(qtbot, tmp_path,
                                                                       count) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    add_messages(path, SESSION_ID, 100, first_sequence=6)
    window = _window(qtbot, path, tmp_path)
    view = window.thread.list
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.thread_model.has_after and _at_bottom(window)
                    and _last_id(window) == f"{SESSION_ID}-m000105", timeout=5000)
    ids = _append(path, "first", count)
    qtbot.waitUntil(lambda: _last_id(window) == ids[-1], timeout=10000)
    qtbot.waitUntil(lambda: _at_bottom(window), timeout=5000)
    assert window.thread_model.rowCount() <= MAX_ROWS
    assert [window.thread_model.message(r).id for r in range(window.thread_model.rowCount())
            ][-count:] == ids
    assert not window.thread.new_messages.isVisible()
    qtbot.waitUntil(lambda: window.thread.position.text().endswith(f" of {105 + count:,}"),
                    timeout=5000)
    more = _append(path, "second", count)  # and again: it keeps following
    qtbot.waitUntil(lambda: _last_id(window) == more[-1] and _at_bottom(window), timeout=10000)
    assert not window.thread.new_messages.isVisible()


def test_away_from_the_end_a_bar_counts_new_messages_and_a_click_shows_them(qtbot,
                                                                            tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    add_messages(path, SESSION_ID, 300, first_sequence=6)
    window = _window(qtbot, path, tmp_path)
    model, view, bar = window.thread_model, window.thread.list, window.thread.new_messages
    first_shown = view.indexAt(QPoint(8, 8)).row()
    scrolled = view.verticalScrollBar().value()
    _append(path, "one", 1)
    qtbot.waitUntil(lambda: bar.isVisible() and bar.text() == "\u2193 1 new message",
                    timeout=10000)
    ids = _append(path, "many", 200)
    qtbot.waitUntil(lambda: bar.text() == "\u2193 201 new messages", timeout=10000)
    assert view.indexAt(QPoint(8, 8)).row() == first_shown  # the view did not move
    assert view.verticalScrollBar().value() == scrolled
    assert model.message(0).id == MESSAGE_IDS[0]
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _last_id(window) == ids[-1] and _at_bottom(window), timeout=10000)
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: window.thread.position.text().endswith(" of 506"), timeout=5000)
    later = _append(path, "later", 1)  # at the end now: followed
    qtbot.waitUntil(lambda: _last_id(window) == later[-1] and _at_bottom(window), timeout=10000)
    assert not bar.isVisible()


def test_scrolling_down_to_the_new_messages_clears_the_bar(qtbot, tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    add_messages(path, SESSION_ID, 40, first_sequence=6)
    window = _window(qtbot, path, tmp_path)
    view, bar = window.thread.list, window.thread.new_messages
    assert not window.thread.is_at_end()
    ids = _append(path, "below", 3)
    qtbot.waitUntil(lambda: bar.text() == "\u2193 3 new messages" and bar.isVisible(),
                    timeout=10000)
    view.setFocus()
    for _ in range(40):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
        if window.thread_model.row_of(ids[-1]) >= 0 and _at_bottom(window):
            break
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5000)


# -- item 7: a message's menu and details ----------------------------------------------------------

POPUP = pytest.mark.qt_log_ignore(  # offscreen Qt cannot raise a popup or grab the keyboard
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard")

def _menu_action(window, text: str):
    menu = window.thread.message_menu
    assert menu is not None and menu.isVisible()
    actions = {a.text().replace("&", ""): a for a in menu.actions() if a.text()}
    assert list(actions) == ["Copy Text", "Copy as Markdown", "Copy Id", "Details…"]
    return menu, actions[text]


def _right_click(qtbot, window, row: int) -> None:
    """A right-click as the platform delivers it (press, release and the context menu)."""
    view = window.thread.list
    rect = view.visualRect(window.thread_model.index(row))
    QTest.mouseClick(window.windowHandle(), Qt.MouseButton.RightButton,
                     Qt.KeyboardModifier.NoModifier, view.viewport().mapTo(window, rect.center()))
    qtbot.waitUntil(lambda: window.thread.message_menu is not None
                    and window.thread.message_menu.isVisible(), timeout=3000)


def _choose(qtbot, window, text: str) -> None:
    menu, action = _menu_action(window, text)
    QTest.mouseClick(menu.windowHandle(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=3000)


@POPUP
def test_right_click_copies_a_message_as_text_markdown_or_id(qtbot, tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    window = _window(qtbot, path, tmp_path)
    qtbot.waitExposed(window)
    clipboard = QApplication.clipboard()
    _right_click(qtbot, window, 1)
    assert window.thread.list.currentIndex().row() == 1
    _choose(qtbot, window, "Copy Text")
    assert clipboard.text() == "Looking at <script>alert(1)</script> tokenizer.py now"
    _right_click(qtbot, window, 1)
    _choose(qtbot, window, "Copy as Markdown")
    markdown = clipboard.text()
    assert markdown.startswith("### #2 · Assistant · Researcher · 2024-01-30 09:06:00 UTC · "
                               "150 tokens")
    assert "Looking at <script>alert(1)</script> tokenizer.py now" in markdown
    assert "**Attachments**" in markdown and "tokenizer.py" in markdown
    _right_click(qtbot, window, 3)
    _choose(qtbot, window, "Copy Id")
    assert clipboard.text() == MESSAGE_IDS[3]


def _fields(dialog) -> dict[str, str]:
    return {name: edit.text() for name, edit in dialog.fields.items()}


@POPUP
def test_details_show_everything_stored_as_plain_text_and_open_nothing(qtbot, tmp_path,
                                                                       monkeypatch) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    con = sqlite3.connect(path)
    con.execute('UPDATE "Attachments" SET "Url" = ?, "StoragePath" = ? WHERE "Id" = ?',
                ("javascript:alert(1)", "file:///etc/passwd<b>bold</b>", "att-1"))
    con.execute('UPDATE "Messages" SET "MetadataJson" = ? WHERE "Id" = ?',
                ('{"Model": "gpt-4", <i>broken', MESSAGE_IDS[1]))
    con.commit()
    con.close()
    opened: list = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    window = _window(qtbot, path, tmp_path)
    qtbot.waitExposed(window)
    view = window.thread.list
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)  # to the second message, by keyboard
    qtbot.keyClick(view, Qt.Key.Key_Down)
    if view.currentIndex().row() != 1:
        view.setCurrentIndex(window.thread_model.index(1))
    qtbot.keyClick(view, Qt.Key.Key_Menu)
    menu, _ = _menu_action(window, "Details…")
    qtbot.keyClick(menu, Qt.Key.Key_D)  # the mnemonic of Details…
    qtbot.waitUntil(lambda: window.thread.details_dialog is not None
                    and window.thread.details_dialog.isVisible(), timeout=5000)
    dialog = window.thread.details_dialog
    qtbot.addWidget(dialog)
    fields = _fields(dialog)
    assert fields["Id"] == MESSAGE_IDS[1] and fields["Session"] == SESSION_ID
    assert fields["Number"] == "2 in the thread (by time)"
    assert fields["Role"] == "Assistant (1)"
    assert fields["Agent"] == f"Researcher  ({AGENT_ID})"
    assert fields["Time as stored"] == "2024-01-30 09:06:00"
    assert fields["Sequence number"] == "2 (as stored)"
    assert fields["Parent message"] == f"{MESSAGE_IDS[0]}  (message #1 of this thread)"
    assert (fields["Input tokens"], fields["Output tokens"], fields["Total tokens"],
            fields["Estimated cost"]) == ("100", "50", "150", "0.0123")
    assert dialog.flags["Metadata"].isVisibleTo(dialog)
    assert not dialog.flags["Token usage as stored"].isVisibleTo(dialog)
    assert dialog.texts["Metadata"].toPlainText() == '{"Model": "gpt-4", <i>broken'
    attachments = dialog.texts["Attachments"].toPlainText()
    assert "Storage path: file:///etc/passwd<b>bold</b>" in attachments
    assert "URL: javascript:alert(1)" in attachments
    for widget in dialog.findChildren(QLineEdit) + dialog.findChildren(QPlainTextEdit):
        assert widget.isReadOnly()
    text = dialog.texts["Attachments"]  # clicking and double-clicking the path opens nothing
    for click in (qtbot.mouseClick, qtbot.mouseDClick):
        click(text.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(40, 60))
    assert opened == []
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


@POPUP
def test_details_of_a_message_with_broken_json_tool_calls_and_a_missing_parent(qtbot,
                                                                               tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    window = _window(qtbot, path, tmp_path)
    view = window.thread.list
    view.setFocus()
    view.setCurrentIndex(window.thread_model.index(2))
    qtbot.keyClick(view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    _choose(qtbot, window, "Details…")
    qtbot.waitUntil(lambda: window.thread.details_dialog is not None
                    and window.thread.details_dialog.isVisible(), timeout=5000)
    dialog = window.thread.details_dialog
    qtbot.addWidget(dialog)
    assert dialog.flags["Token usage as stored"].isVisibleTo(dialog)
    assert dialog.texts["Token usage as stored"].toPlainText() == "{broken"
    assert _fields(dialog)["Total tokens"] == "—"
    calls = dialog.texts["Tool calls"].toPlainText()
    assert "read_file — ok — " in calls and "Id: tool-1" in calls and "def tokenize():" in calls
    assert "Parameters (not valid JSON, shown exactly as stored):\n{bad json" in calls
    assert "Error:\n2 failed" in calls
    dialog.close()
    view.setCurrentIndex(window.thread_model.index(3))
    qtbot.keyClick(view, Qt.Key.Key_Menu)
    _choose(qtbot, window, "Details…")
    qtbot.waitUntil(lambda: window.thread.details_dialog is not dialog
                    and window.thread.details_dialog is not None, timeout=5000)
    fields = _fields(window.thread.details_dialog)
    qtbot.addWidget(window.thread.details_dialog)
    assert fields["Parent message"] == "no-such-parent  (not in this session)"
    assert fields["Length"] == "no content (NULL)"
    assert fields["Role"] == "Unknown (9) (9)" or fields["Role"].startswith("Unknown")
