"""Small modal questions. Tests replace these functions instead of driving modal loops."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

MIN_WIDTH = 420  # a dialog's least width: its title and fields are never cut short


def title_width(widget: QWidget, title: str) -> int:
    """Room for the title in the window manager's title bar (its buttons take about 160 px)."""
    return max(MIN_WIDTH, widget.fontMetrics().horizontalAdvance(title) + 160)


def _widen(box: QMessageBox, title: str) -> None:
    """QMessageBox sizes itself to its text and ignores setMinimumWidth; a spacer across its
    grid gives it the width its title needs."""
    from PySide6.QtWidgets import QGridLayout, QSizePolicy, QSpacerItem

    layout = box.layout()
    if isinstance(layout, QGridLayout):
        layout.addItem(QSpacerItem(title_width(box, title), 0, QSizePolicy.Policy.Minimum,
                                   QSizePolicy.Policy.Expanding),
                       layout.rowCount(), 0, 1, layout.columnCount())


def ask_text(parent: QWidget | None, title: str, label: str, default: str = "") -> str | None:
    """A line of text from the person, or None when they cancel."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setTextValue(default)
    field = dialog.findChild(QLineEdit)  # the dialog's layout sizes itself to its field
    if field is not None:
        field.setMinimumWidth(title_width(dialog, title))
    ok = dialog.exec() == QInputDialog.DialogCode.Accepted
    return dialog.textValue() if ok else None


def confirm(parent: QWidget | None, title: str, text: str, action: str = "Delete") -> bool:
    """True when the person confirms a destructive action (the safe choice is the default)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    _widen(box, title)
    box.exec()
    return box.clickedButton() is yes


def confirm_restore(parent: QWidget | None, text: str) -> bool:
    """True when the person confirms restoring a snapshot as a new session (Cancel is the
    default: nothing is written until they choose Restore)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Restore snapshot", text, parent=parent)
    yes = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    _widen(box, "Restore snapshot")
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


def choose_save_json(parent: QWidget | None, title: str, suggested: str) -> str | None:
    """A path to write a JSON file to (`suggested` is a folder or a full path), or None."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, "JSON files (*.json)")
    if path and not path.lower().endswith(".json"):
        path += ".json"
    return path or None


def choose_open_json(parent: QWidget | None, title: str, folder: str) -> str | None:
    """An existing JSON file to read, or None."""
    path, _ = QFileDialog.getOpenFileName(parent, title, folder,
                                          "JSON files (*.json);;All files (*)")
    return path or None


def ask_name_and_description(parent: QWidget | None, title: str, name: str = "",
                             description: str = "") -> tuple[str, str] | None:
    """A name (required) and a description from the person, or None when they cancel."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QPlainTextEdit

    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    dialog.setMinimumWidth(title_width(dialog, title))
    name_edit = QLineEdit(name, dialog)
    name_edit.setAccessibleName("Name")
    name_edit.selectAll()
    text = QPlainTextEdit(description, dialog)
    text.setAccessibleName("Description")
    text.setTabChangesFocus(True)
    text.setMinimumSize(360, 90)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setEnabled(bool(name.strip()))
    name_edit.textChanged.connect(lambda value: ok.setEnabled(bool(value.strip())))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form = QFormLayout(dialog)
    form.addRow("&Name:", name_edit)
    form.addRow("&Description:", text)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return name_edit.text().strip(), text.toPlainText().strip()


def report_failure(parent: QWidget | None, error: Exception,
                   title: str = "Something went wrong") -> None:
    """Tell the person what went wrong in words; log anything that is not a known error."""
    from .. import paths
    from ..data import DataError

    if isinstance(error, DataError):
        show_error(parent, title, str(error))
    else:
        logging.getLogger(__name__).error("unexpected failure", exc_info=error)
        show_error(parent, title, f"An unexpected problem occurred ({type(error).__name__}). "
                                  f"Details are in the log folder: {paths.log_dir()}")


def choose_folder(parent: QWidget | None, title: str, folder: str) -> str | None:
    """An existing folder the person picks, or None."""
    path = QFileDialog.getExistingDirectory(parent, title, folder)
    return path or None


def ask_save_changes(parent: QWidget | None, title: str, text: str) -> str:
    """"save", "discard" or "cancel" for unsaved changes (Save is the default)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    _widen(box, title)
    answer = box.exec()
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(buttons(answer), "cancel")


