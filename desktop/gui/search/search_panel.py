"""Search as you type: debounced queries off the GUI thread, hits with highlighted snippets."""

from __future__ import annotations

import html
import logging
from datetime import datetime, time, timezone
from typing import TYPE_CHECKING, Any

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
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ...data.enums import MessageRole
from ...data.search import IndexState, SearchFilter, SearchHit, SearchResult
from .. import style
from ..operations import Reads

if TYPE_CHECKING:
    from ...data import Store

log = logging.getLogger(__name__)

HIT_ROLE = Qt.ItemDataRole.UserRole + 20
DEBOUNCE_MS = 250
PAGE_SIZE = 50
DATE_FORMAT = "yyyy-MM-dd"  # under the C locale Qt's default reads "1 11 2026"
REFRESH_LIMIT = 2_000  # a refresh after an outside change reloads at most this many hits


class SearchResultsModel(QAbstractListModel):
    """The hits of the latest search, a page at a time: the view asks for more
    (`canFetchMore`/`fetchMore`) as the person scrolls down, and `more_wanted` tells the panel
    to read the next page off the GUI thread."""

    more_wanted = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: tuple[SearchHit, ...] = ()
        self.has_more = False
        self.fetching = False

    def set_hits(self, hits: tuple[SearchHit, ...], has_more: bool = False) -> None:
        self.beginResetModel()
        self._hits = hits
        self.has_more = has_more
        self.fetching = False
        self.endResetModel()

    def replace_hits(self, hits: tuple[SearchHit, ...], has_more: bool) -> None:
        """New hits for the same search (a refresh): rows change in place, so the view keeps
        its scroll position and selection where the rows are still there."""
        old, new = len(self._hits), len(hits)
        self.fetching = False
        self.has_more = has_more
        if new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            self._hits = hits
            self.endRemoveRows()
        elif new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self._hits = hits
            self.endInsertRows()
        self._hits = hits
        if min(old, new):
            self.dataChanged.emit(self.index(0), self.index(min(old, new) - 1))

    def append_hits(self, hits: tuple[SearchHit, ...], has_more: bool) -> None:
        """The next page, below the hits shown."""
        self.fetching = False
        self.has_more = has_more
        if hits:
            first = len(self._hits)
            self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
            self._hits += hits
            self.endInsertRows()

    def number_hits(self, numbered: tuple[SearchHit, ...]) -> None:
        """The same hits with their places in their threads (they come after the page)."""
        by_id = {hit.message_id: hit for hit in numbered}
        rows = [n for n, hit in enumerate(self._hits) if hit.message_id in by_id
                and by_id[hit.message_id].position != hit.position]
        if rows:
            self._hits = tuple(by_id.get(hit.message_id, hit) for hit in self._hits)
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]))

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        """QAbstractItemModel.canFetchMore: another page is there and not yet asked for."""
        return not parent.isValid() and self.has_more and not self.fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        """QAbstractItemModel.fetchMore: ask for the next page (it arrives later)."""
        if self.canFetchMore(parent):
            self.fetching = True
            self.more_wanted.emit()

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
             palette: QPalette, selected: bool = False) -> QTextDocument:
        hit: SearchHit = index.data(HIT_ROLE)
        doc = QTextDocument()
        doc.setDocumentMargin(4)
        # on the selection's colour the title takes the selection's text colour: the muted
        # placeholder colour is unreadable there
        muted = palette.color(QPalette.ColorRole.HighlightedText if selected
                              else QPalette.ColorRole.PlaceholderText).name()
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
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = QPalette(option.palette)
        if selected:
            palette.setColor(QPalette.ColorRole.Text,
                             palette.color(QPalette.ColorRole.HighlightedText))
        doc = self._doc(index, option.rect.width(), palette, selected)
        painter.save()
        painter.translate(option.rect.topLeft())
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = palette
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        """QStyledItemDelegate.sizeHint."""
        if index.data(HIT_ROLE) is None:
            return QSize(0, 0)
        width = option.rect.width() or 300
        return QSize(width, int(self._doc(index, width, option.palette).size().height()))


SEARCH_READS = "search"  # the door's kind for the pages of the search shown


