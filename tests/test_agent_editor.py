"""The agent editor window, driven like a person would, with what lands in the file checked by
a separate sqlite3 connection. Prompts are answered by replacing the `dialogs` helpers."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dotnet_files import AGENT_ID, make_dotnet_database, query_one
from gui_helpers import menu_titled, open_window
from orchestrator_desktop.data import connection
from orchestrator_desktop.data.enums import AgentType
from orchestrator_desktop.gui import dialogs
from orchestrator_desktop.gui.agents.agent_editor import AgentEditor
from orchestrator_desktop.gui.main_window import MainWindow
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

CLAUDE = "default-claude"


@pytest.fixture(autouse=True)
def answers(monkeypatch):
    """Every prompt is recorded; unexpected errors fail the test. Tests set `reply` entries."""
    seen: dict[str, list] = {"errors": [], "save": [], "stale": [], "confirm": []}
    reply = {"save": "cancel", "stale": "keep", "confirm": False}
    monkeypatch.setattr(dialogs, "show_error",
                        lambda _p, title, text: seen["errors"].append((title, text)))
    monkeypatch.setattr(dialogs, "show_info", lambda *_a: None)

    def ask_save(_parent, _title, text):
        seen["save"].append(text)
        return reply["save"]

    def stale(_parent, _title, text):
        seen["stale"].append(text)
        return reply["stale"]

    def confirm(_parent, _title, text, *_action):
        seen["confirm"].append(text)
        return reply["confirm"]

    monkeypatch.setattr(dialogs, "ask_save_changes", ask_save)
    monkeypatch.setattr(dialogs, "choose_stale_resolution", stale)
    monkeypatch.setattr(dialogs, "confirm", confirm)
    seen["reply"] = reply  # type: ignore[assignment]
    yield seen
    assert seen["errors"] == []


@pytest.fixture
def dotnet_file(tmp_path: Path) -> Path:
    return make_dotnet_database(tmp_path / "orchestrator.db")


def _open_editor(qtbot, window: MainWindow) -> AgentEditor:
    window.agents_action.trigger()
    editor = window.agent_editor
    qtbot.waitUntil(lambda: editor.table_model.rowCount() >= 2 and editor.draft.loaded
                    is not None, timeout=5000)
    return editor


@pytest.fixture
def window(qtbot, dotnet_file, tmp_path) -> MainWindow:
    return open_window(qtbot, dotnet_file, tmp_path)


@pytest.fixture
def editor(qtbot, window) -> AgentEditor:
    return _open_editor(qtbot, window)


def _select(qtbot, editor: AgentEditor, agent_id: str) -> None:
    editor.table.setCurrentIndex(editor.table_model.index(editor.table_model.row_of(agent_id),
                                                          0))
    qtbot.waitUntil(lambda: editor.draft.agent_id == agent_id, timeout=5000)


def _agent_row(path: Path, agent_id: str) -> tuple:
    return query_one(path, 'SELECT a."Name", a."Type", a."Description", a."WorkingDirectory", '
                'a."IsActive", c."Model", c."Temperature", c."MaxTokens", c."SystemPrompt", '
                'c."RequireApproval", c."EnabledToolsJson", c."CapabilitiesJson", '
                'c."CustomSettingsJson" FROM "Agents" a LEFT JOIN "AgentConfigurations" c '
                'ON c."AgentId" = a."Id" WHERE a."Id" = ?', agent_id)


def _other_process(path: Path, sql: str) -> None:
    """Another program (a separate process) writes to the file."""
    script = textwrap.dedent(f"""
        import sqlite3
        con = sqlite3.connect({str(path)!r}, timeout=10)
        con.execute({sql!r})
        con.commit()
        con.close()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def _save(qtbot, editor: AgentEditor) -> None:
    assert editor.save_action.isEnabled()
    editor.save_action.trigger()
    qtbot.waitUntil(lambda: not editor.saving and not editor.draft.is_dirty, timeout=5000)


