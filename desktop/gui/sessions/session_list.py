"""The session list: a lazily paged table model, its status badge delegate and the filter bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ...data.enums import SessionStatus, SessionType
from ...data.records import Page, SessionSummary
from ...data.sessions import SessionFilter
from .. import style
from ..operations import Reads

if TYPE_CHECKING:
    from ...data import Store

PAGE_SIZE = 200
SESSION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = (
    ("name", "Name"), ("status", "Status"), ("type", "Type"), ("project_id", "Project"),
    ("last_activity_at", "Last activity"), ("message_count", "Messages"), ("agents", "Agents"),
)


SESSION_READS = "session list"  # the door's kind for the pages of the list shown


class SessionListModel(QAbstractTableModel):
    """Sessions, fetched a page at a time off the GUI thread as the view scrolls.

    Sorting and filtering are done by SQLite (`SessionRepository.summaries`), never here.
    """

    loading_changed = Signal(bool)
    failed = Signal(object)
    reloaded = Signal()

    def __init__(self, reads: Reads, parent: Any = None) -> None:
        super().__init__(parent)
        self._reads = reads
        self._store: Store | None = None
        self._rows: list[SessionSummary] = []
        self._cursor: Any = None
        self._loading = False
        self._filters = SessionFilter()
        self._sort = "last_activity_at"
        self._descending = True
        self._preview = False  # rows read before the file was open, until its first page

    # -- state -------------------------------------------------------------------------------

    def set_store(self, store: Store | None) -> None:
        """Show the sessions of another file (or none)."""
        self._store = store
        self.reload()

    def set_filters(self, filters: SessionFilter) -> None:
        if filters != self._filters:
            self._filters = filters
            self.reload()

    @property
    def filters(self) -> SessionFilter:
        return self._filters

    @property
    def order(self) -> dict[str, Any]:
        """The listing's sort and filters, as `session_page` takes them."""
        return {"filters": self._filters, "sort": self._sort, "descending": self._descending}

    def show_preview(self, page: Page) -> None:
        """Rows read before the file is open (`data.preview`): shown until the store's own
        first page replaces them in one reset, so the list never blinks empty."""
        self.beginResetModel()
        self._rows = list(page.items)
        self._cursor = None
        self._preview = True
        self.endResetModel()

    @property
    def is_loading(self) -> bool:
        return self._loading

    def summary(self, row: int) -> SessionSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, session_id: str) -> int:
        """The row showing this session, or -1 when it is not loaded."""
        for row, summary in enumerate(self._rows):
            if summary.session.id == session_id:
                return row
        return -1

    def reload(self) -> None:
        """Start again from the first page with the current sort and filters."""
        self._reads.begin(SESSION_READS)  # pages of the list before it are dropped
        if self._preview and self._store is not None:
            self._cursor, self._loading = None, False
            self._load_page(after=None)  # its rows replace the preview's
            return
        self._preview = False
        self.beginResetModel()
        self._rows = []
        self._cursor = None
        self._loading = False
        self.endResetModel()
        if self._store is not None:
            self._load_page(after=None)

    def refresh(self) -> None:
        """Reload what is shown (as many rows as now), keeping rows in place where possible."""
        if self._store is None or self._loading:
            return
        store, filters, sort, descending = self._store, self._filters, self._sort, self._descending
        wanted = max(len(self._rows), PAGE_SIZE)

        def load() -> Page:
            return store.sessions.summaries(filters=filters, sort=sort, descending=descending,
                                            limit=wanted)

        def done(page: Page) -> None:
            new_rows = list(page.items)
            if [s.session.id for s in new_rows] == [s.session.id for s in self._rows]:
                self._rows = new_rows
                if new_rows:
                    self.dataChanged.emit(self.index(0, 0),
                                          self.index(len(new_rows) - 1, len(COLUMNS) - 1))
            else:
                self.layoutAboutToBeChanged.emit()
                old_ids = [s.session.id for s in self._rows]
                new_ids = [s.session.id for s in new_rows]
                persistent = self.persistentIndexList()
                self._rows = new_rows
                for index in persistent:
                    old_row = index.row()
                    session_id = old_ids[old_row] if old_row < len(old_ids) else None
                    if session_id in new_ids:
                        self.changePersistentIndex(
                            index, self.index(new_ids.index(session_id), index.column()))
                    else:
                        self.changePersistentIndex(index, QModelIndex())
                self.layoutChanged.emit()
            self._cursor = page.next_cursor
            self.reloaded.emit()

        self._reads.op(lambda _store: load()).within(SESSION_READS).success(done) \
            .failure(self.failed.emit).run()

    def _load_page(self, after: Any) -> None:
        if self._store is None or self._loading:
            return
        self._set_loading(True)
        store, filters, sort, descending = self._store, self._filters, self._sort, self._descending

        def load() -> Page:
            return store.sessions.summaries(filters=filters, sort=sort, descending=descending,
                                            after=after, limit=PAGE_SIZE)

        def done(page: Page) -> None:
            self._set_loading(False)
            if self._preview:
                self._take_first_page(page)
            elif page.items:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(page.items) - 1)
                self._rows.extend(page.items)
                self._cursor = page.next_cursor
                self.endInsertRows()
            else:
                self._cursor = None
            if after is None:
                self.reloaded.emit()

        def failed(error: Exception) -> None:
            self._set_loading(False)
            self._cursor = None
            if self._preview:
                self._take_first_page(Page(()))
            self.failed.emit(error)

        self._reads.op(lambda _store: load()).within(SESSION_READS).success(done) \
            .failure(failed).run()

    def _take_first_page(self, page: Page) -> None:
        self.beginResetModel()
        self._rows = list(page.items)
        self._cursor = page.next_cursor
        self._preview = False
        self.endResetModel()

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # -- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        """QAbstractItemModel.canFetchMore: another page exists and none is on its way."""
        return not parent.isValid() and self._cursor is not None and not self._loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        """QAbstractItemModel.fetchMore: ask for the next page; rows arrive later."""
        if self.canFetchMore(parent):
            self._load_page(after=self._cursor)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """QAbstractItemModel.headerData."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.TextAlignmentRole and section == 5:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """QAbstractItemModel.data: formatted from the cached row, never from the database."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        session = summary.session
        column = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "name":
                return session.display_name
            if column == "status":
                return session.status.label
            if column == "type":
                return session.type.label
            if column == "project_id":
                return session.project_id or ""
            if column == "last_activity_at":
                return style.relative_time(session.last_activity_at)
            if column == "message_count":
                return f"{summary.message_count:,}"
            return ", ".join(summary.agent_names)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "last_activity_at":
                return style.exact_time(session.last_activity_at)
            if column == "name":
                return style.plain_tooltip(f"{session.display_name}\n{session.id}")
            if column == "agents":
                return style.plain_tooltip("\n".join(summary.agent_names)) or None
        if role == Qt.ItemDataRole.FontRole and column == "name" and not session.name:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "message_count":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == SESSION_ID_ROLE:
            return session.id
        if role == SUMMARY_ROLE:
            return summary
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """QAbstractItemModel.sort: SQLite sorts; the model reloads from the first page."""
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][0]
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._sort, self._descending):
            self._sort, self._descending = key, descending
            self.reload()


