"""Helpers for window tests: isolated settings and a window on a real file."""

from __future__ import annotations

from pathlib import Path

from orchestrator_desktop.gui.main_window import MainWindow
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QMenu


def settings_in(folder: Path) -> QSettings:
    return QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)


def open_window(qtbot, path: Path, folder: Path) -> MainWindow:
    """A shown window with `path` open and its first page of sessions loaded."""
    window = MainWindow(settings_in(folder))
    qtbot.addWidget(window)
    assert window.open_file(path, create=False)
    window.show()
    qtbot.waitUntil(lambda: window.sessions.rowCount() > 0, timeout=5000)
    return window


def select_session(qtbot, window: MainWindow, session_id: str) -> None:
    row = window.sessions.row_of(session_id)
    assert row >= 0, "session not loaded in the list"
    window.table.setCurrentIndex(window.sessions.index(row, 0))
    qtbot.waitUntil(lambda: window.thread_model.session_id == session_id
                    and window.thread_model.rowCount() > 0, timeout=5000)


def menu_titled(window: QMainWindow, title: str) -> QMenu:
    """The menu bar's menu (or submenu) called `title`, mnemonic ampersands ignored.

    Found among the window's children rather than through `QAction.menu()`, whose result
    PySide6 6.8 invalidates as soon as the action's Python wrapper is collected.
    """
    menus = window.menuBar().findChildren(QMenu)
    for menu in menus:
        if menu.title().replace("&", "") == title:
            return menu
    raise AssertionError(f"no {title!r} menu in {[m.title() for m in menus]}")
