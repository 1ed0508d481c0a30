"""Render the snapshot screenshots in docs/screenshots/ offscreen; rerun after changing a view.

    .venv/bin/python docs/make_snapshot_screenshots.py

It generates a small realistic sample database (benchmarks.generate), takes a few snapshots of
one session (which also has a snapshot in the .NET application's form) and changes the session
since, then saves the Session menu with its Restore Snapshot submenu open
(`snapshot-menu.png`), the snapshot manager (`snapshot-manager.png`) and the comparison view
(`snapshot-compare.png`).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from make_screenshots import wait, wait_for  # noqa: E402  (the folder of this script)
from orchestrator_desktop.data import open_store  # noqa: E402
from orchestrator_desktop.data.enums import MessageRole  # noqa: E402
from orchestrator_desktop.gui.application import create_application  # noqa: E402
from orchestrator_desktop.gui.main_window import MainWindow  # noqa: E402
from PySide6.QtCore import QPoint, QRect, QSettings  # noqa: E402
from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QMenu, QWidget  # noqa: E402

from benchmarks.generate import generate  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SNAPSHOTS = (  # name, description, hours before now
    ("Before the parser refactor", "Everything passes; the agents agree on the plan.", 30),
    ("After the first review", "Reviewer asked for smaller functions.", 6),
    ("Before the risky migration", "Taken right before letting the agents run the migration.",
     1),
)


def save(pixmap: QPixmap, name: str) -> None:
    path = OUT / name
    pixmap.save(str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def prepare(database: Path) -> str:
    """Pick a session that has a .NET-form snapshot, take three of ours, change it since."""
    con = sqlite3.connect(database)
    session_id = con.execute(
        'SELECT s."Id" FROM "SessionSnapshots" x JOIN "Sessions" s ON s."Id" = x."SessionId" '
        'WHERE (SELECT count(*) FROM "Messages" m WHERE m."SessionId" = s."Id") BETWEEN 8 AND 40 '
        'ORDER BY s."LastActivityAt" DESC LIMIT 1').fetchone()[0]
    con.close()
    store = open_store(database)
    store.run_maintenance()
    for name, description, hours in SNAPSHOTS:
        snapshot = store.snapshots.create(session_id, name, description)
        with store.writing():
            store.execute('UPDATE "SessionSnapshots" SET "CreatedAt" = '
                          'strftime(\'%Y-%m-%d %H:%M:%S\', \'now\', $ago) WHERE "Id" = $id',
                          ago=f"-{hours} hours", id=snapshot.id)
    first = store.sessions.messages_page(session_id, limit=3).messages
    store.messages.update(first[1].id, content="(edited) " + (first[1].content or ""))
    store.messages.delete(first[2].id)
    store.sessions.add_message(session_id, "Running the migration on the staging copy now.",
                               MessageRole.Assistant)
    store.sessions.add_message(session_id, "Migration failed: 3 tables were locked.",
                               MessageRole.Tool)
    store.close()
    return session_id


def compose(window: MainWindow, menus: list[QMenu]) -> QPixmap:
    """The window with its open popup menus painted where they are."""
    shot = window.grab()
    painter = QPainter(shot)
    for menu in menus:
        top_left = window.mapFromGlobal(menu.pos())
        image = menu.grab()
        painter.drawPixmap(top_left, image)
        painter.setPen(QColor(0, 0, 0, 90))
        painter.drawRect(QRect(top_left, image.size()).adjusted(0, 0, -1, -1))
    painter.end()
    return shot


def shoot_menu(window: MainWindow) -> None:
    bar = window.menuBar()
    session_action = next(a for a in bar.actions() if a.text() == "&Session")
    session_menu = session_action.menu()
    session_menu.popup(bar.mapToGlobal(bar.actionGeometry(session_action).bottomLeft()))
    wait(200)
    restore = window.restore_menu
    session_menu.setActiveAction(restore.menuAction())
    geometry = session_menu.actionGeometry(restore.menuAction())
    restore.popup(session_menu.mapToGlobal(geometry.topRight() + QPoint(-2, -4)))
    wait_for(lambda: restore.actions() and restore.actions()[0].text() != "Loading…")
    wait(300)
    save(compose(window, [session_menu, restore]), "snapshot-menu.png")
    restore.hide()
    session_menu.hide()


def shoot_manager(window: MainWindow) -> QWidget:
    window.manage_snapshots()
    manager = window.snapshot_manager
    manager.resize(1040, 470)
    wait_for(lambda: manager.model.rowCount() >= 4 and manager.current() is not None)
    manager.table.selectRow(1)
    wait(400)
    save(manager.grab(), "snapshot-manager.png")
    manager.compare_action.trigger()
    wait_for(lambda: manager.compare_dialog is not None and manager.compare_dialog.isVisible())
    manager.compare_dialog.resize(900, 500)
    wait(400)
    save(manager.compare_dialog.grab(), "snapshot-compare.png")
    return manager


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = folder / "orchestrator.db"
        generate(database, sessions=80, messages=4000, big_session=800, snapshot_session=300)
        session_id = prepare(database)
        app = create_application()
        window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1280, 720)
        window.open_file(database, create=False)
        window.show()
        wait_for(lambda: window.sessions.rowCount() > 0)
        wait_for(lambda: window.sessions.row_of(session_id) >= 0)
        window.table.setCurrentIndex(window.sessions.index(window.sessions.row_of(session_id), 0))
        wait_for(lambda: window.thread_model.session_id == session_id
                 and window.thread_model.rowCount() > 0)
        wait(800)
        shoot_menu(window)
        shoot_manager(window)
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
