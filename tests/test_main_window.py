"""The main window driven with qtbot on real database files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest
from dotnet_files import (
    AGENT_ID,
    MESSAGE_IDS,
    SESSION_ID,
    add_messages,
    add_sessions,
    make_dotnet_database,
)
from gui_helpers import open_window, select_session, settings_in
from orchestrator_desktop.data.enums import MessageRole, SessionStatus
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.main_window import MainWindow
from orchestrator_desktop.gui.thread.message_render import DISPLAY_LIMIT, build_document
from orchestrator_desktop.gui.thread.thread_view import MAX_ROWS, MESSAGE_ROLE
from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QPlainTextEdit


@pytest.fixture
def dotnet_file(tmp_path):
    return make_dotnet_database(tmp_path / "orchestrator.db")


@pytest.fixture
def window(qtbot, dotnet_file, tmp_path) -> MainWindow:
    return open_window(qtbot, dotnet_file, tmp_path)


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """Any unexpected dialog fails the test instead of blocking it."""
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, text: shown.append((title, text)))
    yield shown


def _names(window: MainWindow) -> list[str]:
    return [window.sessions.index(row, 0).data() for row in range(window.sessions.rowCount())]


def test_every_model_passes_qt_model_tester(qtmodeltester, window, qtbot) -> None:
    qtmodeltester.check(window.sessions)
    select_session(qtbot, window, SESSION_ID)
    qtmodeltester.check(window.thread_model)
    window.search.query.setText("tokenizer")
    qtbot.waitUntil(lambda: window.search.model.rowCount() > 0, timeout=5000)
    qtmodeltester.check(window.search.model)


def test_session_list_shows_badges_names_and_counts(window, no_modal_dialogs) -> None:
    assert window.sessions.rowCount() == 2
    first = {window.sessions.index(0, c).data() for c in range(7)}
    assert "Untitled session" in first and "Unknown (7)" in first  # newest activity first
    row = window.sessions.row_of(SESSION_ID)
    values = [window.sessions.index(row, c).data() for c in range(7)]
    assert values[:4] == ["Refactor the parser", "Paused", "Orchestrated", "proj-42"]
    assert values[5] == "5" and values[6] == "Researcher, Claude Assistant"
    assert "2024-01-30" in window.sessions.index(row, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert window.counts_label.text() == "" or "sessions" in window.counts_label.text()
    assert no_modal_dialogs == []


def test_selecting_a_session_shows_thread_details_and_plans(window, qtbot) -> None:
    select_session(qtbot, window, SESSION_ID)
    model = window.thread_model
    assert [model.message(r).id for r in range(model.rowCount())] == MESSAGE_IDS
    qtbot.waitUntil(lambda: window.details.fields["name"].text() == "Refactor the parser")
    assert window.details.fields["status"].text() == "Paused"
    assert window.details.stats["tokens"].text() == "175"
    assert window.details.metadata_flag.isVisibleTo(window.details)
    assert "not json at all" in window.details.metadata.toPlainText()
    assert '"Goal": "refactor"' in window.details.context.toPlainText()
    plan = window.details.plans.topLevelItem(0)
    assert plan.text(2) == "Refactor safely (Unknown (9))" and plan.childCount() == 3
    assert [plan.child(i).text(0) for i in range(3)] == ["1", "2", "3"]
    assert plan.child(1).text(5) == "step-1" and plan.child(2).text(3) == "Unknown (7)"
    assert "5 messages" in window.thread.totals.text().replace("\xa0", " ")


def test_sorting_and_filtering_happen_in_sql(window, qtbot, dotnet_file) -> None:
    window.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: _names(window) == ["Untitled session", "Refactor the parser"])
    window.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: _names(window) == ["Refactor the parser", "Untitled session"])
    window.filter_bar.text.setText("refactor")
    qtbot.waitUntil(lambda: _names(window) == ["Refactor the parser"])
    window.filter_bar.text.clear()
    window.filter_bar.status.setCurrentIndex(window.filter_bar.status.findData(
        SessionStatus.Paused))
    qtbot.waitUntil(lambda: _names(window) == ["Refactor the parser"])


def test_scrolling_the_session_list_fetches_more(qtbot, dotnet_file, tmp_path) -> None:
    add_sessions(dotnet_file, 450)
    window = open_window(qtbot, dotnet_file, tmp_path)
    assert window.sessions.rowCount() == 200 and window.sessions.canFetchMore(QModelIndex())
    for expected in (400, 452):
        window.table.scrollToBottom()
        qtbot.waitUntil(lambda e=expected: window.sessions.rowCount() == e, timeout=5000)
    assert not window.sessions.canFetchMore(QModelIndex())
    assert _names(window)[0] == "bulk session 00449"


def test_long_thread_pages_both_ways_and_jumps_to_end(qtbot, dotnet_file, tmp_path) -> None:
    add_messages(dotnet_file, SESSION_ID, 3000, first_sequence=6)
    window = open_window(qtbot, dotnet_file, tmp_path)
    select_session(qtbot, window, SESSION_ID)
    model, view = window.thread_model, window.thread.list
    assert model.rowCount() == 60 and model.has_after and not model.has_before
    for _ in range(8):
        view.scrollToBottom()
        count = model.rowCount()
        qtbot.waitUntil(lambda c=count: model.rowCount() != c or not model.has_after
                        or model.message(0).sequence_number > 1, timeout=5000)
    assert model.rowCount() <= MAX_ROWS and model.has_before
    window.last_action.trigger()
    qtbot.waitUntil(lambda: not model.has_after and model.rowCount() > 0
                    and model.message(model.rowCount() - 1).sequence_number == 3005)
    qtbot.waitUntil(lambda: view.verticalScrollBar().value()
                    == view.verticalScrollBar().maximum())
    first_shown = model.message(0).sequence_number
    view.scrollToTop()
    qtbot.waitUntil(lambda: model.message(0).sequence_number < first_shown, timeout=5000)
    window.first_action.trigger()
    qtbot.waitUntil(lambda: model.rowCount() > 0 and model.message(0).sequence_number == 1
                    and not model.has_before)


def test_a_threads_first_and_last_pages_are_shown_before_its_length_is_counted(qtbot, dotnet_file,
                                                                   tmp_path) -> None:
    add_messages(dotnet_file, SESSION_ID, 3000, first_sequence=6)
    window = open_window(qtbot, dotnet_file, tmp_path)
    model = window.thread_model
    seen: list[tuple[int, object, object]] = []
    model.window_replaced.connect(lambda: seen.append(
        (model.rowCount(), model.extent, model.message(0).position)))
    select_session(qtbot, window, SESSION_ID)
    qtbot.waitUntil(lambda: model.extent is not None, timeout=5000)
    assert seen[0] == (60, None, 1)  # the messages first; the count over 3,005 of them after
    assert model.extent.count == 3005
    assert [model.message(n).position for n in (0, 59)] == [1, 60]
    qtbot.waitUntil(lambda: window.thread.position.text().endswith("of 3,005"), timeout=5000)
    # the last page too: shown unnumbered, numbered once the thread's length is in
    seen.clear()
    window.last_action.trigger()
    qtbot.waitUntil(lambda: seen != [] and all(model.message(n).position
                                               for n in range(model.rowCount())), timeout=5000)
    assert seen[0][2] is None  # its numbers need the count
    assert [model.message(n).position for n in (0, 59)] == [2946, 3005]
    assert model.message(59).sequence_number == 3005
    quick = window.store.sessions.messages_page(SESSION_ID, last=True, limit=60,
                                                numbered=False)
    assert not quick.numbered and {m.position for m in quick.messages} == {None}
    assert quick.ending_at(3005) == window.store.sessions.messages_page(SESSION_ID, last=True,
                                                                        limit=60)


def test_messages_written_between_a_last_page_and_its_count_do_not_shift_its_numbers(
        qtbot, dotnet_file, tmp_path, monkeypatch) -> None:
    add_messages(dotnet_file, SESSION_ID, 3000, first_sequence=6)
    window = open_window(qtbot, dotnet_file, tmp_path)
    select_session(qtbot, window, SESSION_ID)
    model, sessions = window.thread_model, window.store.sessions
    qtbot.waitUntil(lambda: model.extent is not None, timeout=5000)
    reading = sessions.messages_page

    def another_program_writes_after(*args, **kwargs):  # two messages land after the page
        page = reading(*args, **kwargs)
        if kwargs.get("last") and kwargs.get("numbered") is False:
            add_messages(dotnet_file, SESSION_ID, 2, first_sequence=4000)
            monkeypatch.setattr(sessions, "messages_page", reading)
        return page

    monkeypatch.setattr(sessions, "messages_page", another_program_writes_after)
    counted: list[tuple[list, int]] = []  # the window's numbers when the count comes
    model.extent_changed.connect(lambda: counted.append((
        [(model.message(n).sequence_number, model.message(n).position)
         for n in range(model.rowCount())], model.new_count)))
    window.last_action.trigger()
    qtbot.waitUntil(lambda: any(model.extent and model.extent.count == 3007 for _ in counted),
                    timeout=5000)
    rows, new = next(c for c in counted if c[0] and c[0][-1][0] == 3005 and c[0][-1][1])
    assert rows[-1] == (3005, 3005) and rows[0] == (2946, 2946)  # not shifted by the two
    assert new == 2  # offered by the bar for new messages


def test_search_as_you_type_and_jump_to_the_hit(window, qtbot) -> None:
    window.store.run_maintenance()
    window.find_action.trigger()
    assert window.side.currentWidget() is window.search
    qtbot.keyClicks(window.search.query, "rewritten OR tokenizer")
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 2, timeout=5000)
    hit = window.search.model.hit(1)
    assert hit.message_id in MESSAGE_IDS[:2]
    index = window.search.model.index(1)
    window.search.results.activated.emit(index)
    model = window.thread_model
    qtbot.waitUntil(lambda: model.session_id == SESSION_ID and model.row_of(hit.message_id) >= 0)
    row = model.row_of(hit.message_id)
    qtbot.waitUntil(lambda: window.thread.list.currentIndex().row() == row)
    assert model.index(row).data(Qt.ItemDataRole.UserRole + 12) == ("rewritten", "tokenizer")
    window.search.role.setCurrentIndex(window.search.role.findData(MessageRole.Assistant))
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 1, timeout=5000)
    window.search.role.setCurrentIndex(0)
    window.search.use_until.setChecked(True)
    window.search.until.setDate(QDate(2024, 1, 28))  # before every message, in any zone
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 0, timeout=5000)
    window.search.until.setDate(QDate(2024, 1, 30))
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 2, timeout=5000)


def test_the_selected_hit_is_written_in_the_selections_text_colour(window, qtbot) -> None:
    """On the selection's colour a hit's title and snippet take its text colour (the muted
    title colour was unreadable on it, in the dark palette most of all)."""
    window.store.run_maintenance()
    window.find_action.trigger()
    qtbot.keyClicks(window.search.query, "rewritten OR tokenizer")
    qtbot.waitUntil(lambda: window.search.model.rowCount() == 2, timeout=5000)
    results = window.search.results
    results.setCurrentIndex(window.search.model.index(0))
    qtbot.waitUntil(lambda: results.selectionModel().isSelected(window.search.model.index(0)))
    rect = results.visualRect(window.search.model.index(0))
    image = results.viewport().grab().toImage()
    wanted = results.palette().color(QPalette.ColorRole.HighlightedText)
    title_band = [image.pixelColor(x, y) for x in range(rect.left(), rect.right())
                  for y in range(rect.top() + 3, rect.top() + 20)]
    near = [c for c in title_band if abs(c.red() - wanted.red()) + abs(c.green() - wanted.green())
            + abs(c.blue() - wanted.blue()) < 60]
    assert len(near) > 20, "the selected hit's title is not in the selection's text colour"


def test_search_answers_before_the_index_is_built_and_says_so(qtbot, tmp_path,
                                                              monkeypatch) -> None:
    path = make_dotnet_database(tmp_path / "big.db")
    add_messages(path, SESSION_ID, 20, first_sequence=6)
    window = MainWindow(settings_in(tmp_path))
    qtbot.addWidget(window)
    start_maintenance = window.start_maintenance
    monkeypatch.setattr(window, "start_maintenance", lambda: None)  # hold the index build
    window.open_file(path)
    window.search.query.setText("message")  # searched after the field's pause
    qtbot.waitUntil(lambda: window.search.status.text() == "20 matches, newest first.",
                    timeout=5000)
    assert window.search.model.rowCount() == 20
    assert window.search.coverage.isVisibleTo(window.search)
    assert window.search.coverage.text() == (
        "Searched the newest 25 of 25 messages; still indexing.")
    start_maintenance()  # when it is done, the window refreshes the search quietly
    qtbot.waitUntil(lambda: window.search.status.text() == "20 matches, best first.",
                    timeout=15000)
    assert not window.search.coverage.isVisibleTo(window.search)
    assert window.search.model.rowCount() == 20


def test_gui_thread_keeps_running_while_a_slow_query_runs(window, qtbot) -> None:
    store = window.store
    finished = []
    ticks = []
    timer = QTimer(window)
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()

    def slow() -> int:
        with store.reading():
            return store.scalar("SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION "
                                "ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT x FROM c)")

    window.queries.submit(slow, finished.append, finished.append)
    qtbot.waitUntil(lambda: bool(finished), timeout=30000)
    timer.stop()
    assert finished == [3000000]
    assert len(ticks) >= 5, "the event loop stalled while the query ran"


def test_outside_changes_appear_without_restart(window, qtbot) -> None:
    select_session(qtbot, window, SESSION_ID)
    script = textwrap.dedent(f"""
        import sqlite3, sys
        con = sqlite3.connect(sys.argv[1], timeout=10)
        con.execute('INSERT INTO "Sessions" VALUES (?,?,0,0,NULL,NULL,?,?,NULL,NULL,NULL)',
                    ("outside", "Made elsewhere", "2030-01-01 00:00:00", "2030-01-01 00:00:00"))
        con.execute('INSERT INTO "Messages" VALUES (?,?,?,1,?,NULL,?,6,NULL,NULL)',
                    ("outside-msg", "{SESSION_ID}", "a reply from elsewhere", "{AGENT_ID}",
                     "2024-01-30 12:00:00"))
        con.commit()
    """)
    subprocess.run([sys.executable, "-c", script, str(window.store.path)], check=True)
    qtbot.waitUntil(lambda: "Made elsewhere" in _names(window), timeout=8000)
    qtbot.waitUntil(lambda: window.thread_model.row_of("outside-msg") == 5, timeout=8000)
    assert window.current_session_id() == SESSION_ID


def test_rename_status_and_delete_land_in_the_file(window, qtbot, monkeypatch) -> None:
    select_session(qtbot, window, SESSION_ID)
    monkeypatch.setattr(dialogs, "ask_text", lambda *_a: "Parser work")
    window.rename_action.trigger()
    qtbot.waitUntil(lambda: "Parser work" in _names(window))
    window.status_actions[SessionStatus.Completed].trigger()
    qtbot.waitUntil(lambda: window.details.fields["status"].text() == "Completed")
    row = sqlite3.connect(window.store.path).execute(
        'SELECT "Name", "Status", "CompletedAt" IS NOT NULL FROM "Sessions" WHERE "Id" = ?',
        (SESSION_ID,)).fetchone()
    assert row == ("Parser work", 2, 1)
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: False)
    window.delete_action.trigger()
    assert window.sessions.row_of(SESSION_ID) >= 0
    monkeypatch.setattr(dialogs, "confirm", lambda *_a, **_k: True)
    window.delete_action.trigger()
    qtbot.waitUntil(lambda: window.sessions.row_of(SESSION_ID) < 0)
    assert sqlite3.connect(window.store.path).execute(
        'SELECT count(*) FROM "Messages"').fetchone() == (0,)


def test_read_only_file_disables_editing_with_the_reason(qtbot, dotnet_file, tmp_path) -> None:
    dotnet_file.chmod(0o444)
    try:
        window = open_window(qtbot, dotnet_file, tmp_path)
        select_session(qtbot, window, SESSION_ID)
        assert window.read_only_label.text() == "Read-only"
        assert not window.rename_action.isEnabled() and not window.delete_action.isEnabled()
        assert window.rename_action.toolTip() == "The file is read-only."
    finally:
        dotnet_file.chmod(0o644)


def test_bad_file_is_refused_with_a_message_and_the_open_file_stays(window, tmp_path,
                                                                     no_modal_dialogs) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("just some notes")
    assert not window.open_file(bad, create=False)
    [(title, text)] = no_modal_dialogs  # what happened, then what to do
    assert title == "Cannot open the database"
    assert text.startswith(f"{bad} is not an SQLite database.\n\n") and "File ▸ Open" in text
    assert window.store is not None and window.store.path.name == "orchestrator.db"
    assert bad.read_text() == "just some notes"


def test_layout_and_last_file_are_remembered(qtbot, dotnet_file, tmp_path) -> None:
    first = open_window(qtbot, dotnet_file, tmp_path)
    first.resize(760, 540)  # inside the offscreen screen, so restoring is not clamped
    qtbot.waitUntil(lambda: first.width() == 760)
    first.splitter.setSizes([200, 300, 250])
    sizes = first.splitter.sizes()
    first.close()
    settings = settings_in(tmp_path)
    assert settings.value("lastFile") == str(dotnet_file)
    assert settings.value("recentFiles") in ([str(dotnet_file)], str(dotnet_file))
    second = MainWindow(settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.open_file(dotnet_file, create=False)  # the start screen gives way to the views
    qtbot.waitUntil(lambda: second.splitter.isVisible())
    assert second.splitter.sizes() == sizes
    assert second.size() == first.size()


def test_hostile_content_renders_as_text_and_huge_messages_are_shortened(
        qtbot, store, tmp_path) -> None:
    session = store.sessions.create("Hostile")
    big = "x" * (5 * 1024 * 1024)
    html = store.sessions.add_message(session.id, "<img src='http://example.com/a.png'>"
                                      "<script>alert(1)</script> **bold**", MessageRole.User)
    huge = store.sessions.add_message(session.id, big, MessageRole.Assistant)
    from PySide6.QtWidgets import QApplication

    palette = QApplication.palette()
    doc = build_document(html, palette, frozenset())
    assert "<script>alert(1)</script>" in doc.toPlainText()
    assert "<img src='http://example.com/a.png'>" in doc.toPlainText()
    long_doc = build_document(huge, palette, frozenset())
    assert len(long_doc.toPlainText()) < DISPLAY_LIMIT + 500
    assert "Shortened: showing 20,000 of 5,242,880 characters" in long_doc.toPlainText()
    window = open_window(qtbot, store.path, tmp_path)
    select_session(qtbot, window, session.id)
    window.thread.delegate.open_full_message.emit(huge.id)
    dialog = window.thread._full_dialog
    text = dialog.findChild(QPlainTextEdit)
    assert text.toPlainText().replace("\n", "") == big  # long lines broken for display only
    dialog.close()


def test_thread_view_renders_tool_calls_and_toggles_them(window, qtbot) -> None:
    select_session(qtbot, window, SESSION_ID)
    model = window.thread_model
    row = model.row_of(MESSAGE_IDS[2])
    index = model.index(row)
    message = index.data(MESSAGE_ROLE)
    from PySide6.QtWidgets import QApplication

    collapsed = build_document(message, QApplication.palette(), frozenset())
    assert "▸ Tool read_file — ok — 1.2 s" in collapsed.toPlainText()
    assert "def tokenize" not in collapsed.toPlainText()
    model.toggle_tool_call(row, "tool-1")
    expanded = build_document(message, QApplication.palette(),
                              index.data(Qt.ItemDataRole.UserRole + 11))
    assert "def tokenize" in expanded.toPlainText() and "▾ Tool read_file" in \
        expanded.toPlainText()
    window.thread.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
    window.grab()  # paints every visible delegate without error


def test_search_says_how_many_match_and_loads_more_as_the_person_scrolls(qtbot, dotnet_file,
                                                                        tmp_path) -> None:
    add_messages(dotnet_file, SESSION_ID, 1_226, text="a lantern in the fog {n}")
    window = open_window(qtbot, dotnet_file, tmp_path)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=15000)
    window.find_action.trigger()
    qtbot.keyClicks(window.search.query, "lantern")
    panel = window.search
    qtbot.waitUntil(lambda: panel.model.rowCount() == 50, timeout=5000)
    # the hits come first, then their count and their places in their threads
    qtbot.waitUntil(lambda: panel.status.text() == (
        "1,226 matches, best first; showing 50, scroll down for more."), timeout=5000)
    assert all(panel.model.hit(row).position for row in range(50))
    panel.results.setFocus()
    for _ in range(60):  # the person keeps pressing End in the results
        if panel.model.rowCount() == 1_226:
            break
        count = panel.model.rowCount()
        qtbot.keyClick(panel.results, Qt.Key.Key_End)
        qtbot.waitUntil(lambda count=count: panel.model.rowCount() > count, timeout=5000)
    assert panel.model.rowCount() == 1_226
    ids = {panel.model.hit(row).message_id for row in range(1_226)}
    assert len(ids) == 1_226
    assert panel.status.text() == "1,226 matches, best first."


def test_escape_clears_the_session_filter_and_dates_read_the_same_in_any_locale(window,
                                                                              qtbot) -> None:
    from PySide6.QtCore import QLocale

    field = window.filter_bar.text
    field.setFocus()
    qtbot.keyClicks(field, "parser")
    qtbot.waitUntil(lambda: window.sessions.rowCount() == 1, timeout=5000)
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert field.text() == ""
    qtbot.waitUntil(lambda: window.sessions.rowCount() == 2, timeout=5000)
    QLocale.setDefault(QLocale.c())
    try:
        window.search.since.setDate(QDate(2026, 11, 1))
        assert window.search.since.text() == "2026-11-01"
    finally:
        QLocale.setDefault(QLocale.system())


def test_counts_say_one_thing_in_the_singular(window, qtbot) -> None:
    from orchestrator_desktop.gui.style import count_of

    assert count_of(1, "agent") == "1 agent" and count_of(2, "agent") == "2 agents"
    assert count_of(1_234, "tool call") == "1,234 tool calls"
    qtbot.waitUntil(lambda: window.counts_label.text() != "", timeout=5000)
    assert window.counts_label.text() == "2 sessions · 5 messages · 2 agents"


def test_at_1000_by_650_the_filter_reads_and_bubbles_stay_inside_the_thread(qtbot, dotnet_file,
                                                                           tmp_path) -> None:
    add_messages(dotnet_file, SESSION_ID, 60, first_sequence=6,
                 text="a long line of words that wraps in a narrow pane " * 6 + "{n}")
    window = open_window(qtbot, dotnet_file, tmp_path)
    window.resize(1000, 650)
    select_session(qtbot, window, SESSION_ID)
    assert window.filter_bar.text.width() >= 150  # "gnal" was all that showed
    window.last_action.trigger()
    view = window.thread.list
    qtbot.waitUntil(lambda: view.verticalScrollBar().isVisible(), timeout=5000)
    qtbot.wait(300)
    assert not view.horizontalScrollBar().isVisible()
    delegate, width = window.thread.delegate, view.viewport().width()
    shown = [row for row in range(window.thread_model.rowCount())
             if view.visualRect(window.thread_model.index(row)).intersects(view.viewport().rect())]
    assert shown
    for row in shown:
        index = window.thread_model.index(row)
        rect = view.visualRect(index)
        assert rect.right() < width  # not under the scroll bar
        doc = delegate._document(index, delegate.row_width(_option(view)), view.palette())
        assert doc.size().height() + 8 <= rect.height() + 1, row  # the text fits its bubble
    # the header wraps between its parts only ("13 d 21 / h" was cut inside one)
    parts = window.thread.totals.text().split("  ·  ")
    assert len(parts) == 5 and all(" " not in part for part in parts)


def _option(view):
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    return option


def _contrast(a, b) -> float:
    def luminance(colour) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                + 0.0722 * channel(colour.blueF()))
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("dark", [False, True])
def test_tool_call_lines_are_readable_on_their_bubble(window, qtbot, dark) -> None:
    """WCAG's 4.5:1 for the "▸ Tool … — ok/failed" lines, in both palettes."""
    from orchestrator_desktop.gui.style import role_tint
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette(QColor("#202124")) if dark else QPalette(QColor("#f0f0f0"))
    if dark:
        palette.setColor(QPalette.ColorRole.Base, QColor("#171717"))
    select_session(qtbot, window, SESSION_ID)
    index = window.thread_model.index(window.thread_model.row_of(MESSAGE_IDS[2]))
    message = index.data(MESSAGE_ROLE)
    doc = build_document(message, palette, frozenset())
    colours = []
    block = doc.begin()
    while block.isValid():
        if block.text().startswith("▸ Tool"):
            colours.append(block.begin().fragment().charFormat().foreground().color())
        block = block.next()
    assert len(colours) == 2  # one call that worked, one that failed
    for colour in colours:
        assert _contrast(colour, role_tint(message.role, palette)) >= 4.5