def _error(editor: AgentEditor, field: str) -> str:
    label = editor.form.errors[field]
    return label.text() if label.isVisibleTo(editor) else ""


# -- opening ---------------------------------------------------------------------------------------


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen Qt
def test_agents_menu_opens_one_editor_with_named_controls(qtbot, window, editor) -> None:
    menu = menu_titled(window, "Agents")
    assert window.agents_action in menu.actions()
    assert window.agents_action.shortcut() == QKeySequence("Ctrl+Shift+A")
    window.agents_action.trigger()
    assert window.agent_editor is editor and editor.isVisible()
    model = editor.table_model
    researcher = model.row_of(AGENT_ID)
    shown = [model.index(researcher, c).data() for c in range(model.columnCount())]
    assert shown[:4] == ["Researcher", "Unknown (9)", "Yes", "gpt-4"]
    assert shown[5:] == ["3", "120", "98,765"]
    for widget in editor.findChildren(QWidget):
        if widget.isVisibleTo(editor) and widget.focusPolicy() != Qt.FocusPolicy.NoFocus \
                and not isinstance(widget, QLabel) and widget.parent() is not None \
                and type(widget).__name__ not in ("QScrollBar", "QTabBar", "QToolButton",
                                                  "QLineEdit", "QWidget", "QHeaderView"):
            assert widget.accessibleName(), f"{type(widget).__name__} has no accessible name"
    for action in (editor.new_action, editor.duplicate_action, editor.active_action,
                   editor.delete_action, editor.save_action, editor.revert_action,
                   editor.undo_action, editor.redo_action, editor.close_action):
        assert not action.shortcut().isEmpty() and "&" in action.text()
    assert [s.toString() for s in editor.redo_action.shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    form, order, widget = editor.form, [], editor.table
    wanted = {form.name, form.type, form.description, form.working_directory, form.browse,
              form.is_active, form.model, form.temperature.spin, form.max_tokens,
              form.system_prompt, form.require_approval, form.tools.list, editor.save_button}
    for _ in range(200):  # the tab order follows the form from top to bottom
        if widget in wanted and widget.accessibleName() not in order:
            order.append(widget.accessibleName())
        widget = widget.nextInFocusChain()
    assert order == ["Name", "Type", "Description", "Working directory",
                     "Choose the working directory", "Active", "Model", "Temperature",
                     "Max tokens", "System prompt", "Require approval", "Enabled tools",
                     "Save the agent"]
    window.close_file()
    assert editor.table_model.rowCount() == 0 and not window.agents_action.isEnabled()


def test_unknown_type_and_invalid_json_are_shown_and_kept(qtbot, editor, dotnet_file) -> None:
    _select(qtbot, editor, AGENT_ID)
    form = editor.form
    assert form.type.currentText() == "Unknown (9) — kept as stored"
    assert form.custom_settings.currentIndex() == 1  # the raw text, with a note
    assert form.custom_settings.raw.toPlainText() == '{"Verbose": true'
    assert "not valid JSON" in form.custom_settings.note.text()
    assert form.capabilities.currentIndex() == 0 and form.capabilities_editor.flags[
        "SupportsStreaming"].isChecked()
    before = _agent_row(dotnet_file, AGENT_ID)
    qtbot.keyClicks(form.description, "Finds things")
    _save(qtbot, editor)
    after = _agent_row(dotnet_file, AGENT_ID)
    assert after[2] == "Finds things"
    assert after[1] == 9 and after[12] == '{"Verbose": true'
    assert after[:2] + after[3:] == before[:2] + before[3:]


# -- editing everything ------------------------------------------------------------------------


def test_edit_every_field_then_save_and_reload(qtbot, editor, window, dotnet_file,
                                               monkeypatch, tmp_path) -> None:
    _select(qtbot, editor, CLAUDE)  # it has no configuration yet: saving creates one
    form = editor.form
    assert not editor.save_action.isEnabled()
    form.name.selectAll()
    qtbot.keyClicks(form.name, "Writer")
    form.type.setCurrentIndex(form.type.findData(int(AgentType.GPT4)))
    form.type.activated.emit(form.type.currentIndex())
    form.description.clear()
    qtbot.keyClicks(form.description, "Writes the docs")
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.setattr(dialogs, "choose_folder", lambda *_a: str(folder))
    qtbot.mouseClick(form.browse, Qt.MouseButton.LeftButton)
    assert form.working_directory.text() == str(folder)
    form.is_active.click()
    assert form.model.findText("claude-3-opus-20240229") >= 0  # seed models offered
    assert form.model.findText("gpt-4") >= 0  # models in use
    form.model.lineEdit().selectAll()
    qtbot.keyClicks(form.model.lineEdit(), "gpt-4o")
    form.temperature.slider.setValue(150)
    assert form.temperature.spin.value() == 1.5
    form.temperature.spin.setValue(1.25)
    assert form.temperature.slider.value() == 125
    form.max_tokens.setValue(12000)
    qtbot.keyClicks(form.system_prompt, "Be precise.")
    assert form.prompt_count.text() == "11 characters · 1 line"
    form.require_approval.click()
    tools = form.tools
    search = next(tools.list.item(i) for i in range(tools.list.count())
                  if tools.list.item(i).text() == "search")  # known from another agent
    search.setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(tools.entry, "deploy")
    qtbot.mouseClick(tools.add_button, Qt.MouseButton.LeftButton)
    caps = form.capabilities_editor
    caps.flags["SupportsWebSearch"].click()
    caps.limits["MaxConcurrentRequests"].setValue(4)
    table = form.settings_table
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    table.table.item(0, 0).setText("retries")
    table.table.item(0, 1).setText("3")
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    table.table.item(1, 0).setText("mode")
    table.table.item(1, 1).setText("fast")
    assert editor.isWindowModified() and editor.draft.errors == {}

    _save(qtbot, editor)
    assert _agent_row(dotnet_file, CLAUDE) == (
        "Writer", 2, "Writes the docs", str(folder), 0, "gpt-4o", 1.25, 12000, "Be precise.", 1,
        '["search","deploy"]',
        '{"SupportsStreaming":true,"SupportsTools":true,"SupportsFileOperations":true,'
        '"SupportsWebSearch":true,"SupportedModels":[],"AvailableTools":[],"MaxTokens":100000,'
        '"MaxConcurrentRequests":4}', '{"retries":3,"mode":"fast"}')
    assert editor.status.text() == "Saved “Writer”."
    assert not editor.save_action.isEnabled() and not editor.undo_action.isEnabled()

    # a fresh window on the file shows what was saved
    editor.close()
    window.close()
    (tmp_path / "again").mkdir()
    other = open_window(qtbot, dotnet_file, tmp_path / "again")
    again = _open_editor(qtbot, other)
    _select(qtbot, again, CLAUDE)
    form = again.form
    assert (form.name.text(), form.type.currentText(), form.model.currentText()) == (
        "Writer", "GPT4", "gpt-4o")
    assert (form.temperature.spin.value(), form.max_tokens.value()) == (1.25, 12000)
    assert not form.is_active.isChecked() and form.require_approval.isChecked()
    assert [form.settings_table.table.item(r, 1).text() for r in range(2)] == ["3", "fast"]
    assert again.table_model.index(again.table_model.row_of(CLAUDE), 2).data() == "No"


# -- validation --------------------------------------------------------------------------------


def test_every_validation_rule_shows_beside_its_field(qtbot, editor, dotnet_file) -> None:
    _other_process(dotnet_file, 'UPDATE "AgentConfigurations" SET "CapabilitiesJson" = '
                   '\'{"SupportsTools": "yes"}\' WHERE "AgentId" = \'' + AGENT_ID + "'")
    editor.reload()
    qtbot.waitUntil(lambda: "yes" in (editor.table_model.record(editor.table_model.row_of(
        AGENT_ID)).configuration.capabilities.raw or ""), timeout=5000)
    assert editor.draft.agent_id == CLAUDE
    form = editor.form
    form.name.selectAll()
    qtbot.keyClick(form.name, Qt.Key.Key_Backspace)
    assert _error(editor, "name") == "⚠ Name is required."
    assert not editor.save_action.isEnabled()
    qtbot.keyClicks(form.name, "Researcher")
    assert _error(editor, "name") == "⚠ Name is already used by another agent."
    assert form.name.accessibleDescription() == "Name is already used by another agent"
    qtbot.keyClicks(form.name, " 2")
    assert _error(editor, "name") == ""
    form.temperature.spin.setValue(2.5)
    assert _error(editor, "temperature") == "⚠ Temperature must be between 0 and 2."
    form.temperature.spin.setValue(2.0)
    form.max_tokens.setValue(0)
    assert _error(editor, "max_tokens") == "⚠ Max tokens must be between 1 and 1,000,000."
    form.max_tokens.setValue(2_000_000)
    assert "between 1 and 1,000,000" in _error(editor, "max_tokens")
    form.max_tokens.setValue(4000)
    form.capabilities_editor.limits["MaxConcurrentRequests"].setValue(0)
    assert _error(editor, "capabilities") == \
        "⚠ Capabilities MaxConcurrentRequests must be between 1 and 1,000."
    form.capabilities_editor.limits["MaxConcurrentRequests"].setValue(2)
    table = form.settings_table
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    assert _error(editor, "custom_settings") == "⚠ Custom settings every setting needs a name."
    table.table.item(0, 0).setText("a")
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    table.table.item(1, 0).setText("a")
    assert _error(editor, "custom_settings") == "⚠ Custom settings “a” is set twice."
    assert editor.status.text() == "1 problem to fix before saving."
    label = form.errors["custom_settings"]
    assert label.accessibleName() == "Custom settings problem"
    assert label.palette().color(QPalette.ColorRole.WindowText).name() in ("#c62828", "#ff8a80")
    assert not editor.save_action.isEnabled()
    table.table.setCurrentCell(1, 0)
    qtbot.mouseClick(table.remove_button, Qt.MouseButton.LeftButton)
    assert editor.draft.errors == {} and editor.save_action.isEnabled()

    _select_researcher_with_bad_json(qtbot, editor)


def _select_researcher_with_bad_json(qtbot, editor: AgentEditor) -> None:
    editor.draft.load(editor.draft.loaded)  # drop the edits above
    _select(qtbot, editor, AGENT_ID)
    form = editor.form
    assert _error(editor, "capabilities") == \
        "⚠ Capabilities SupportsTools must be true or false."
    form.capabilities_editor.flags["SupportsTools"].click()
    assert _error(editor, "capabilities") == ""
    raw = form.custom_settings.raw
    raw.setPlainText('{"Verbose": tru')
    assert _error(editor, "custom_settings") == "⚠ Custom settings is not valid JSON."
    raw.setPlainText('["not", "an object"]')
    assert _error(editor, "custom_settings") == "⚠ Custom settings must be a JSON object."
    raw.setPlainText('{"Verbose": true}')
    assert editor.draft.errors == {}


# -- undo, redo, revert --------------------------------------------------------------------------


def test_undo_and_redo_by_keyboard_one_step_per_field_edit(qtbot, editor) -> None:
    _select(qtbot, editor, AGENT_ID)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=5000)
    form = editor.form
    form.description.setFocus()
    qtbot.keyClicks(form.description, "abc")  # typing merges into one step
    form.require_approval.click()
    form.temperature.spin.setValue(0.5)
    assert editor.draft.undo.count() == 3
    qtbot.keyClick(form.description, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert form.temperature.spin.value() == 0.25 and form.temperature.slider.value() == 25
    qtbot.keyClick(form.description, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert form.require_approval.isChecked()
    qtbot.keyClick(form.description, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert form.description.text() == "" and not editor.isWindowModified()
    assert not editor.save_action.isEnabled()
    qtbot.keyClick(form.description, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert form.description.text() == "abc"
    qtbot.keyClick(form.description, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert not form.require_approval.isChecked()
    editor.redo_action.trigger()
    assert form.temperature.spin.value() == 0.5 and not editor.redo_action.isEnabled()


def test_revert_drops_edits_and_undo_brings_them_back(qtbot, editor, dotnet_file) -> None:
    _select(qtbot, editor, AGENT_ID)
    form = editor.form
    before = _agent_row(dotnet_file, AGENT_ID)
    qtbot.keyClicks(form.name, " Prime")
    form.tools.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    editor.revert_action.trigger()
    assert form.name.text() == "Researcher" and form.tools.list.item(0).checkState() == \
        Qt.CheckState.Checked
    assert not editor.save_action.isEnabled() and not editor.revert_action.isEnabled()
    editor.undo_action.trigger()
    assert form.name.text() == "Researcher Prime"
    assert _agent_row(dotnet_file, AGENT_ID) == before


# -- another program ----------------------------------------------------------------------------


def _edit_then_other_program_changes(qtbot, editor, dotnet_file) -> None:
    _select(qtbot, editor, AGENT_ID)
    qtbot.keyClicks(editor.form.description, "mine")
    _other_process(dotnet_file, 'UPDATE "AgentConfigurations" SET "Temperature" = 1.9 '
                   'WHERE "AgentId" = \'' + AGENT_ID + "'")


def test_concurrent_change_overwrite_theirs(qtbot, editor, dotnet_file, answers) -> None:
    _edit_then_other_program_changes(qtbot, editor, dotnet_file)
    answers["reply"]["stale"] = "overwrite"
    _save(qtbot, editor)
    assert len(answers["stale"]) == 1 and "(temperature)" in answers["stale"][0]
    row = _agent_row(dotnet_file, AGENT_ID)
    assert (row[2], row[6]) == ("mine", 0.25)
    assert editor.form.temperature.spin.value() == 0.25


def test_concurrent_change_load_theirs_or_keep_editing(qtbot, editor, dotnet_file,
                                                       answers) -> None:
    _edit_then_other_program_changes(qtbot, editor, dotnet_file)
    editor.save_action.trigger()  # "keep editing": nothing written, the edit stays
    qtbot.waitUntil(lambda: len(answers["stale"]) == 1 and not editor.saving, timeout=5000)
    assert editor.draft.is_dirty and editor.form.description.text() == "mine"
    assert _agent_row(dotnet_file, AGENT_ID)[2] == ""
    answers["reply"]["stale"] = "reload"
    editor.save_action.trigger()
    qtbot.waitUntil(lambda: not editor.draft.is_dirty, timeout=5000)
    assert editor.form.temperature.spin.value() == 1.9
    assert editor.form.description.text() == ""
    assert _agent_row(dotnet_file, AGENT_ID)[2] == ""


def test_another_programs_change_appears_unless_the_form_has_edits(qtbot, editor,
                                                                   dotnet_file) -> None:
    _select(qtbot, editor, AGENT_ID)
    _other_process(dotnet_file, 'UPDATE "Agents" SET "Description" = \'set elsewhere\' '
                   'WHERE "Id" = \'' + AGENT_ID + "'")
    qtbot.waitUntil(lambda: editor.form.description.text() == "set elsewhere", timeout=8000)
    assert not editor.draft.is_dirty
    qtbot.keyClicks(editor.form.description, " and mine")
    _other_process(dotnet_file, 'UPDATE "AgentConfigurations" SET "Temperature" = 1.7 '
                   'WHERE "AgentId" = \'' + AGENT_ID + "'")
    qtbot.waitUntil(lambda: editor.table_model.record(editor.table_model.row_of(AGENT_ID))
                    .configuration.temperature == 1.7, timeout=8000)
    assert editor.form.description.text() == "set elsewhere and mine", "edits are kept"
    assert editor.draft.is_dirty and editor.form.temperature.spin.value() != 1.7


def test_a_save_that_meets_a_locked_file_can_be_tried_again(qtbot, dotnet_file, tmp_path,
                                                            answers, monkeypatch) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_SECONDS", 0.5)
    editor = _open_editor(qtbot, open_window(qtbot, dotnet_file, tmp_path))
    _select(qtbot, editor, AGENT_ID)
    qtbot.keyClicks(editor.form.description, "kept through a lock")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sqlite3, sys, time
        con = sqlite3.connect(sys.argv[1], isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        time.sleep(2)
        con.execute("ROLLBACK")
    """), str(dotnet_file)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    offers: list[str] = []

    def try_again(_parent, _title, text, action="Delete") -> bool:
        offers.append(f"{action}: {text}")
        assert editor.form.description.text() == "kept through a lock"
        holder.wait(10)  # the other program finishes; the person tries again
        return True

    monkeypatch.setattr(dialogs, "confirm", try_again)
    _save(qtbot, editor)
    assert len(offers) == 1 and offers[0].startswith("Try Again: The database is busy")
    assert _agent_row(dotnet_file, AGENT_ID)[2] == "kept through a lock"


def test_usage_counters_changed_elsewhere_are_no_conflict(qtbot, editor, dotnet_file,
                                                          answers) -> None:
    _select(qtbot, editor, AGENT_ID)
    qtbot.keyClicks(editor.form.description, "mine")
    _other_process(dotnet_file, 'UPDATE "Agents" SET "TotalMessages" = "TotalMessages" + 1, '
                   '"LastUsedAt" = \'2024-06-01 00:00:00\' WHERE "Id" = \'' + AGENT_ID + "'")
    _save(qtbot, editor)
    assert answers["stale"] == []
    assert query_one(dotnet_file, 'SELECT "Description", "TotalMessages" FROM "Agents" WHERE '
                '"Id" = ?', AGENT_ID) == ("mine", 121)


# -- unsaved changes -----------------------------------------------------------------------------


def test_switching_agent_asks_about_unsaved_changes(qtbot, editor, dotnet_file,
                                                    answers) -> None:
    _select(qtbot, editor, AGENT_ID)
    qtbot.keyClicks(editor.form.description, "first")
    claude_row = editor.table_model.row_of(CLAUDE)
    editor.table.setCurrentIndex(editor.table_model.index(claude_row, 0))  # cancel
    qtbot.waitUntil(lambda: len(answers["save"]) == 1, timeout=5000)
    assert editor.draft.agent_id == AGENT_ID and editor.form.description.text() == "first"
    assert editor.table.currentIndex().row() == editor.table_model.row_of(AGENT_ID)
    answers["reply"]["save"] = "discard"
    editor.table.setCurrentIndex(editor.table_model.index(claude_row, 0))
    qtbot.waitUntil(lambda: editor.draft.agent_id == CLAUDE, timeout=5000)
    assert _agent_row(dotnet_file, AGENT_ID)[2] == ""
    qtbot.keyClicks(editor.form.description, " (edited)")
    answers["reply"]["save"] = "save"
    editor.table.setCurrentIndex(editor.table_model.index(editor.table_model.row_of(AGENT_ID),
                                                          0))
    qtbot.waitUntil(lambda: editor.draft.agent_id == AGENT_ID, timeout=5000)
    assert _agent_row(dotnet_file, CLAUDE)[2] == "Default Claude agent (edited)"
    assert len(answers["save"]) == 3


def test_closing_asks_about_unsaved_changes(qtbot, window, editor, dotnet_file,
                                            answers) -> None:
    _select(qtbot, editor, AGENT_ID)
    qtbot.keyClicks(editor.form.description, "kept")
    editor.close_action.trigger()
    assert editor.isVisible() and answers["save"] == ["Save your changes to “Researcher”?"]
    window.close()  # the main window asks too, and stays open on Cancel
    assert window.isVisible() and len(answers["save"]) == 2
    answers["reply"]["save"] = "save"
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert not editor.isVisible()
    assert _agent_row(dotnet_file, AGENT_ID)[2] == "kept"


# -- whole agents --------------------------------------------------------------------------------


def test_delete_is_offered_as_deactivation_when_messages_refer(qtbot, editor, dotnet_file,
                                                              answers) -> None:
    _select(qtbot, editor, AGENT_ID)
    assert editor.active_action.text() == "&Deactivate"
    answers["reply"]["confirm"] = True
    editor.table.setFocus()
    editor.delete_action.trigger()
    qtbot.waitUntil(lambda: _agent_row(dotnet_file, AGENT_ID)[4] == 0, timeout=5000)
    assert "Deactivate it instead?" in answers["confirm"][0]
    assert "messages or plan steps refer" in answers["confirm"][0]
    qtbot.waitUntil(lambda: editor.active_action.text() == "&Activate", timeout=5000)
    assert not editor.form.is_active.isChecked()
    row = editor.table_model.row_of(AGENT_ID)
    assert editor.table_model.index(row, 2).data() == "No"
    editor.active_action.trigger()
    qtbot.waitUntil(lambda: _agent_row(dotnet_file, AGENT_ID)[4] == 1, timeout=5000)


def test_new_duplicate_and_delete(qtbot, editor, dotnet_file, answers, monkeypatch) -> None:
    monkeypatch.setattr(dialogs, "ask_text", lambda _p, _t, _l, default: default + " X")
    editor.new_action.trigger()
    qtbot.waitUntil(lambda: editor.draft.loaded is not None
                    and editor.draft.loaded.name == "New agent X", timeout=5000)
    new_id = editor.draft.agent_id
    assert _agent_row(dotnet_file, new_id)[:2] == ("New agent X", 3)
    assert editor.form.model.currentText() == "claude-3-sonnet-20240229"

    _select(qtbot, editor, AGENT_ID)
    editor.duplicate_action.trigger()
    qtbot.waitUntil(lambda: editor.draft.loaded.name == "Copy of Researcher", timeout=5000)
    copy = _agent_row(dotnet_file, editor.draft.agent_id)
    assert copy[:2] == ("Copy of Researcher", 9)
    assert copy[4:] == _agent_row(dotnet_file, AGENT_ID)[4:]

    _select(qtbot, editor, new_id)
    editor.delete_action.trigger()  # confirm says no
    qtbot.waitUntil(lambda: len(answers["confirm"]) == 1, timeout=5000)
    assert answers["confirm"][0].startswith("Delete “New agent X” and its configuration?")
    answers["reply"]["confirm"] = True
    editor.delete_action.trigger()
    qtbot.waitUntil(lambda: editor.table_model.row_of(new_id) < 0, timeout=5000)
    assert _agent_row(dotnet_file, new_id) is None
    assert query_one(dotnet_file, 'SELECT count(*) FROM "AgentConfigurations" WHERE "AgentId" = ?',
                new_id) == (0,)


def test_read_only_file_opens_the_editor_without_editing(qtbot, dotnet_file, tmp_path) -> None:
    dotnet_file.chmod(0o444)
    try:
        window = open_window(qtbot, dotnet_file, tmp_path)
        editor = _open_editor(qtbot, window)
        assert editor.banner.isVisibleTo(editor)
        assert "The file is read-only." in editor.banner.text()
        for widget in editor.form.editors.values():
            assert not widget.isEnabled()
        for action in (editor.new_action, editor.duplicate_action, editor.active_action,
                       editor.delete_action, editor.save_action):
            assert not action.isEnabled()
            assert action.toolTip().startswith("The file is read-only.")
        assert editor.refresh_action.isEnabled()
    finally:
        dotnet_file.chmod(0o644)


def test_usage_tab_charts_messages_tokens_and_tool_calls(qtbot, editor) -> None:
    _select(qtbot, editor, AGENT_ID)
    editor.tabs.setCurrentIndex(1)
    usage = editor.usage
    qtbot.waitUntil(lambda: bool(usage.points), timeout=5000)
    assert usage.totals.text().startswith("2 messages · 150 tokens · 2 tool calls")
    assert usage.totals.text().endswith("counted from the messages")
    # the list's totals are the stored counters (3 sessions, 120 messages): it says so
    table = editor.table_model
    row = table.row_of(AGENT_ID)
    assert table.index(row, 6).data() == "120"
    assert table.headerData(6, Qt.Orientation.Horizontal) == "Messages\n(stored)"
    assert "counts them from the messages" in table.headerData(
        6, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    chart = usage.chart
    assert chart.accessibleName() == "Usage chart"
    assert chart.toolTip() == ("Messages per day from 2024-01-30 to 2024-01-30: 2 in all, most "
                               "(2) on 2024-01-30.")
    usage.measure.setCurrentIndex(3)
    assert chart.accessibleDescription().startswith("Tool calls per day")
    usage.period.setCurrentIndex(2)
    qtbot.waitUntil(lambda: usage.period_used == "week", timeout=5000)
    assert json.dumps([p.tool_calls for p in usage.points]) == "[2]"
    assert not chart.grab().isNull()


def test_models_pass_the_qt_model_tester(qtbot, editor, qtmodeltester) -> None:
    _select(qtbot, editor, AGENT_ID)
    qtmodeltester.check(editor.table_model)
    qtmodeltester.check(editor.draft)
    draft = editor.draft
    column = list(draft.values).index("model")
    assert draft.index(0, column).data() == "gpt-4"
    assert draft.setData(draft.index(0, column), "gpt-4o")
    assert editor.form.model.currentText() == "gpt-4o" and draft.changes() == {"model": "gpt-4o"}


def test_settings_cells_are_committed_as_typed(qtbot, editor, dotnet_file) -> None:
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=5000)
    table = editor.form.settings_table
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)  # opens the name cell
    qtbot.waitUntil(lambda: table.table.viewport().isAncestorOf(QApplication.focusWidget()),
                    timeout=5000)
    qtbot.keyClicks(QApplication.focusWidget(), "region")  # validated as it is typed
    assert editor.draft.errors == {} and editor.save_action.isEnabled()
    assert editor.draft.undo.count() == 2  # adding the row, then typing its name
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.saving and not editor.draft.is_dirty, timeout=5000)
    assert _agent_row(dotnet_file, CLAUDE)[12] == '{"region":""}'


def _type_into(qtbot, box, text: str) -> None:
    """Select what the box holds and type `text` one key at a time, as a person does."""
    box.setFocus()
    line = box.lineEdit()
    line.selectAll()
    for key in text:
        qtbot.keyClick(line, key)


def test_numbers_typed_key_by_key_arrive_as_typed(qtbot, editor, window, dotnet_file) -> None:
    _select(qtbot, editor, AGENT_ID)
    form = editor.form
    window.activateWindow()
    editor.show()
    _type_into(qtbot, form.temperature.spin, "0.75")
    assert form.temperature.spin.value() == 0.75 and form.temperature.slider.value() == 75
    assert editor.draft.value("temperature") == 0.75
    _type_into(qtbot, form.temperature.spin, "1.5")
    assert form.temperature.spin.value() == 1.5
    assert editor.draft.value("temperature") == 1.5
    _type_into(qtbot, form.max_tokens, "12345")
    assert form.max_tokens.value() == 12345 and editor.draft.value("max_tokens") == 12345
    limit = form.capabilities_editor.limits["MaxConcurrentRequests"]
    _type_into(qtbot, limit, "16")
    assert limit.value() == 16
    assert editor.draft.value("capabilities")["MaxConcurrentRequests"] == 16
    _save(qtbot, editor)
    row = _agent_row(dotnet_file, AGENT_ID)
    assert (row[6], row[7]) == (1.5, 12345)
    assert json.loads(row[11])["MaxConcurrentRequests"] == 16
