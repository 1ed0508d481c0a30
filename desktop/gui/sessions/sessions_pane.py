"""The left pane: the filter bar above the table of sessions, and the table's context menu."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...data.records import SessionSummary
from ..operations import Reads
from .session_list import SessionFilterBar, SessionListModel, StatusBadgeDelegate

# what the context menu holds: an action, a separator (None), or a titled submenu
MenuItem = QAction | None | tuple[str, Sequence[QAction]]


class SessionsPane(QWidget):
    """The sessions of the open file, filtered; says which one is chosen."""

    current_changed = Signal(object)  # the chosen session's id, or None

    def __init__(self, reads: Reads, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SessionListModel(reads, self)
        self.filter_bar = SessionFilterBar(self)
        self.menu_items: list[MenuItem] = []
        self.table = QTableView(self)
        self.table.setAccessibleName("Sessions")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(1, StatusBadgeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.DescendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((220, 100, 100, 90, 100, 80, 140)):
            header.resizeSection(column, width)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 0, 4)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)
        self.filter_bar.changed.connect(self.model.set_filters)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

    def current_summary(self) -> SessionSummary | None:
        index = self.table.currentIndex()
        return self.model.summary(index.row()) if index.isValid() else None

    def current_session_id(self) -> str | None:
        summary = self.current_summary()
        return summary.session.id if summary else None

    def current_row(self) -> int:
        return self.table.currentIndex().row()

    def select_row(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, 0))

    def select(self, session_id: str, *, scroll: bool = True) -> bool:
        """Make the listed session current; False when it is not in the list."""
        row = self.model.row_of(session_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        if self.table.currentIndex().row() != row:
            self.table.setCurrentIndex(index)
        if scroll:
            self.table.scrollTo(index)
        return True

    def clear_selection(self) -> None:
        self.table.clearSelection()

    def clear_filter(self) -> bool:
        """Reset the filter bar's text and lists without reloading; False when it was clear."""
        bar = self.filter_bar
        widgets = (bar.status, bar.type, bar.project)
        if not bar.text.text() and all(w.currentIndex() == 0 for w in widgets):
            return False
        for widget in (bar.text, *widgets):
            widget.blockSignals(True)
        bar.text.clear()
        for widget in widgets:
            widget.setCurrentIndex(0)
        for widget in (bar.text, *widgets):
            widget.blockSignals(False)
        return True

    def focus_filter(self) -> None:
        self.filter_bar.text.setFocus()
        self.filter_bar.text.selectAll()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        summary = self.model.summary(current.row()) if current.isValid() else None
        self.current_changed.emit(summary.session.id if summary else None)

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        menu = QMenu(self.window())
        for item in self.menu_items:
            if item is None:
                menu.addSeparator()
            elif isinstance(item, tuple):
                submenu = menu.addMenu(item[0])
                for action in item[1]:
                    submenu.addAction(action)
            else:
                menu.addAction(item)
        menu.popup(self.table.viewport().mapToGlobal(position))
