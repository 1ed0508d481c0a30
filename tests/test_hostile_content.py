"""Hostile content in a .NET-shaped file: everything renders as text, nothing raises.

The file (tests/hostile_files.py) holds a 5 MB message, a 100,000-line code block, HTML and
script, right-to-left text with emoji and odd code points, invalid JSON in every JSON column,
unknown values in every enum column, NULL in every nullable column, rows whose agent, parent,
session or plan is gone, a session with no messages and .NET's extreme DateTime and TimeSpan
values. The tests open it in the real window and check what a person sees.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from dotnet_files import query
from gui_helpers import open_window, select_session
from hostile_files import (
    BAD_JSON,
    BIG_ID,
    BIG_SIZE,
    BIG_WORD,
    CODE_ID,
    CODE_LINES,
    CODE_WORD,
    EMPTY_ID,
    GONE_AGENT,
    GONE_PARENT,
    HOSTILE_AGENT,
    HOSTILE_ID,
    HTML_ID,
    HTML_TEXT,
    HUGE_TOKENS_ID,
    IMG,
    JS_LINK,
    NUL_ID,
    NULL_MSG_ID,
    NULLS_ID,
    RTL_ID,
    RTL_TEXT,
    SCRIPT,
    UNKNOWN_ID,
    big_message,
    json_columns,
    make_hostile_database,
    nullable_columns,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.schema import COLUMNS
from orchestrator_desktop.data.sessions import MAX_MESSAGE_TOKENS
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.main_window import MainWindow
from orchestrator_desktop.gui.search.search_panel import HIT_ROLE, hit_title
from orchestrator_desktop.gui.sessions.details_panel import SHOWN_LIMIT
from orchestrator_desktop.gui.style import isolate
from orchestrator_desktop.gui.thread.message_render import DISPLAY_LIMIT, LONG_LINE, build_document
from orchestrator_desktop.gui.thread.thread_view import EXPANDED_ROLE, MESSAGE_ROLE
from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QTextFormat
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyleOptionViewItem,
)

ENUM_COLUMNS = {"Sessions": ("Type", "Status"), "Messages": ("Role",), "Agents": ("Type",),
                "OrchestrationPlans": ("Strategy",), "OrchestrationSteps": ("Status",)}
ENUM_SIZES = {("Sessions", "Type"): 3, ("Sessions", "Status"): 5, ("Messages", "Role"): 4,
              ("Agents", "Type"): 5, ("OrchestrationPlans", "Strategy"): 4,
              ("OrchestrationSteps", "Status"): 5}


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory) -> Path:
    """The hostile file, built and fully maintained (search index filled) once per module."""
    path = make_hostile_database(tmp_path_factory.mktemp("hostile") / "orchestrator.db")
    store = open_store(path)
    store.run_maintenance()
    store.close()
    return path


@pytest.fixture
def hostile_file(hostile_template, tmp_path) -> Path:
    """A fresh copy of the hostile file for one test."""
    target = tmp_path / "orchestrator.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(hostile_template) + suffix)
        if source.exists():
            shutil.copy(source, str(target) + suffix)
    return target


@pytest.fixture(autouse=True)
def dialogs_shown(monkeypatch):
    """Error dialogs are collected, never shown; a test that expects none checks the list."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(dialogs, "show_error",
                        lambda _p, title, text: shown.append((title, text)))
    monkeypatch.setattr(dialogs, "show_info", lambda _p, title, text: None)
    return shown


@pytest.fixture
def window(qtbot, hostile_file, tmp_path) -> MainWindow:
    window = open_window(qtbot, hostile_file, tmp_path)
    window.resize(1400, 900)
    return window


def _document_text(window: MainWindow, row: int) -> str:
    index = window.thread_model.index(row)
    return build_document(index.data(MESSAGE_ROLE), QApplication.palette(),
                          index.data(EXPANDED_ROLE) or frozenset()).toPlainText()


