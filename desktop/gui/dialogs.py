"""Small modal questions. Tests replace these functions instead of driving modal loops."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


def ask_text(parent: QWidget | None, title: str, label: str, default: str = "") -> str | None:
    """A line of text from the person, or None when they cancel."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, default)
    return text if ok else None


def confirm(parent: QWidget | None, title: str, text: str, action: str = "Delete") -> bool:
    """True when the person confirms a destructive action (the safe choice is the default)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is yes


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """Tell the person what went wrong, in words, never a traceback."""
    QMessageBox.warning(parent, title, message)


def choose_open_path(parent: QWidget | None, folder: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open an OrchestratorChat database", folder,
        "SQLite databases (*.db *.sqlite *.sqlite3);;All files (*)")
    return path or None


def choose_new_path(parent: QWidget | None, folder: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Create a new OrchestratorChat database", folder,
        "SQLite databases (*.db)")
    if path and not path.endswith((".db", ".sqlite", ".sqlite3")):
        path += ".db"
    return path or None


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)
