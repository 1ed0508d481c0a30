"""Search as you type: debounced queries off the GUI thread, hits with highlighted snippets."""

from __future__ import annotations

import html
from datetime import datetime, time, timezone
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..data import Store
from ..data.enums import MessageRole
from ..data.search import IndexState, SearchFilter, SearchHit, SearchResult
from . import style
from .tasks import TaskRunner

HIT_ROLE = Qt.ItemDataRole.UserRole + 20
DEBOUNCE_MS = 250


class SearchResultsModel(QAbstractListModel):
    """The hits of the latest search."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: tuple[SearchHit, ...] = ()

    def set_hits(self, hits: tuple[SearchHit, ...]) -> None:
        self.beginResetModel()
        self._hits = hits
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """QAbstractItemModel.data."""
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{hit_title(hit)}: {hit.snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return style.exact_time(hit.timestamp)
        if role == HIT_ROLE:
            return hit
        return None


def hit_title(hit: SearchHit) -> str:
    who = style.isolate(hit.agent_name) if hit.agent_name else hit.role.label
    parts = [style.isolate(hit.session_name or "Untitled session"), hit.number, who]
    return " · ".join(p for p in parts if p)


def snippet_html(hit: SearchHit) -> str:
    """The snippet as escaped HTML with the matched terms in bold on a marker colour."""
    parts, last = [], 0
    for start, end in hit.highlights:
        parts.append(html.escape(hit.snippet[last:start]))
        parts.append(f"<b style='background:#fff176;color:#000'>"
                     f"{html.escape(hit.snippet[start:end])}</b>")
        last = end
    parts.append(html.escape(hit.snippet[last:]))
    return "".join(parts).replace("\n", " ")


class SearchHitDelegate(QStyledItemDelegate):
    """Title line, then the snippet with highlights."""

    def _doc(self, index: QModelIndex | QPersistentModelIndex, width: int,
             palette: QPalette) -> QTextDocument:
        hit: SearchHit = index.data(HIT_ROLE)
        doc = QTextDocument()
        doc.setDocumentMargin(4)
        muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
        doc.setHtml(f"<div style='color:{muted}'>{html.escape(hit_title(hit))}</div>"
                    f"<div>{snippet_html(hit)}</div>")
        doc.setTextWidth(max(width, 100))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        """QStyledItemDelegate.paint."""
        if index.data(HIT_ROLE) is None:
            return
        widget = option.widget
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget.style().drawControl(widget.style().ControlElement.CE_ItemViewItem, opt, painter,
                                   widget)
        doc = self._doc(index, option.rect.width(), option.palette)
        painter.save()
        painter.translate(option.rect.topLeft())
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = option.palette
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        """QStyledItemDelegate.sizeHint."""
        if index.data(HIT_ROLE) is None:
            return QSize(0, 0)
        width = option.rect.width() or 300
        return QSize(width, int(self._doc(index, width, option.palette).size().height()))


class SearchPanel(QWidget):
    """Search field, filters and results; emits `hit_chosen(hit, terms_text)`."""

    hit_chosen = Signal(object, str)
    failed = Signal(object)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._store: Store | None = None
        self._session_id: str | None = None
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("Search all messages (Ctrl+F)")
        self.query.setClearButtonEnabled(True)
        self.query.setAccessibleName("Search messages")
        filters = QGridLayout()
        self.this_session = QCheckBox("Current session only", self)
        self.role = QComboBox(self)
        self.role.setAccessibleName("Role filter")
        self.role.addItem("Any role", None)
        for role in MessageRole:
            self.role.addItem(role.label, role)
        self.agent = QComboBox(self)
        self.agent.setAccessibleName("Agent filter")
        self.agent.addItem("Any agent", None)
        self.use_since = QCheckBox("Since", self)
        self.since = QDateEdit(self)
        self.since.setAccessibleName("Search messages since date")
        self.since.setCalendarPopup(True)
        self.since.setDate(QDate.currentDate().addMonths(-1))
        self.since.setEnabled(False)
        self.use_until = QCheckBox("Until", self)
        self.until = QDateEdit(self)
        self.until.setAccessibleName("Search messages until date")
        self.until.setCalendarPopup(True)
        self.until.setDate(QDate.currentDate())
        self.until.setEnabled(False)
        filters.addWidget(self.this_session, 0, 0, 1, 2)
        filters.addWidget(self.role, 1, 0)
        filters.addWidget(self.agent, 1, 1)
        filters.addWidget(self.use_since, 2, 0)
        filters.addWidget(self.since, 2, 1)
        filters.addWidget(self.use_until, 3, 0)
        filters.addWidget(self.until, 3, 1)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Search status")
        self.results = QListView(self)
        self.results.setAccessibleName("Search results")
        self.model = SearchResultsModel(self.results)
        self.results.setModel(self.model)
        self.results.setItemDelegate(SearchHitDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self.run_search)
        for signal in (self.this_session.toggled, self.role.currentIndexChanged,
                       self.agent.currentIndexChanged, self.use_since.toggled,
                       self.since.dateChanged, self.use_until.toggled,
                       self.until.dateChanged):
            signal.connect(lambda *_: self._timer.start())
        self.use_since.toggled.connect(self.since.setEnabled)
        self.use_until.toggled.connect(self.until.setEnabled)
        self.results.activated.connect(self._choose)
        self.results.clicked.connect(self._choose)

    def set_store(self, store: Store | None) -> None:
        self._store = store
        self.model.set_hits(())
        self.status.setText("")

    def set_agents(self, agents: list[tuple[str, str]]) -> None:
        current = self.agent.currentData()
        self.agent.blockSignals(True)
        self.agent.clear()
        self.agent.addItem("Any agent", None)
        for agent_id, name in agents:
            self.agent.addItem(name, agent_id)
        self.agent.setCurrentIndex(max(self.agent.findData(current), 0) if current else 0)
        self.agent.blockSignals(False)

    def set_session(self, session_id: str | None) -> None:
        self._session_id = session_id
        if self.this_session.isChecked():
            self._timer.start()

    def current_filter(self) -> SearchFilter:
        since = until = None
        if self.use_since.isChecked():
            since = _utc(datetime.combine(self.since.date().toPython(), time()))
        if self.use_until.isChecked():  # the whole of that day
            until = _utc(datetime.combine(self.until.date().toPython(), time.max))
        return SearchFilter(
            session_id=self._session_id if self.this_session.isChecked() else None,
            role=self.role.currentData(), agent_id=self.agent.currentData(), since=since,
            until=until)

    def run_search(self, quiet: bool = False) -> None:
        """Search now (the field's edits call this after a short pause); `quiet` keeps the
        results and status on screen until the new ones arrive (a refresh, not a new search)."""
        text = self.query.text()
        self._generation += 1
        if self._store is None or not text.strip():
            self.model.set_hits(())
            self.status.setText("")
            return
        store, filters, generation = self._store, self.current_filter(), self._generation
        if not quiet:
            self.status.setText("Searching…")

        def done(result: SearchResult) -> None:
            if generation != self._generation:
                return
            self.model.set_hits(result.hits)
            if result.state is IndexState.BUILDING:
                self.status.setText(f"Search is not ready yet: {result.note}")
            elif not result.hits:
                self.status.setText("No messages match." if result.query or text.strip()
                                    else "")
            else:
                extra = f" {result.note}" if result.note else ""
                count = len(result.hits)
                found = "1 match." if count == 1 else f"{count} best matches."
                self.status.setText(f"{found}{extra}")

        def failed(error: Exception) -> None:
            if generation == self._generation:
                self.status.setText(f"Search failed: {error}")

        self._runner.submit(lambda: store.search.search(text, filters, limit=50), done, failed)

    def _choose(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row())
        if hit is not None:
            self.hit_chosen.emit(hit, self.query.text())


def _utc(local_time: datetime) -> datetime:
    """A naive local time (what the date fields mean) as the naive UTC the file stores."""
    return local_time.astimezone(timezone.utc).replace(tzinfo=None)