def _render_every_row(window: MainWindow) -> list[str]:
    """Ask the delegate for each row's size and paint it (visible or not); return the texts."""
    view, delegate, model = window.thread.list, window.thread.delegate, window.thread_model
    texts = []
    for row in range(model.rowCount()):
        index = model.index(row)
        option = QStyleOptionViewItem()
        option.initFrom(view.viewport())
        option.rect = view.visualRect(index)
        option.rect.setWidth(view.viewport().width())
        hint = delegate.sizeHint(option, index)
        assert hint.height() > 20 and hint.width() > 0
        option.rect.setHeight(min(hint.height(), 4000))
        image = QImage(QSize(option.rect.width(), option.rect.height()),
                       QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        option.rect.moveTo(0, 0)
        delegate.paint(painter, option, index)
        painter.end()
        assert index.data(Qt.ItemDataRole.ToolTipRole)
        assert index.data(Qt.ItemDataRole.AccessibleTextRole)
        texts.append(_document_text(window, row))
    return texts


# -- the file really holds what it claims --------------------------------------------------------


def test_the_file_holds_every_kind_of_hostile_value(hostile_file) -> None:
    nullable = nullable_columns()
    assert nullable["Messages"] == ("SessionId", "Content", "AgentId", "ParentMessageId",
                                    "MetadataJson", "TokenUsageJson")
    for table, columns in nullable.items():
        for column in columns:
            assert query(hostile_file, f'SELECT count(*) FROM "{table}" '
                                       f'WHERE "{column}" IS NULL')[0][0], (table, column)
    for table, columns in json_columns().items():
        for column in columns:
            bad = query(hostile_file, f'SELECT count(*) FROM "{table}" WHERE "{column}" '
                                      f'IS NOT NULL AND NOT json_valid("{column}")')[0][0]
            assert bad, f"{table}.{column} has no invalid JSON"
    assert sum(len(c) for c in json_columns().values()) == 15
    for table, columns in ENUM_COLUMNS.items():
        for column in columns:
            size = ENUM_SIZES[(table, column)]
            unknown = {v for (v,) in query(hostile_file, f'SELECT "{column}" FROM "{table}" '
                                                         f'WHERE "{column}" NOT BETWEEN 0 AND ?',
                                           size - 1)}
            assert unknown & {99, -1}, (table, column)
    # rows whose agent, parent, session or plan is gone
    assert query(hostile_file, 'SELECT count(*) FROM "Messages" WHERE "AgentId" = ?',
                 GONE_AGENT)[0][0]
    assert query(hostile_file, 'SELECT count(*) FROM "Messages" WHERE "ParentMessageId" = ?',
                 GONE_PARENT)[0][0]
    con = sqlite3.connect(hostile_file)
    dangling = {row[0] for row in con.execute("PRAGMA foreign_key_check")}
    con.close()
    assert {"Messages", "SessionAgents", "OrchestrationSteps", "AgentConfigurations",
            "Attachments", "ToolCalls"} <= dangling
    assert query(hostile_file, 'SELECT length("Content") FROM "Messages" WHERE "Id" = ?',
                 BIG_ID)[0][0] == BIG_SIZE
    assert query(hostile_file, 'SELECT count(*) FROM "Messages" WHERE "SessionId" = ?',
                 EMPTY_ID)[0][0] == 0


# -- the data layer ------------------------------------------------------------------------------


def test_every_repository_read_survives_and_keeps_the_stored_text(hostile_file) -> None:
    store = open_store(hostile_file)
    try:
        for session_id in (HOSTILE_ID, EMPTY_ID, NULLS_ID):
            thread = store.sessions.with_messages(session_id)
            store.sessions.messages_page(session_id, last=True)
            store.sessions.members(session_id)
            store.plans.for_session(session_id)
            store.snapshots.listing(session_id)
            assert store.sessions.statistics(session_id).session_id == session_id
            assert thread.session.id == session_id
        thread = store.sessions.with_messages(HOSTILE_ID)
        session = thread.session
        assert (session.type.label, session.status.label) == ("Unknown (99)", "Unknown (-1)")
        assert not session.context.is_valid and session.context.pretty().startswith(BAD_JSON[0])
        assert session.created_at.year == 1 and session.last_activity_at.year == 9999
        by_id = {m.id: m for m in thread.page.messages}
        assert by_id[BIG_ID].content == big_message()
        assert by_id[UNKNOWN_ID].role.label == "Unknown (99)"
        assert by_id[UNKNOWN_ID].agent_id == GONE_AGENT and by_id[UNKNOWN_ID].agent_name is None
        assert by_id[UNKNOWN_ID].parent_message_id == GONE_PARENT
        assert by_id[UNKNOWN_ID].token_usage is None
        assert not by_id[UNKNOWN_ID].metadata.is_valid  # NaN is not JSON
        assert by_id[NULL_MSG_ID].content is None and by_id[NULL_MSG_ID].role.label == \
            "Unknown (-1)"
        assert by_id[HUGE_TOKENS_ID].token_usage.input_tokens == 0  # 1e400 is not a count
        assert by_id[NUL_ID].content.startswith("before\x00after")
        calls = {c.id: c for c in by_id[HTML_ID].tool_calls}
        assert calls["bad-call-1"].execution_time.days == 10675199  # TimeSpan.MaxValue
        assert calls["bad-call-2"].execution_time.days == -10675200  # TimeSpan.MinValue
        stats = store.sessions.statistics(HOSTILE_ID)
        # two messages claim 2^63-1 tokens each: clamped per message, so the sum cannot overflow
        assert stats.total_tokens == 2 * MAX_MESSAGE_TOKENS
        assert store.agents.usage_statistics(HOSTILE_AGENT).total_tokens == 2 * MAX_MESSAGE_TOKENS
        agents = {a.id: a for a in store.agents.all_with_configuration()}
        hostile = agents[HOSTILE_AGENT]
        assert hostile.type.label == "Unknown (99)"
        config = hostile.configuration
        for value in (config.custom_settings, config.enabled_tools, config.capabilities):
            assert not value.is_valid and value.pretty() in BAD_JSON
        assert agents["null-agent"].name is None
        plan = next(p for p in store.plans.for_session(HOSTILE_ID))
        assert plan.strategy.label == "Unknown (99)" and not plan.result.is_valid
        assert [(s.order, s.status.label) for s in plan.steps] == [
            (-5, "Unknown (-1)"), (0, "Completed"), (2**31, "Unknown (99)")]
        assert plan.steps[0].depends_on == ["1", "bad-step-0"]  # null and {"a": 2} left out
        assert plan.steps[1].depends_on == []  # "x" is JSON, but not a list
        assert plan.steps[1].duration is None  # "not a timespan"
        listing = {x.snapshot.id: x for x in store.snapshots.listing()}
        assert listing["bad-snapshot-1"].snapshot.format == ""
        assert listing["orphan-SessionSnapshots"].session_exists is False
        summaries = store.sessions.summaries(with_last_message=True).items
        assert {s.session.id for s in summaries} >= {HOSTILE_ID, EMPTY_ID, NULLS_ID}
        assert store.sessions.recent(10)
    finally:
        store.close()


def test_search_finds_words_in_every_hostile_message_quickly(hostile_file) -> None:
    store = open_store(hostile_file)
    try:
        for word, message_id in ((BIG_WORD, BIG_ID), (CODE_WORD, CODE_ID),
                                 ("htmlword", HTML_ID), ("rtlword", RTL_ID),
                                 ("unknownword", UNKNOWN_ID), ("nulword", NUL_ID)):
            hits = store.search.search(word).hits
            assert [h.message_id for h in hits] == [message_id], word
            hit = hits[0]
            assert len(hit.snippet) <= 402
            start, end = hit.highlights[0]
            assert hit.snippet[start:end].lower() == word
        # a word repeated 190,000 times in the 5 MB message: FTS5's snippet() would take
        # minutes there (its cost is the square of the matches); the excerpt is marked instead
        hit = store.search.search("lorem").hits[0]
        assert hit.message_id == BIG_ID and hit.snippet.startswith(BIG_WORD + " lorem")
        assert hit.highlights[0] == (len(BIG_WORD) + 1, len(BIG_WORD) + 6)
        assert store.search.search("مرحبا").hits
        assert store.search.search("script").hits
    finally:
        store.close()


# -- the window ----------------------------------------------------------------------------------


def test_hostile_session_in_the_list_shows_unknown_labels_and_text(window, qtbot,
                                                                  dialogs_shown) -> None:
    model = window.sessions
    qtbot.waitUntil(lambda: model.row_of(HOSTILE_ID) >= 0 and model.row_of(NULLS_ID) >= 0)
    row = model.row_of(HOSTILE_ID)
    values = [model.index(row, c).data() for c in range(model.columnCount())]
    assert values[0].startswith("Hostile \u202etxt.exe\u202c <script>")
    assert values[1:4] == ["Unknown (-1)", "Unknown (99)", "<i>proj</i>"]
    assert values[5] == "8"
    assert model.index(row, 4).data(Qt.ItemDataRole.ToolTipRole).startswith("9999-12-31")
    # a tooltip that looks like HTML is escaped, so Qt shows the tags instead of obeying them
    assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in model.index(row, 0).data(
        Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;Evil&lt;/b&gt;" in model.index(row, 6).data(Qt.ItemDataRole.ToolTipRole)
    nulls = model.row_of(NULLS_ID)
    assert model.index(nulls, 0).data() == "Untitled session"
    assert model.index(nulls, 0).data(Qt.ItemDataRole.FontRole).italic()
    assert model.index(nulls, 1).data() == "Unknown (99)"
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.FontRole):
                model.index(r, c).data(role)
    window.table.viewport().grab()
    assert dialogs_shown == []


def test_hostile_thread_renders_every_row_as_text(window, qtbot, dialogs_shown) -> None:
    select_session(qtbot, window, HOSTILE_ID)
    model = window.thread_model
    qtbot.waitUntil(lambda: model.rowCount() == 8)
    texts = dict(zip([model.message(r).id for r in range(8)], _render_every_row(window),
                     strict=True))
    big = texts[BIG_ID]
    assert f"Shortened: showing {DISPLAY_LIMIT:,} of {BIG_SIZE:,} characters." in big
    assert "Show the whole message" in big and len(big) < DISPLAY_LIMIT + 1000
    code = texts[CODE_ID]
    assert f"def {CODE_WORD}(): return 1" in code and "Shortened: showing" in code
    code_doc = build_document(model.message(model.row_of(CODE_ID)), QApplication.palette(),
                              frozenset())
    note = code_doc.lastBlock()
    assert note.text().startswith("Shortened: showing 20,000 of")
    # the note is a plain paragraph, not a line of the code block before it
    assert not note.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence)
    assert not note.blockFormat().nonBreakableLines()
    assert note.previous().blockFormat().nonBreakableLines() or \
        note.previous().blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence)
    html = texts[HTML_ID]
    for literal in (SCRIPT, IMG, "<b>not bold</b>", "<iframe src='http://evil'></iframe>",
                    '<a href="javascript:alert(2)">anchor</a>'):
        assert literal in html, literal
    assert "click me" in html  # the Markdown link text shows; its javascript: target is inert
    assert f"Attachment: {SCRIPT}.png" in html
    assert "Tool <script>alert('xss')</script> — ok" in html
    assert "Tool (unnamed) — failed" in html
    assert RTL_TEXT in texts[RTL_ID]
    # the agent that is gone shows by its id; names are isolated for the bidi algorithm
    assert texts[UNKNOWN_ID].startswith(f"Unknown (99)  ·  {isolate(GONE_AGENT)}  ·  9999-12-31")
    assert "token usage unreadable" in texts[UNKNOWN_ID]
    assert texts[NULL_MSG_ID].splitlines()[1] == "(no content)"
    assert "9,223,372,036,854,775,807 tokens" in texts[NUL_ID]
    assert texts[RTL_ID].split("  ·  ")[2].startswith("0001-01-01")
    window.thread.list.viewport().grab()
    assert dialogs_shown == []


