"""Making a window's commands: a QAction with its shortcut and status tip, added to the window
so its shortcut works wherever the focus is in it."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def add_action(window: QWidget, text: str, slot: Any, shortcut: Any = None,
               tip: str = "") -> QAction:
    """A command of `window` that runs `slot`."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    window.addAction(action)
    return action
