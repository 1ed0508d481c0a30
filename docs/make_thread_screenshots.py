"""Render the thread's sense of place offscreen: the position line and Go to, the "N new
messages" bar, a message's menu and its details, in the light and the dark palette.

    .venv/bin/python docs/make_thread_screenshots.py

It generates a sample database with a 20,000-message session (benchmarks.generate) in a
temporary folder, and appends messages to it with a connection of its own, as another program
would.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from make_screenshots import DARK, OUT, ROOT, save, wait, wait_for
from orchestrator_desktop.data.encoding import now_text
from orchestrator_desktop.gui.application import create_application
from orchestrator_desktop.gui.main_window import MainWindow
from orchestrator_desktop.gui.thread.go_to import GoToDialog
from orchestrator_desktop.gui.thread.thread_view import GoTo
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from benchmarks.generate import generate


def append(database: Path, session_id: str, count: int, start: int) -> None:
    """`count` messages added to the session by another program."""
    con = sqlite3.connect(database)
    agent = con.execute('SELECT "AgentId" FROM "Messages" WHERE "SessionId" = ? LIMIT 1',
                        (session_id,)).fetchone()[0]
    con.executemany(
        'INSERT INTO "Messages" ("Id", "SessionId", "Content", "Role", "AgentId", '
        '"ParentMessageId", "Timestamp", "SequenceNumber", "MetadataJson", "TokenUsageJson") '
        "VALUES (?,?,?,1,?,NULL,?,0,NULL,NULL)",
        [(f"appended-{start + n}", session_id, f"Progress report {start + n}: the build is "
          "green again.", agent, now_text()) for n in range(count)])
    con.commit()
    con.close()


def shoot(database: Path, folder: Path, big: str, suffix: str) -> None:
    window = MainWindow(QSettings(str(folder / f"settings{suffix}.ini"),
                                  QSettings.Format.IniFormat))
    window.resize(1300, 820)
    window.open_file(database, create=False)
    window.show()
    wait_for(lambda: window.sessions.rowCount() > 0)
    window.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # the biggest session first
    wait_for(lambda: window.sessions.row_of(big) == 0)
    window.table.setCurrentIndex(window.sessions.index(0, 0))
    model = window.thread_model
    wait_for(lambda: model.session_id == big and model.rowCount() > 0)
    model.go_to(GoTo(number=10_000))
    wait_for(lambda: not model.is_loading and model.row_of(model.highlight_id or "") >= 0)
    wait(800)
    save(window, f"thread-position{suffix}.png")

    dialog = GoToDialog(window, model.extent.count, model.extent.first_time,
                        model.extent.last_time, 10_000)
    dialog.field.setText("2025-03-01 09:30")
    dialog.show()
    wait(300)
    save(dialog, f"go-to{suffix}.png")
    dialog.close()

    append(database, big, 230, 1000 if suffix else 0)  # arrives while the person reads the middle
    wait_for(lambda: model.new_count == 230, 10_000)
    wait(300)
    save(window.thread, f"thread-new-messages{suffix}.png")

    view = window.thread.list
    row = model.row_of(model.highlight_id)
    view.setCurrentIndex(model.index(row))
    window.thread.show_message_menu(model.index(row),
                                    view.viewport().mapToGlobal(
                                        view.visualRect(model.index(row)).center()
                                        - QPoint(150, 0)))
    wait(300)
    menu = window.thread.message_menu
    picture = window.grab()  # the menu is a window of its own: painted over the main one
    painter = QPainter(picture)
    painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
    painter.end()
    picture.save(str(OUT / f"message-menu{suffix}.png"))
    window.thread.message_menu.close()
    window.thread.show_details(model.message(row))
    wait_for(lambda: window.thread.details_dialog is not None
             and window.thread.details_dialog.isVisible())
    wait(300)
    save(window.thread.details_dialog, f"message-details{suffix}.png")
    window.thread.details_dialog.close()
    window.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = folder / "orchestrator.db"
        report = generate(database, sessions=40, messages=24_000, big_session=20_000,
                          snapshot_session=300)
        app = create_application()
        shoot(database, folder, report.big_session_id, "")
        app.setStyle(QStyleFactory.create("Fusion"))
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        app.setPalette(palette)
        shoot(database, folder, report.big_session_id, "-dark")
        QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