def test_links_in_hostile_messages_do_nothing_unsafe(window, qtbot, monkeypatch) -> None:
    """A javascript: link from a message is kept only behind `link:`, which never opens
    anything but a web address, and then only when the person agrees
    (tests/test_link_safety.py clicks every kind)."""
    select_session(qtbot, window, HOSTILE_ID)
    index = window.thread_model.index(window.thread_model.row_of(HTML_ID))
    doc = build_document(index.data(MESSAGE_ROLE), QApplication.palette(), frozenset())
    hrefs = set()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                hrefs.add(fmt.anchorHref())
            it += 1
        block = block.next()
    assert "link:javascript:alert(document.cookie)" in hrefs  # Markdown's anchor, disarmed
    assert not {h for h in hrefs if h.startswith(("javascript:", "open:", "file:"))}
    asked = []
    monkeypatch.setattr(dialogs, "ask_link_action",
                        lambda _p, title, _t, action, _c: asked.append((title, action)) or "open")
    assert window.thread.delegate.follow("link:javascript:alert(document.cookie)", index)
    assert asked == [("Link Not Opened", None)]
    assert JS_LINK not in doc.toPlainText()


def test_tool_calls_expand_to_raw_invalid_json_and_shortened_output(window, qtbot) -> None:
    select_session(qtbot, window, HOSTILE_ID)
    model = window.thread_model
    row = model.row_of(HTML_ID)
    model.toggle_tool_call(row, "bad-call-1")
    model.toggle_tool_call(row, "bad-call-2")
    text = _document_text(window, row)
    assert f"Parameters (not valid JSON, shown as stored):\n{BAD_JSON[4]}\n" in text
    # the flag stays readable even when the raw text is too long to show whole
    assert "Parameters (not valid JSON, shown as stored):\n[[[" in text
    assert "Shortened: showing 20,000 of 1,000,000 characters." in text
    assert "[" * 100 in text  # 100,000 unclosed brackets: shown raw, shortened
    assert HTML_TEXT in text  # the Error column
    _render_every_row(window)