class SearchPanel(QWidget):
    """Search field, filters and results; emits `hit_chosen(hit, terms_text)`."""

    hit_chosen = Signal(object, str)
    failed = Signal(object)

    def __init__(self, reads: Reads, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reads = reads
        self._store: Store | None = None
        self._session_id: str | None = None
        self._next_page: tuple[Any, ...] | None = None
        self._total_text = ""
        self._counting = False
        self._note = ""
        self._order = "best first"
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
        self.since.setDisplayFormat(DATE_FORMAT)
        self.since.setDate(QDate.currentDate().addMonths(-1))
        self.since.setEnabled(False)
        self.use_until = QCheckBox("Until", self)
        self.until = QDateEdit(self)
        self.until.setAccessibleName("Search messages until date")
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat(DATE_FORMAT)
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
        # while the index is built: how much of the file a search covered (hidden when all)
        self.coverage = QLabel("", self)
        self.coverage.setWordWrap(True)
        self.coverage.setAccessibleName("Search coverage")
        self.coverage.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.coverage.hide()
        self.results = QListView(self)
        self.results.setAccessibleName("Search results")
        self.model = SearchResultsModel(self.results)
        self.results.setModel(self.model)
        self.model.more_wanted.connect(self._fetch_more)
        self.results.setItemDelegate(SearchHitDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.coverage)
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
        self._show_coverage("")

    def _show_coverage(self, text: str) -> None:
        self.coverage.setText(text)
        self.coverage.setVisible(bool(text))

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
        self._reads.begin(SEARCH_READS)  # the answers to the search before are dropped
        if self._store is None or not text.strip():
            self.model.set_hits(())
            self.status.setText("")
            self._show_coverage("")
            return
        store, filters = self._store, self.current_filter()
        # a refresh reads again as many hits as were loaded, in place (replace_hits)
        limit = min(max(PAGE_SIZE, self.model.rowCount()), REFRESH_LIMIT) if quiet else PAGE_SIZE
        if not quiet:
            self.status.setText("Searching…")

        def done(result: SearchResult) -> None:
            self._next_page = result.next_page
            self._total_text = result.total_text
            self._counting = result.ranked and result.next_page is not None  # _number's count
            self._note = result.note
            self._order = "best first" if result.ranked else "newest first"
            if quiet:
                self.model.replace_hits(result.hits, result.next_page is not None)
                bar = self.results.verticalScrollBar()
                if bar.value() == bar.maximum():  # at the end already: no scroll will ask
                    self.model.fetchMore()
            else:
                self.model.set_hits(result.hits, result.next_page is not None)
            self._show_coverage(result.coverage_text)
            if result.state is IndexState.BUILDING and result.searched is None:
                self.status.setText(f"Search is not ready yet: {result.note}")
            elif not result.hits:
                self.status.setText("No messages match." if result.query or text.strip()
                                    else "")
            else:
                self._show_count()
            self._number(result, filters, count=True)

        def failed(error: Exception) -> None:
            self.status.setText(f"Search failed: {error}")

        self._reads.op(lambda _store: store.search.search(text, filters, limit=limit,
                                                          numbered=False)) \
            .within(SEARCH_READS).success(done).failure(failed).run()

    def _number(self, result: SearchResult, filters: SearchFilter, count: bool) -> None:
        """Once hits are shown: their places in their threads and (`count`) the number of
        matches, which can take longer to read than the page itself."""
        store = self._store
        if store is None or not result.hits:
            return

        def done(numbered: SearchResult) -> None:
            self.model.number_hits(numbered.hits)
            if count:
                self._counting = False
                self._total_text = numbered.total_text
                self._show_count()

        def failed(error: Exception) -> None:  # the hits stay, without their numbers
            log.warning("numbering search hits failed: %s", error)

        self._reads.op(lambda _store: store.search.number(result, filters, count=count)) \
            .within(SEARCH_READS).success(done).failure(failed).run()

    def _show_count(self) -> None:
        """"1,226 matches, best first; showing 50, scroll down for more." or, all shown,
        "7 matches, best first."."""
        shown = self.model.rowCount()
        if not self.model.has_more:
            text = "1 match." if shown == 1 else f"{shown:,} matches, {self._order}."
        elif self._counting and not self._total_text:
            text = f"Showing {shown:,}, {self._order}; counting the matches…"
        else:
            total = self._total_text or f"more than {shown:,} matches"
            text = (f"{total[0].upper()}{total[1:]}, {self._order}; showing {shown:,}, scroll "
                    "down for more.")
        self.status.setText(f"{text} {self._note}".strip())

    def _fetch_more(self) -> None:
        """The next page of the current search, appended when it comes."""
        store, after = self._store, self._next_page
        if store is None or after is None:
            self.model.append_hits((), False)
            return
        text, filters = self.query.text(), self.current_filter()

        def done(result: SearchResult) -> None:
            self._next_page = result.next_page
            self.model.append_hits(result.hits, result.next_page is not None)
            self._show_coverage(result.coverage_text)
            self._show_count()
            self._number(result, filters, count=False)

        def failed(error: Exception) -> None:
            self.model.append_hits((), False)
            self.status.setText(f"Search failed: {error}")

        self._reads.op(lambda _store: store.search.search(text, filters, limit=PAGE_SIZE,
                                                          after=after, numbered=False)) \
            .within(SEARCH_READS).success(done).failure(failed).run()

    def _choose(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row())
        if hit is not None:
            self.hit_chosen.emit(hit, self.query.text())


def _utc(local_time: datetime) -> datetime:
    """A naive local time (what the date fields mean) as the naive UTC the file stores."""
    return local_time.astimezone(timezone.utc).replace(tzinfo=None)