class StatusBadgeDelegate(QStyledItemDelegate):
    """Paints the status column as a coloured, rounded badge."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        """QStyledItemDelegate.paint."""
        summary = index.data(SUMMARY_ROLE)
        if summary is None:
            return super().paint(painter, option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        widget.style().drawControl(widget.style().ControlElement.CE_ItemViewItem, opt, painter,
                                   widget)
        text = summary.session.status.label
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 14
        height = metrics.height() + 4
        rect = QRectF(option.rect.x() + 4, option.rect.center().y() - height / 2 + 1,
                      min(width, option.rect.width() - 8), height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.status_colour(summary.session.status))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        """QStyledItemDelegate.sizeHint."""
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 16, max(hint.height(), option.fontMetrics.height() + 8))


class SessionFilterBar(QWidget):
    """Text, status, type and project filters; emits a SessionFilter as they change."""

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("Filter sessions by name, project or id")
        self.text.setClearButtonEnabled(True)
        self.text.setAccessibleName("Session filter text")
        self.status = QComboBox(self)
        self.status.setAccessibleName("Status filter")
        self.status.addItem("Any status", None)
        for status in SessionStatus:
            self.status.addItem(status.label, status)
        self.type = QComboBox(self)
        self.type.setAccessibleName("Type filter")
        self.type.addItem("Any type", None)
        for kind in SessionType:
            self.type.addItem(kind.label, kind)
        self.project = QComboBox(self)
        self.project.setAccessibleName("Project filter")
        self.project.addItem("Any project", None)
        # the text on a row of its own: beside the three lists a narrow pane left it a few
        # pixels ("gnal"); the lists shrink to a few characters rather than push the pane wide
        layout.setDirection(QHBoxLayout.Direction.TopToBottom)
        layout.setSpacing(4)
        layout.addWidget(self.text)
        choices = QHBoxLayout()
        for combo in (self.status, self.type, self.project):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            choices.addWidget(combo, 1)
        layout.addLayout(choices)
        self.text.textChanged.connect(self._emit)
        for combo in (self.status, self.type, self.project):
            combo.currentIndexChanged.connect(self._emit)
        clear = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.text)
        clear.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear.activated.connect(self.text.clear)

    def set_projects(self, projects: list[str]) -> None:
        """Offer these project ids, keeping the current choice when it is still there."""
        current = self.project.currentData()
        self.project.blockSignals(True)
        self.project.clear()
        self.project.addItem("Any project", None)
        for project in projects:
            self.project.addItem(project, project)
        found = self.project.findData(current) if current else 0
        self.project.setCurrentIndex(max(found, 0))
        self.project.blockSignals(False)
        if current and found < 0:
            self._emit()

    def current(self) -> SessionFilter:
        text = self.text.text().strip()
        return SessionFilter(status=self.status.currentData(), type=self.type.currentData(),
                             project_id=self.project.currentData(), text=text or None)

    def _emit(self) -> None:
        self.changed.emit(self.current())