def test_scrolling_the_hostile_thread_to_the_end_and_back(window, qtbot) -> None:
    select_session(qtbot, window, HOSTILE_ID)
    view = window.thread.list
    bar = view.verticalScrollBar()
    window.thread.jump_to_end()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    view.viewport().grab()
    last = view.indexAt(QPoint(10, view.viewport().height() - 5))
    assert last.isValid()
    window.thread.jump_to_start()
    qtbot.waitUntil(lambda: bar.value() == 0)
    first = view.indexAt(QPoint(10, 10))
    # the thread reads in time order: the year-1 message comes first
    assert window.thread_model.message(first.row()).id == RTL_ID
    for value in range(0, bar.maximum() + 1, max(bar.pageStep(), 1)):
        bar.setValue(value)
        view.viewport().grab()


def test_details_panel_shows_raw_json_unknown_labels_and_plans(window, qtbot,
                                                              dialogs_shown) -> None:
    select_session(qtbot, window, HOSTILE_ID)
    details = window.details
    qtbot.waitUntil(lambda: details.fields["id"].text() == HOSTILE_ID)
    assert details.fields["status"].text() == "Unknown (-1)"
    assert details.fields["type"].text() == "Unknown (99)"
    assert details.fields["name"].text().startswith("Hostile")
    # labels show text from the file as typed: a tag is not read as HTML
    for label in details.fields.values():  # (the id is a read-only field: plain by nature)
        assert not hasattr(label, "textFormat") or label.textFormat() == Qt.TextFormat.PlainText
    assert SCRIPT in details.fields["name"].text()
    assert details.fields["project"].text() == "<i>proj</i>"
    assert "&lt;script&gt;" in details.fields["name"].toolTip()
    directory = details.fields["directory"]
    assert len(directory.text()) <= SHOWN_LIMIT + 3 and " … " in directory.text()
    assert directory.text().startswith("/tmp/deep/")
    assert details.fields["created"].text().startswith("0001-01-01")
    assert details.context_flag.text() == (
        "⚠ Not valid JSON: shown as stored. Shortened: showing 50,000 of "
        f"{len(BAD_JSON[0]) + 200_000:,} characters")
    assert not details.context_flag.isHidden()
    assert details.context.toPlainText().startswith(BAD_JSON[0])
    assert details.metadata.toPlainText() == BAD_JSON[1]
    assert details.stats["tokens"].text() == f"{2 * MAX_MESSAGE_TOKENS:,}"
    members = [details.members.topLevelItem(i).text(0)
               for i in range(details.members.topLevelItemCount())]
    assert GONE_AGENT in members  # an agent that is gone shows by its id
    plans = details.plans
    assert plans.isVisibleTo(details) and plans.topLevelItemCount() == 1
    plan = plans.topLevelItem(0)
    assert plan.text(2).endswith("(Unknown (99))") and SCRIPT in plan.text(2)
    steps = [[plan.child(i).text(c) for c in range(6)] for i in range(plan.childCount())]
    assert [s[0] for s in steps] == ["-5", "0", "2147483648"]
    assert [s[3] for s in steps] == ["Unknown (-1)", "Completed", "Unknown (99)"]
    assert steps[0][5] == "1, bad-step-0"
    assert steps[2][1] == GONE_AGENT
    # long values and notes wrap or are cut: the panel never grows wider than its viewport
    assert details.widget().minimumSizeHint().width() <= details.viewport().width()
    assert "Created 0001-01-01" in plan.toolTip(2) and "&lt;script&gt;" in plan.toolTip(2)
    details.grab()
    # the session whose every nullable column is NULL
    select_session(qtbot, window, NULLS_ID)
    qtbot.waitUntil(lambda: details.fields["id"].text() == NULLS_ID)
    assert details.fields["name"].text() == "Untitled session"
    assert details.fields["project"].text() == "—"
    assert details.context.toPlainText() == "" and details.context_flag.isHidden()
    assert details.plans.topLevelItem(0).text(2) == f"{isolate('(no goal)')} (Unknown (99))"
    assert dialogs_shown == []


