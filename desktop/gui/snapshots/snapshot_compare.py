"""The comparison view: what changed in a session since a snapshot of it was taken."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...data.snapshot_compare import MessageChange, SnapshotComparison
from .. import style

KIND_LABELS = {"added": "+ Added", "removed": "− Removed", "changed": "~ Changed"}
COLUMNS = ("Change", "#", "Role", "What changed", "In the snapshot", "Now")
CHANGE_ROLE = Qt.ItemDataRole.UserRole + 1


def _first_line(text: str | None) -> str:
    if text is None:
        return ""
    line = text.strip().splitlines()[0] if text.strip() else "(empty)"
    return line if len(line) <= 120 else line[:119] + "…"


def summary_text(comparison: SnapshotComparison) -> str:
    """One sentence: how many messages were added, removed and changed since."""
    if comparison.is_same:
        return "Nothing has changed since this snapshot was taken."
    parts = [f"{comparison.added:,} added", f"{comparison.removed:,} removed",
             f"{comparison.changed:,} changed", f"{comparison.unchanged:,} unchanged"]
    text = "Messages since the snapshot: " + ", ".join(parts) + "."
    if comparison.session_fields:
        text += " The session's " + ", ".join(comparison.session_fields) + " changed."
    if comparison.members_changed:
        text += " Its agents changed."
    if comparison.truncated:
        text += f" Only the first {len(comparison.changes):,} changes are listed."
    return text


class ComparisonModel(QAbstractTableModel):
    """The listed changes, optionally only one kind."""

    def __init__(self, comparison: SnapshotComparison, parent: Any = None) -> None:
        super().__init__(parent)
        self._all = comparison.changes
        self._rows: tuple[MessageChange, ...] = self._all

    def set_kind(self, kind: str | None) -> None:
        """Show only "added", "removed" or "changed" changes, or all (None)."""
        self.beginResetModel()
        self._rows = self._all if kind is None else tuple(c for c in self._all if c.kind == kind)
        self.endResetModel()

    def change(self, row: int) -> MessageChange | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """QAbstractItemModel.headerData."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """QAbstractItemModel.data."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        change = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (KIND_LABELS.get(change.kind, change.kind),
                    "" if change.sequence_number is None else str(change.sequence_number),
                    change.role.label if change.role is not None else "",
                    ", ".join(change.fields) if change.kind == "changed" else "",
                    _first_line(change.before), _first_line(change.after))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (4, 5):
            return style.plain_tooltip((change.before, change.after)[column - 4])
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == CHANGE_ROLE:
            return change
        return None


class SnapshotCompareDialog(QDialog):
    """A snapshot compared with its session now: a summary, the changes, and the selected
    message's text then and now."""

    def __init__(self, comparison: SnapshotComparison, session_name: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison = comparison
        name = comparison.snapshot.name or "Unnamed snapshot"
        self.setWindowTitle(f"Compare “{name}” with now")
        self.setAccessibleName("Snapshot comparison")
        self.resize(900, 560)
        heading = QLabel(f"<b>“{html.escape(name)}” compared with "
                         f"“{html.escape(session_name or 'Untitled session')}” now</b>", self)
        self.summary = QLabel(summary_text(comparison), self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Comparison summary")
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Show changes")
        for label, kind in (("All changes", None), ("Added", "added"), ("Removed", "removed"),
                            ("Changed", "changed")):
            self.kind.addItem(label, kind)
        shown = QLabel("&Show:", self)
        shown.setBuddy(self.kind)
        self.model = ComparisonModel(comparison, self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Changed messages")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((100, 60, 80, 150, 230)):
            header.resizeSection(column, width)
        self.before = self._text_box("The message in the snapshot")
        self.after = self._text_box("The message now")
        texts = QWidget(self)
        grid = QGridLayout(texts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("In the snapshot (start):", self), 0, 0)
        grid.addWidget(QLabel("Now (start):", self), 0, 1)
        grid.addWidget(self.before, 1, 0)
        grid.addWidget(self.after, 1, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(texts)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(shown)
        top.addWidget(self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self.model.set_kind(
            self.kind.currentData()))
        self.model.modelReset.connect(self._select_first)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_change(self.model.change(current.row())))
        self._select_first()

    def _text_box(self, name: str) -> QPlainTextEdit:
        box = QPlainTextEdit(self)
        box.setReadOnly(True)
        box.setAccessibleName(name)
        box.setTabChangesFocus(True)
        box.setMinimumHeight(box.fontMetrics().lineSpacing() * 5 + 12)
        return box

    def _select_first(self) -> None:
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))
        else:
            self._show_change(None)

    def _show_change(self, change: MessageChange | None) -> None:
        self.before.setPlainText("" if change is None else
                                 (change.before if change.before is not None else
                                  "(not in the snapshot)"))
        self.after.setPlainText("" if change is None else
                                (change.after if change.after is not None else
                                 "(not in the session now)"))