def choose_stale_resolution(parent: QWidget | None, title: str, text: str) -> str:
    """After another program changed what is being edited: "overwrite" (theirs with mine),
    "reload" (theirs, dropping mine) or "keep" (keep editing, the safe default)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    overwrite = box.addButton("&Overwrite Theirs", QMessageBox.ButtonRole.DestructiveRole)
    reload = box.addButton("&Load Theirs, Discard Mine", QMessageBox.ButtonRole.ResetRole)
    keep = box.addButton("&Keep Editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    _widen(box, title)
    box.setEscapeButton(keep)
    box.exec()
    clicked = box.clickedButton()
    return "overwrite" if clicked is overwrite else "reload" if clicked is reload else "keep"


def open_failure_text(path: object, error: Exception) -> str:
    """Why a database could not be opened (the error's words) and what the person can do."""
    from pathlib import Path

    from .. import paths
    from ..data import (
        DamagedDatabaseError,
        DatabaseLockedError,
        NotADatabaseError,
        ReadOnlyError,
    )

    path = Path(str(path))
    if isinstance(error, DamagedDatabaseError):
        advice = ("Nothing was changed in it. Restore it from a backup (this application keeps "
                  f"its own in {paths.backup_dir()}), or open another file.")
    elif isinstance(error, NotADatabaseError):
        advice = ("Choose the orchestrator.db file that OrchestratorChat writes, with File ▸ "
                  "Open (Ctrl+O).")
    elif isinstance(error, DatabaseLockedError):
        advice = "Wait until the other program has finished, or close it, then open the file again."
    elif isinstance(error, ReadOnlyError):
        advice = ("Check that your user account may read the file and write to its folder (its "
                  "owner and permissions), or copy it to a folder of yours and open the copy.")
    elif not path.exists():
        advice = ("It may have been moved, renamed or deleted: open it from where it is now "
                  "with File ▸ Open (Ctrl+O).")
    else:
        advice = "Check the file, then open it again with File ▸ Open (Ctrl+O), or choose another."
    return f"{error}\n\n{advice}"


def ask_link_action(parent: QWidget | None, title: str, text: str, action: str | None,
                    copy_label: str) -> str:
    """"open", "copy" or "cancel" for a link or file named in the database; the text is shown
    as plain text (never as HTML), Cancel is the default, and without `action` it cannot open."""
    from PySide6.QtCore import Qt

    if len(text) > 4000:
        text = text[:4000] + "…"
    icon = QMessageBox.Icon.Question if action else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAccessibleName(title)
    opening = box.addButton(action, QMessageBox.ButtonRole.AcceptRole) if action else None
    copying = box.addButton(copy_label, QMessageBox.ButtonRole.ActionRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel if action
                           else QMessageBox.StandardButton.Close)
    box.setDefaultButton(cancel)
    _widen(box, title)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return "open" if opening is not None and clicked is opening else \
        "copy" if clicked is copying else "cancel"


def ask_export_options(parent: QWidget | None, session_name: str, selected: int,
                       suggested_path: str, dark: bool, format: str = "md") -> object | None:
    """The export's form, file, messages and colours (an ExportChoice), or None on Cancel."""
    from .exporting.export_dialog import ExportDialog

    dialog = ExportDialog(parent, session_name, selected, suggested_path, dark, format)
    if dialog.exec() != dialog.DialogCode.Accepted:
        return None
    return dialog.choice()


def ask_go_to(parent: QWidget | None, count: int, first_time: object, last_time: object,
              current: int | None) -> object | None:
    """Where to go in a thread of `count` messages (a thread_view.GoTo: a message number or
    a time), or None on Cancel."""
    from .thread.go_to import GoToDialog

    dialog = GoToDialog(parent, count, first_time, last_time, current)  # type: ignore[arg-type]
    if dialog.exec() != dialog.DialogCode.Accepted:
        return None
    return dialog.choice()
