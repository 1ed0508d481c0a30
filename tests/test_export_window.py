"""Session ▸ Export… driven with qtbot on real files; the window's code colouring."""

from __future__ import annotations

import json

import pytest
from dotnet_files import SESSION_ID, add_messages, make_dotnet_database
from gui_helpers import open_window, select_session
from orchestrator_desktop.data.encoding import JsonText
from orchestrator_desktop.data.enums import MessageRole
from orchestrator_desktop.data.records import MessageRecord
from orchestrator_desktop.export import highlight
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.exporting.export_dialog import ExportChoice, ExportDialog
from orchestrator_desktop.gui.thread.message_render import build_document
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QDialogButtonBox


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, text: shown.append((title, text)))
    yield shown


@pytest.fixture
def window(qtbot, tmp_path):
    db = make_dotnet_database(tmp_path / "orchestrator.db")
    window = open_window(qtbot, db, tmp_path)
    select_session(qtbot, window, SESSION_ID)
    return window


def choose(monkeypatch, choice: ExportChoice, asked: list | None = None) -> None:
    def answer(_parent, name, selected, suggested, dark, fmt):
        if asked is not None:
            asked.append((name, selected, suggested, dark, fmt))
        return choice

    monkeypatch.setattr(dialogs, "ask_export_options", answer)


def test_session_export_writes_the_chosen_form(window, qtbot, monkeypatch, tmp_path,
                                               no_modal_dialogs) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Session")
    assert window.export_action in menu.actions()
    assert window.export_action.shortcut() == QKeySequence("Ctrl+E")
    assert window.export_action.isEnabled()
    target = tmp_path / "parser.html"
    asked: list = []
    choose(monkeypatch, ExportChoice(str(target), "html", False, True, False), asked)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: target.exists(), timeout=10000)
    qtbot.waitUntil(lambda: "Exported 5 messages" in window.statusBar().currentMessage(),
                    timeout=5000)
    assert asked[0][0] == "Refactor the parser" and asked[0][2].endswith(".md")
    page = target.read_text(encoding="utf-8")
    assert "Refactor the parser" in page and page.count('<article class="msg"') == 5
    assert no_modal_dialogs == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_exporting_the_selected_messages(window, qtbot, monkeypatch, tmp_path) -> None:
    selection = window.thread.list.selectionModel()
    selection.clearSelection()
    for row in (1, 3):
        selection.select(window.thread_model.index(row),
                         QItemSelectionModel.SelectionFlag.Select)
    target = tmp_path / "two.json"
    asked: list = []
    choose(monkeypatch, ExportChoice(str(target), "json", True, False, False), asked)
    window.export_action.trigger()
    qtbot.waitUntil(lambda: target.exists(), timeout=10000)
    assert asked[0][1] == 2
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [m["sequence_number"] for m in data["messages"]] == [2, 4]
    assert data["options"] == {"selected_messages": True, "tool_output": False}


def test_cancelling_an_export_of_a_large_session_leaves_no_file(qtbot, monkeypatch,
                                                                tmp_path) -> None:
    db = make_dotnet_database(tmp_path / "orchestrator.db")
    add_messages(db, SESSION_ID, 20_000, first_sequence=6)
    window = open_window(qtbot, db, tmp_path)
    select_session(qtbot, window, SESSION_ID)
    out = tmp_path / "exports"
    out.mkdir()
    choose(monkeypatch, ExportChoice(str(out / "big.pdf"), "pdf", False, True, False))
    window.export_action.trigger()
    dialog = window.task_progress
    qtbot.waitUntil(lambda: dialog.bar.value() > 0, timeout=20000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=20000)
    assert list(out.iterdir()) == []


def test_the_export_dialog(qtbot, tmp_path) -> None:
    dialog = ExportDialog(None, "Refactor the parser", 3, str(tmp_path / "parser.md"), False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.selected.isChecked() and dialog.selected.isEnabled()
    assert not dialog.theme.isEnabled()  # colours only matter for HTML and PDF
    dialog.format.setCurrentIndex(3)
    assert dialog.path.text().endswith("parser.pdf") and dialog.theme.isEnabled()
    dialog.path.clear()
    assert not dialog.ok.isEnabled()
    dialog.path.setText(str(tmp_path / "x.pdf"))
    dialog.tool_output.setChecked(False)
    assert dialog.choice() == ExportChoice(str(tmp_path / "x.pdf"), "pdf", True, False, False)
    none = ExportDialog(None, "Empty", 0, "", True)
    qtbot.addWidget(none)
    assert not none.selected.isEnabled() and none.whole.isChecked()
    assert none.theme.currentData() is True
    assert isinstance(none.buttons, QDialogButtonBox)


def _message(content: str) -> MessageRecord:
    return MessageRecord("m1", "s1", content, MessageRole.Assistant, None, None, None, 1,
                         JsonText(None), JsonText(None))


def _colours(doc) -> set[str]:
    found = set()
    block = doc.begin()
    while block.isValid():
        for rng in block.layout().formats():
            found.add(rng.format.foreground().color().name())
        block = block.next()
    return found


@pytest.mark.parametrize("dark", [False, True])
def test_the_window_colours_code_as_the_exports_do(qapp, dark) -> None:
    palette = QPalette(qapp.palette())
    if dark:
        palette.setColor(QPalette.ColorRole.Window, QColor("#202124"))
        palette.setColor(QPalette.ColorRole.Base, QColor("#202124"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
        palette.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    code = "def f(x):\n    return 'text 🎉'  # comment\n"
    doc = build_document(_message(f"Some prose.\n\n```python\n{code}```\n"), palette,
                         frozenset())
    expected = {look.colour.lower() for _s, _n, look in highlight.highlight(code, "python", dark)
                if look.colour}
    assert expected and expected <= {c.lower() for c in _colours(doc)}
    plain = build_document(_message("```\njust some words here\n```"), palette, frozenset())
    assert not expected & _colours(plain)  # no language, not sure: left plain


def test_the_window_colours_the_right_characters_after_an_emoji(qapp) -> None:
    doc = build_document(_message("```python\nx = '🎉🎉' # done\n```"), qapp.palette(),
                         frozenset())
    block = doc.begin()
    while block.isValid() and "done" not in block.text():
        block = block.next()
    comment = highlight.highlight("x = '🎉🎉' # done", "python", False)[-1][2]
    ranges = [r for r in block.layout().formats()
              if r.format.foreground().color().name().lower() == comment.colour.lower()]
    text = block.text()  # Qt positions count UTF-16 units: each emoji is two
    utf16_start = len(text[:text.index("#")].encode("utf-16-le")) // 2
    assert utf16_start == text.index("#") + 2
    assert [(r.start, r.length) for r in ranges] == [(utf16_start, len("# done"))]
