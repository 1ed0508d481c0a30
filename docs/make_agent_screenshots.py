"""Render the agent editor screenshots in docs/screenshots/ offscreen; rerun after changing it.

    .venv/bin/python docs/make_agent_screenshots.py

It generates a small realistic sample database (benchmarks.generate), gives one agent a longer
prompt, tools and custom settings, then saves the editor in the light and the dark palette:
the form with an edit that does not validate (`agent-editor.png`), the rest of the form (tools,
capabilities, custom settings: `agent-editor-more.png`) and the usage tab
(`agent-editor-usage.png`), each also with `-dark`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from make_screenshots import DARK, save, wait, wait_for  # noqa: E402  (this script's folder)
from orchestrator_desktop.data import open_store  # noqa: E402
from orchestrator_desktop.gui.application import create_application  # noqa: E402
from orchestrator_desktop.gui.main_window import MainWindow  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleFactory  # noqa: E402

from benchmarks.generate import generate  # noqa: E402

PROMPT = ("You review pull requests for the parser project.\n"
          "Point out bugs first, then naming and structure; suggest the smallest fix.\n"
          "Quote the lines you mean. Never approve a change without tests.")


def prepare(database: Path) -> str:
    """The agent with the most messages, dressed up a little; returns its id."""
    store = open_store(database)
    store.run_maintenance()
    agents, _models = store.agents.listing()
    agent = max(agents, key=lambda a: a.total_messages)
    store.agents.save(agent.id, agent, {
        "name": "Code Reviewer", "description": "Reviews every pull request before merge",
        "working_directory": "/home/dev/parser", "system_prompt": PROMPT,
        "enabled_tools": ["read_file", "run_shell", "git_diff"],
        "custom_settings": [("review_depth", '"thorough"'), ("max_files", "40"),
                            ("languages", '["python", "sql"]')],
    })
    store.close()
    return agent.id


def shoot(app: QApplication, database: Path, folder: Path, agent_id: str, suffix: str) -> None:
    window = MainWindow(QSettings(str(folder / f"settings{suffix}.ini"),
                                  QSettings.Format.IniFormat))
    window.resize(1300, 800)
    window.open_file(database, create=False)
    window.show()
    wait_for(lambda: window.sessions.rowCount() > 0)
    window.show_agent_editor()
    editor = window.agent_editor
    editor.resize(1440, 900)
    editor.splitter.setSizes([740, 700])
    wait_for(lambda: editor.table_model.rowCount() > 0 and editor.draft.loaded is not None)
    editor.select_agent(agent_id)
    wait_for(lambda: editor.draft.agent_id == agent_id)
    form = editor.form
    form.temperature.spin.setValue(0.4)  # an edit: Save and Undo light up
    form.max_tokens.setValue(0)  # one that does not validate: its message shows
    form.max_tokens.setFocus()
    wait(600)
    save(editor, f"agent-editor{suffix}.png")
    editor.revert()
    scroll = editor.tabs.widget(0)
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
    wait(400)
    save(editor, f"agent-editor-more{suffix}.png")
    editor.tabs.setCurrentIndex(1)
    wait_for(lambda: bool(editor.usage.points))
    editor.usage.measure.setCurrentIndex(2)  # tokens
    wait(600)
    save(editor, f"agent-editor-usage{suffix}.png")
    editor.close()
    window.close()
    app.processEvents()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = folder / "orchestrator.db"
        generate(database, sessions=80, messages=4000, big_session=800, snapshot_session=300)
        agent_id = prepare(database)
        app = create_application()
        shoot(app, database, folder, agent_id, "")
        app.setStyle(QStyleFactory.create("Fusion"))
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                     QPalette.ColorRole.ButtonText):  # disabled controls look disabled
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f7378"))
        app.setPalette(palette)
        shoot(app, database, folder, agent_id, "-dark")
    return 0


if __name__ == "__main__":
    sys.exit(main())