def test_session_with_no_messages_says_so(window, qtbot) -> None:
    row = window.sessions.row_of(EMPTY_ID)
    window.table.setCurrentIndex(window.sessions.index(row, 0))
    qtbot.waitUntil(lambda: window.details.fields["id"].text() == EMPTY_ID)
    qtbot.waitUntil(lambda: window.thread.totals.text().startswith(
        "This session has no messages yet"))
    assert window.thread_model.rowCount() == 0
    window.thread.list.viewport().grab()


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati"])
def test_extreme_dotnet_dates_show_in_any_time_zone(window, qtbot, monkeypatch, zone) -> None:
    """DateTime.MinValue and MaxValue would leave year 1..9999 when moved to local time."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        select_session(qtbot, window, HOSTILE_ID)
        qtbot.waitUntil(lambda: window.details.fields["id"].text() == HOSTILE_ID)
        assert window.details.fields["created"].text().startswith("0001-01-01")
        assert window.details.fields["last"].text()[:4] in ("9999", "9999")
        row = window.sessions.row_of(HOSTILE_ID)
        assert window.sessions.index(row, 4).data()
        _render_every_row(window)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_searching_hostile_words_through_the_search_panel(window, qtbot, dialogs_shown) -> None:
    window.focus_search()
    panel = window.search
    for word, message_id in ((BIG_WORD, BIG_ID), (CODE_WORD, CODE_ID), ("htmlword", HTML_ID),
                             ("rtlword", RTL_ID), ("lorem", BIG_ID)):
        panel.query.setText(word)
        qtbot.waitUntil(lambda m=message_id: panel.model.rowCount() > 0 and
                        panel.model.hit(0).message_id == m, timeout=10_000)
        assert panel.status.text().endswith(("best first.", "for more.", "1 match."))
        index = panel.model.index(0)
        option = QStyleOptionViewItem()
        option.initFrom(panel.results.viewport())
        option.rect = panel.results.visualRect(index)
        delegate = panel.results.itemDelegate()
        assert delegate.sizeHint(option, index).height() > 0
        panel.results.viewport().grab()
        assert index.data(Qt.ItemDataRole.ToolTipRole)
    panel.query.setText(SCRIPT)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0
                    and panel.model.hit(0).message_id == HTML_ID, timeout=10_000)
    hit = panel.model.index(0).data(HIT_ROLE)
    assert "script" in hit.snippet.lower()
    assert hit_title(hit).startswith("\u2068Hostile \u202etxt.exe\u202c <script>")
    # choosing the hit opens its message in the thread, with the words marked
    panel.results.setCurrentIndex(panel.model.index(0))
    panel._choose(panel.model.index(0))
    qtbot.waitUntil(lambda: window.thread_model.row_of(hit.message_id) >= 0)
    window.thread.list.viewport().grab()
    panel.query.setText("zzzz-nothing-like-this")
    qtbot.waitUntil(lambda: panel.status.text() == "No messages match.")
    assert dialogs_shown == []


def test_whole_message_window_breaks_long_lines_and_copies_exactly(window, qtbot) -> None:
    select_session(qtbot, window, HOSTILE_ID)
    window.thread.delegate.open_full_message.emit(BIG_ID)
    dialog = window.thread._full_dialog
    text = dialog.findChild(QPlainTextEdit)
    shown = text.toPlainText()
    # one 5 MB line would take Qt seconds to lay out; it is shown in 2,000-character lines
    assert shown.replace("\n", "") == big_message()
    assert max(len(line) for line in shown.splitlines()) == LONG_LINE
    notes = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(note.startswith("Lines longer than 2,000 characters are broken") for note in notes)
    copy = next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Copy Whole Message")
    QApplication.clipboard().clear()
    copy.click()
    assert QApplication.clipboard().text() == big_message()
    dialog.close()
    window.thread.delegate.open_full_message.emit(CODE_ID)
    dialog = window.thread._full_dialog
    assert dialog.findChild(QPlainTextEdit).document().blockCount() == CODE_LINES + 2
    assert not any(label.text().startswith("Lines longer") for label in
                   dialog.findChildren(QLabel))
    dialog.close()


def test_copying_the_5_mb_message_copies_all_of_it(window, qtbot) -> None:
    select_session(qtbot, window, HOSTILE_ID)
    model = window.thread_model
    window.thread.list.setCurrentIndex(model.index(model.row_of(BIG_ID)))
    window.copy_action.trigger()
    assert QApplication.clipboard().text() == big_message()
    window.thread.list.setCurrentIndex(model.index(model.row_of(NUL_ID)))
    window.copy_action.trigger()
    assert QApplication.clipboard().text().startswith("before")


def test_snapshot_manager_lists_hostile_snapshots(window, qtbot, dialogs_shown) -> None:
    select_session(qtbot, window, HOSTILE_ID)
    window.manage_snapshots()
    manager = window.snapshot_manager
    qtbot.waitUntil(lambda: manager.model.rowCount() == 2)
    texts = []
    for row in range(manager.model.rowCount()):
        manager.table.selectRow(row)
        for column in range(manager.model.columnCount()):
            index = manager.model.index(row, column)
            index.data()
            index.data(Qt.ItemDataRole.ToolTipRole)
        texts.append(manager.details.text())
    assert any("&lt;script&gt;" in t for t in texts)  # escaped in the rich-text label
    manager.grab()
    manager.all_sessions.setChecked(True)
    qtbot.waitUntil(lambda: manager.model.rowCount() >= 5)
    for row in range(manager.model.rowCount()):
        manager.table.selectRow(row)
    manager.grab()
    # comparing a snapshot whose state is not JSON says so instead of calling the file damaged
    manager.this_session.setChecked(True)
    qtbot.waitUntil(lambda: manager.model.rowCount() == 2)
    manager.table.selectRow(manager.model.row_of("bad-snapshot-1"))
    manager.compare_snapshot()
    qtbot.waitUntil(lambda: bool(dialogs_shown))
    title, text = dialogs_shown.pop()
    assert title == "Cannot compare the snapshot" and "not valid JSON" in text
    manager.close()


# -- fuzzing the search box ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_window(hostile_template, tmp_path_factory):
    """One window on the hostile file for every example (windows are slow to make)."""
    from gui_helpers import settings_in

    folder = tmp_path_factory.mktemp("fuzz")
    target = folder / "orchestrator.db"
    shutil.copy(hostile_template, target)
    window = MainWindow(settings_in(folder))
    assert window.open_file(target, create=False)
    window.show()
    yield window
    window.close()
    window.deleteLater()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=60),
                      st.sampled_from(['"', '"unclosed', "*", "OR", "NOT lorem", "a OR",
                                       "NEAR(a b)", "col:x", "^x", "lorem*", "\x00", SCRIPT,
                                       RTL_TEXT, "((", "-", "AND AND", "\ud7ff\ue000"])))
def test_any_text_typed_into_search_gives_hits_or_a_clear_message(fuzz_window, qtbot,
                                                                  dialogs_shown, text) -> None:
    panel = fuzz_window.search
    qtbot.waitUntil(lambda: fuzz_window.store is not None
                    and fuzz_window.store.search.state()[0].value == "ready", timeout=10_000)
    panel.query.setText(text)
    panel.run_search()
    if not text.strip():
        assert panel.status.text() == "" and panel.model.rowCount() == 0
        return
    qtbot.waitUntil(lambda: panel.status.text() != "Searching…", timeout=10_000)
    status = panel.status.text()
    assert not status.startswith("Search failed"), status
    if panel.model.rowCount():
        assert status.endswith(("best first.", "for more.", "1 match."))
        panel.results.viewport().grab()
    else:
        assert status == "No messages match."
    assert dialogs_shown == []


def test_nothing_touches_the_file(hostile_file, qtbot, tmp_path) -> None:
    """Browsing the hostile file writes nothing to the .NET tables."""
    before = {t: query(hostile_file, f'SELECT * FROM "{t}" ORDER BY 1') for t in COLUMNS}
    window = open_window(qtbot, hostile_file, tmp_path)
    select_session(qtbot, window, HOSTILE_ID)
    _render_every_row(window)
    window.close()
    after = {t: query(hostile_file, f'SELECT * FROM "{t}" ORDER BY 1') for t in COLUMNS}
    assert before == after
    assert QModelIndex().isValid() is False