def test_dialogs_are_wide_enough_for_their_titles(qtbot, monkeypatch) -> None:
    """Take Snapshot, Rename and Unsaved Changes were so narrow their titles were cut."""
    from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QMessageBox

    monkeypatch.undo()  # the real dialog functions, not the guard that fails on them
    seen = []

    def shown(self, *_args):
        self.show()
        QApplication.processEvents()
        seen.append((self.windowTitle(), self.width(),
                     self.fontMetrics().horizontalAdvance(self.windowTitle())))
        self.hide()
        return 0

    for cls in (QDialog, QInputDialog, QMessageBox):
        monkeypatch.setattr(cls, "exec", shown)
    dialogs.ask_text(None, "Rename Session — OrchestratorChat Desktop", "New name:", "x")
    dialogs.ask_name_and_description(None, "Take Snapshot — OrchestratorChat Desktop")
    dialogs.ask_save_changes(None, "Unsaved Changes — OrchestratorChat Desktop", "Save?")
    assert len(seen) == 3
    for title, width, needed in seen:
        assert width >= needed + 160, title  # the title bar's buttons take the rest


def test_a_running_session_is_active_for_its_work_not_until_now(qtbot, dotnet_file,
                                                                tmp_path) -> None:
    con = sqlite3.connect(dotnet_file)
    con.execute('INSERT INTO "Sessions" VALUES (?,?,?,?,?,?,?,?,?,?,?)', (
        "running-session", "An hour of work, long ago", 0, 0, "/w", "proj-9",
        "2023-05-01 10:00:00", "2023-05-01 11:00:00", None, "{}", ""))
    con.execute('INSERT INTO "Messages" VALUES (?,?,?,?,?,?,?,?,?,?)', (
        "running-m1", "running-session", "started", 0, None, None, "2023-05-01 10:00:00", 1,
        None, None))
    con.commit()
    con.close()
    window = open_window(qtbot, dotnet_file, tmp_path)
    select_session(qtbot, window, "running-session")
    qtbot.waitUntil(lambda: "active" in window.thread.totals.text(), timeout=5000)
    assert window.thread.totals.text().endswith("active\u00a01\u00a0h\u00a00\u00a0min")
    qtbot.waitUntil(lambda: window.details.stat_labels["duration"].text() == "Active for:",
                    timeout=5000)
    assert window.details.stats["duration"].text() == "1 h 0 min"
    stats = window.store.sessions.statistics(SESSION_ID)  # completed: its whole length
    assert not stats.ongoing and stats.duration_label == "Duration"


def test_the_details_panel_fits_its_pane_and_keeps_the_whole_id(window, qtbot) -> None:
    window.resize(1000, 650)
    select_session(qtbot, window, SESSION_ID)
    panel = window.details
    qtbot.waitUntil(lambda: panel.fields["id"].text() == SESSION_ID, timeout=5000)
    qtbot.wait(100)
    assert panel.widget().width() <= panel.viewport().width()  # nothing cut at the right
    id_field = panel.fields["id"]
    assert id_field.isReadOnly() and id_field.cursorPosition() == 0
    id_field.selectAll()
    assert id_field.selectedText() == SESSION_ID  # read and copied whole
