"""The backup list (File ▸ Restore from Backup) and the database check report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...data.backups import Backup
from ...data.health import HealthReport
from ...units import human_size


class BackupDialog(QDialog):
    """The open file's backups, newest first, with Restore, Back Up Now and Show Folder."""

    restore_requested = Signal(object)
    back_up_requested = Signal()
    show_folder_requested = Signal()

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from Backup")
        self.setAccessibleName("Restore from Backup")
        self.resize(620, 380)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("About these backups")
        self.list = QTreeWidget(self)
        self.list.setAccessibleName("Backups")
        self.list.setHeaderLabels(["Made", "Why", "Size"])
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setColumnWidth(0, 170)
        self.list.setColumnWidth(1, 240)
        self.list.headerItem().setTextAlignment(
            2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.list.itemDoubleClicked.connect(lambda *_: self._restore())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        buttons = QDialogButtonBox(self)
        self.restore_button: QPushButton = buttons.addButton(
            "&Restore…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setAccessibleName("Restore the chosen backup")
        self.back_up_button = buttons.addButton("Back &Up Now",
                                                QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button = buttons.addButton("Show &Folder",
                                               QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.restore_button.clicked.connect(self._restore)
        self.back_up_button.clicked.connect(self.back_up_requested)
        self.folder_button.clicked.connect(self.show_folder_requested)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self._backups: list[Backup] = []
        self._read_only_reason: str | None = None

    def set_file(self, path: Path, read_only_reason: str | None) -> None:
        self._read_only_reason = read_only_reason
        self.heading.setText(
            f"Backups of <b>{path.name}</b>, made with SQLite's backup API: one a day while "
            "the file is open, one before every database update and one before every restore. "
            "Restoring replaces what the file holds now, after backing that up too.")
        self.heading.setToolTip(str(path))
        self._update_buttons()

    def set_backups(self, found: list[Backup]) -> None:
        """Show `found` (newest first), keeping the choice when it is still there."""
        chosen = self.chosen()
        self._backups = list(found)
        self.list.clear()
        for backup in found:
            item = QTreeWidgetItem([f"{backup.created:%Y-%m-%d %H:%M:%S}", backup.description,
                                    human_size(backup.size)])
            item.setToolTip(0, str(backup.path))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(item)
        if not found:
            item = QTreeWidgetItem(["No backups yet", "", ""])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addTopLevelItem(item)
        else:
            index = next((i for i, b in enumerate(found) if chosen and b.path == chosen.path), 0)
            self.list.setCurrentItem(self.list.topLevelItem(index))
        self._update_buttons()

    def chosen(self) -> Backup | None:
        row = self.list.indexOfTopLevelItem(self.list.currentItem()) \
            if self.list.currentItem() else -1
        return self._backups[row] if 0 <= row < len(self._backups) else None

    def _update_buttons(self) -> None:
        writable = self._read_only_reason is None
        self.restore_button.setEnabled(writable and self.chosen() is not None)
        self.restore_button.setToolTip(self._read_only_reason or "Restore the chosen backup")

    def _restore(self) -> None:
        backup = self.chosen()
        if backup is not None and self._read_only_reason is None:
            self.restore_requested.emit(backup)


class CheckReportDialog(QDialog):
    """What File ▸ Check Database found, in words, with Copy and (when it helps) a rebuild."""

    rebuild_requested = Signal()

    def __init__(self, parent: QWidget | None, path: Path, report: HealthReport,
                 can_rebuild: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("Database Check")
        self.setAccessibleName("Database Check")
        self.resize(560, 320)
        style = self.style()
        icon = style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton if report.ok
                                  else QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.icon = QLabel(self)
        self.icon.setPixmap(icon.pixmap(32, 32))
        if report.ok:
            headline = f"No problems found in {path.name}."
        else:
            headline = (f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}"
                        f" found in {path.name}.")
            if can_rebuild:
                headline += " Rebuilding the search index puts it right."
            else:
                headline += (" Restore a backup (File ▸ Restore from Backup) or ask the "
                             "OrchestratorChat application to repair the file.")
        self.headline = QLabel(headline, self)
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("Check result")
        self.text = QPlainTextEdit("\n".join(report.lines()), self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Check report")
        buttons = QDialogButtonBox(self)
        copy = buttons.addButton("&Copy Report", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        self.rebuild_button = buttons.addButton("&Rebuild Search Index",
                                                QDialogButtonBox.ButtonRole.ActionRole)
        self.rebuild_button.setVisible(can_rebuild)
        self.rebuild_button.clicked.connect(self._rebuild)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.accept)
        close.setDefault(True)
        top = QVBoxLayout()
        top.addWidget(self.headline)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(top, 1)
        layout.addLayout(row)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def _rebuild(self) -> None:
        self.rebuild_requested.emit()
        self.accept()
