"""The message thread: a windowed list model paged in both directions, and its view.

Only a window of messages lives in memory (`MAX_ROWS`): scrolling down appends a page and drops
rows far above, scrolling up does the reverse, and "jump to end" replaces the window, so a
100,000-message session opens as fast as a short one and memory stays flat.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..data import Store
from ..data.records import MessageRecord, SessionStatistics
from ..data.sessions import MessagePage
from . import link_opening, style
from .message_render import LONG_LINE, break_long_lines, build_document, header_text
from .tasks import TaskRunner

PAGE_SIZE = 60
MAX_ROWS = 360
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 10
EXPANDED_ROLE = Qt.ItemDataRole.UserRole + 11
HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole + 12


class MessageThreadModel(QAbstractListModel):
    """A window onto one session's messages, in sequence order."""

    loading_changed = Signal(bool)
    failed = Signal(object)
    window_replaced = Signal()
    older_inserted = Signal(int)  # how many rows were inserted at the top

    def __init__(self, runner: TaskRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._store: Store | None = None
        self.session_id: str | None = None
        self._rows: list[MessageRecord] = []
        self._has_before = False
        self._has_after = False
        self._loading = False
        self._generation = 0
        self._expanded: set[str] = set()
        self.highlight_id: str | None = None
        self.highlight_terms: tuple[str, ...] = ()

    # -- loading ---------------------------------------------------------------------------

    def set_store(self, store: Store | None) -> None:
        self._store = store
        self.show_session(None)

    def show_session(self, session_id: str | None, *, at_end: bool = False,
                     around: str | None = None, terms: tuple[str, ...] = ()) -> None:
        """Load a session's first page (or last page, or the page around one message)."""
        self._generation += 1
        self.beginResetModel()
        self.session_id = session_id
        self._rows = []
        self._has_before = self._has_after = False
        self._loading = False
        self._expanded.clear()
        self.highlight_id = around
        self.highlight_terms = terms
        self.endResetModel()
        if session_id is None or self._store is None:
            return
        store, generation = self._store, self._generation

        def load() -> MessagePage | None:
            if around:
                page = store.sessions.messages_around(session_id, around, context=PAGE_SIZE // 2)
                if page is not None:
                    return page
            return store.sessions.messages_page(session_id, last=at_end, limit=PAGE_SIZE)

        self._start(load, lambda page: self._replace(page, generation), generation)

    def jump_to_end(self) -> None:
        """Show the last page at once, however long the session."""
        if self.session_id:
            if not self._has_after and self._rows:
                self.window_replaced.emit()
                return
            self.show_session(self.session_id, at_end=True)

    def jump_to_start(self) -> None:
        if self.session_id:
            if not self._has_before and self._rows:
                self.window_replaced.emit()
                return
            self.show_session(self.session_id)

    def fetch_older(self) -> None:
        """Insert the previous page at the top."""
        if not (self._has_before and self._rows and not self._loading and self._store):
            return
        store, session_id, cursor = self._store, self.session_id, self._rows[0].cursor
        generation = self._generation
        self._start(lambda: store.sessions.messages_page(session_id, before=cursor,
                                                         limit=PAGE_SIZE),
                    lambda page: self._prepend(page, generation), generation)

    def fetch_newer(self) -> None:
        """Append the next page at the bottom."""
        if not (self._has_after and self._rows and not self._loading and self._store):
            return
        store, session_id, cursor = self._store, self.session_id, self._rows[-1].cursor
        generation = self._generation
        self._start(lambda: store.sessions.messages_page(session_id, after=cursor,
                                                         limit=PAGE_SIZE),
                    lambda page: self._append(page, generation), generation)

    def refresh(self) -> None:
        """Reload the messages in the window and pick up new ones at the end."""
        if not (self._store and self.session_id) or self._loading:
            return
        store, session_id, generation = self._store, self.session_id, self._generation
        first = self._rows[0].cursor if self._rows else None
        count = max(len(self._rows), PAGE_SIZE) + (PAGE_SIZE if not self._has_after else 0)

        def load() -> MessagePage:
            return store.sessions.messages_page(session_id, after=first, include_cursor=True,
                                                limit=count) if first else \
                store.sessions.messages_page(session_id, limit=count)

        def done(page: MessagePage) -> None:
            if generation != self._generation:
                return
            old_ids = [m.id for m in self._rows]
            new_ids = [m.id for m in page.messages]
            if new_ids[:len(old_ids)] == old_ids:
                self._rows[:len(old_ids)] = page.messages[:len(old_ids)]
                if old_ids:
                    self.dataChanged.emit(self.index(0), self.index(len(old_ids) - 1))
                extra = page.messages[len(old_ids):]
                if extra:
                    self.beginInsertRows(QModelIndex(), len(self._rows),
                                         len(self._rows) + len(extra) - 1)
                    self._rows.extend(extra)
                    self.endInsertRows()
                self._has_after = page.has_after
            else:
                self.beginResetModel()
                self._rows = list(page.messages)
                self._has_after = page.has_after
                self.endResetModel()
                self.window_replaced.emit()

        self._start(load, done, generation)

    def _start(self, load: Any, done: Any, generation: int) -> None:
        self._set_loading(True)

        def finish(result: Any) -> None:
            if generation == self._generation:
                self._set_loading(False)
                done(result)

        def fail(error: Exception) -> None:
            if generation == self._generation:
                self._set_loading(False)
                self.failed.emit(error)

        self._runner.submit(load, finish, fail)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _replace(self, page: MessagePage, generation: int) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = list(page.messages)
        self._has_before, self._has_after = page.has_before, page.has_after
        self.endResetModel()
        self.window_replaced.emit()

    def _prepend(self, page: MessagePage, generation: int) -> None:
        if generation != self._generation or not page.messages:
            self._has_before = False if generation == self._generation else self._has_before
            return
        count = len(page.messages)
        self.beginInsertRows(QModelIndex(), 0, count - 1)
        self._rows[0:0] = page.messages
        self._has_before = page.has_before
        self.endInsertRows()
        self.older_inserted.emit(count)
        excess = len(self._rows) - MAX_ROWS
        if excess > 0:
            first = len(self._rows) - excess
            self.beginRemoveRows(QModelIndex(), first, len(self._rows) - 1)
            del self._rows[first:]
            self._has_after = True
            self.endRemoveRows()

    def _append(self, page: MessagePage, generation: int) -> None:
        if generation != self._generation:
            return
        self._has_after = page.has_after
        if not page.messages:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.messages) - 1)
        self._rows.extend(page.messages)
        self.endInsertRows()
        excess = len(self._rows) - MAX_ROWS
        if excess > 0:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            del self._rows[:excess]
            self._has_before = True
            self.endRemoveRows()

    # -- state for views ----------------------------------------------------------------------

    @property
    def has_before(self) -> bool:
        return self._has_before

    @property
    def has_after(self) -> bool:
        return self._has_after

    @property
    def is_loading(self) -> bool:
        return self._loading

    def message(self, row: int) -> MessageRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, message_id: str) -> int:
        for row, message in enumerate(self._rows):
            if message.id == message_id:
                return row
        return -1

    def toggle_tool_call(self, row: int, call_id: str) -> None:
        """Expand or collapse one tool call of the message in `row`."""
        self._expanded ^= {call_id}
        index = self.index(row)
        self.dataChanged.emit(index, index, [EXPANDED_ROLE])

    # -- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        """QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """QAbstractItemModel.data: straight from the cached records."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        message = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (message.content or "")[:200]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return header_text(message)
        if role == Qt.ItemDataRole.ToolTipRole:
            return style.plain_tooltip(header_text(message))
        if role == MESSAGE_ROLE:
            return message
        if role == EXPANDED_ROLE:
            return frozenset(c.id for c in message.tool_calls if c.id in self._expanded)
        if role == HIGHLIGHT_ROLE:
            return self.highlight_terms if message.id == self.highlight_id else ()
        return None


class MessageDelegate(QStyledItemDelegate):
    """Paints a message as a laid-out document; handles clicks on its links."""

    open_full_message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cache: OrderedDict[tuple, Any] = OrderedDict()

    def _document(self, index: QModelIndex | QPersistentModelIndex, width: int,
                  palette: QPalette) -> Any:
        message: MessageRecord = index.data(MESSAGE_ROLE)
        expanded = index.data(EXPANDED_ROLE) or frozenset()
        terms = index.data(HIGHLIGHT_ROLE) or ()
        key = (message.id, width, expanded, terms, palette.cacheKey(), message)
        doc = self._cache.get(key)
        if doc is None:
            doc = build_document(message, palette, expanded, terms)
            doc.setTextWidth(max(width - 16, 100))
            self._cache[key] = doc
            if len(self._cache) > 400:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return doc

    def clear_cache(self) -> None:
        self._cache.clear()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        """QStyledItemDelegate.paint."""
        message = index.data(MESSAGE_ROLE)
        if message is None:
            return
        painter.save()
        rect = option.rect.adjusted(4, 3, -4, -3)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.role_tint(message.role, option.palette))
        painter.drawRoundedRect(rect, 6, 6)
        selected = bool(option.state & style_state_selected())
        if selected or index.data(HIGHLIGHT_ROLE):
            pen = option.palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 6, 6)
        doc = self._document(index, self.row_width(option), option.palette)
        painter.translate(rect.topLeft() + QPoint(4, 0))
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = option.palette
        context.palette.setColor(QPalette.ColorRole.Text,
                                 option.palette.color(QPalette.ColorRole.Text))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        """QStyledItemDelegate.sizeHint: the laid-out height at the view's width."""
        if index.data(MESSAGE_ROLE) is None:
            return QSize(0, 0)
        width = self.row_width(option)
        doc = self._document(index, width, option.palette)
        return QSize(width, int(doc.size().height()) + 8)

    def row_width(self, option: QStyleOptionViewItem) -> int:
        """The viewport's width, so a bubble never runs under the vertical scroll bar (which
        narrows the viewport when it appears) and no horizontal scroll bar is needed."""
        view = self.parent()
        if isinstance(view, QAbstractItemView) and view.viewport().width() > 0:
            return view.viewport().width()
        return option.rect.width() or 600

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem,
                    index: QModelIndex | QPersistentModelIndex) -> bool:
        """QStyledItemDelegate.editorEvent: follow a clicked link in the message."""
        if event.type() != QEvent.Type.MouseButtonRelease or \
                event.button() != Qt.MouseButton.LeftButton:
            return False
        href = self.anchor_at(index, option, event.position())
        return self.follow(href, index) if href else False

    def anchor_at(self, index: QModelIndex | QPersistentModelIndex,
                  option: QStyleOptionViewItem, position: QPointF) -> str:
        doc = self._document(index, self.row_width(option), option.palette)
        rect = option.rect.adjusted(4, 3, -4, -3)
        local = position - QPointF(rect.topLeft() + QPoint(4, 0))
        return doc.documentLayout().anchorAt(local)

    def parent_widget(self) -> QWidget | None:
        """The window that questions about a clicked link are asked over."""
        parent = self.parent()
        return parent.window() if isinstance(parent, QWidget) else None

    def follow(self, href: str, index: QModelIndex | QPersistentModelIndex) -> bool:
        """Act on a clicked anchor; links from the file open only after the person agrees."""
        kind, _, value = href.partition(":")
        if kind == "toggle":
            index.model().toggle_tool_call(index.row(), value)
            return True
        if kind == "attachment":
            message = index.data(MESSAGE_ROLE)
            attachments = message.attachments if message is not None else ()
            if value.isdigit() and int(value) < len(attachments):
                link_opening.open_attachment(self.parent_widget(), attachments[int(value)])
            return True
        if kind == "link":
            link_opening.open_message_link(self.parent_widget(), value)
            return True
        if kind == "full":
            self.open_full_message.emit(value)
            return True
        return False


def style_state_selected() -> Any:
    from PySide6.QtWidgets import QStyle

    return QStyle.StateFlag.State_Selected


class MessageList(QListView):
    """A list of bubbles whose heights depend on its width: QListView re-lays its rows out
    when its height changes, not its width (a top-to-bottom list assumes rows ignore width),
    so when the vertical scroll bar appears or the pane narrows, the rows kept the heights of
    the old width and their text ran under the scroll bar and out of the bubbles."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        """QWidget.resizeEvent: a new width lays every row out again."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()


class ThreadView(QWidget):
    """Totals line above the message list; loads more as the person scrolls either way."""

    def __init__(self, model: MessageThreadModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.totals = QLabel("No session selected", self)
        self.totals.setAccessibleName("Session totals")
        self.totals.setWordWrap(True)
        self.list = MessageList(self)
        self.list.setAccessibleName("Messages")
        self.list.setModel(model)
        self.delegate = MessageDelegate(self.list)
        self.list.setItemDelegate(self.delegate)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.verticalScrollBar().setSingleStep(24)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setMouseTracking(True)
        layout.addWidget(self.totals)
        layout.addWidget(self.list, 1)
        self.list.verticalScrollBar().valueChanged.connect(self._maybe_fetch)
        model.window_replaced.connect(self._after_replace)
        model.older_inserted.connect(self._keep_position_after_prepend)
        model.rowsInserted.connect(lambda *_: QTimer.singleShot(0, self._maybe_fetch))
        self.delegate.open_full_message.connect(self.show_full_message)
        self._scroll_to_end_after_load = False

    def set_statistics(self, stats: SessionStatistics | None) -> None:
        if stats is None:
            self.totals.setText("No session selected")
            return
        agents = style.count_of(stats.agent_count, "agent")
        if stats.message_count == 0:
            self.totals.setText(f"This session has no messages yet  ·  {agents}")
            return
        # each part kept on one line (no-break spaces): a narrow pane wraps between parts,
        # never inside "13 d 21 h"
        parts = (style.count_of(stats.message_count, "message"),
                 style.count_of(stats.total_tokens, "token"),
                 style.count_of(stats.tool_call_count, "tool call"), agents,
                 ("active " if stats.ongoing else "")
                 + style.human_duration(stats.duration.total_seconds()))
        self.totals.setText("  ·  ".join(part.replace(" ", "\u00a0") for part in parts))

    def jump_to_end(self) -> None:
        self._scroll_to_end_after_load = True
        self.model.jump_to_end()

    def jump_to_start(self) -> None:
        self._scroll_to_end_after_load = False
        self.model.jump_to_start()
        self.list.scrollToTop()

    def _after_replace(self) -> None:
        self.delegate.clear_cache()
        if self.model.highlight_id:
            row = self.model.row_of(self.model.highlight_id)
            if row >= 0:
                index = self.model.index(row)
                self.list.setCurrentIndex(index)
                QTimer.singleShot(0, lambda: self.list.scrollTo(
                    index, QAbstractItemView.ScrollHint.PositionAtCenter))
                return
        if self._scroll_to_end_after_load:
            self._scroll_to_end_after_load = False
            self.list.scrollToBottom()
            QTimer.singleShot(0, self.list.scrollToBottom)
            if self.model.rowCount():
                self.list.setCurrentIndex(self.model.index(self.model.rowCount() - 1))

    def _keep_position_after_prepend(self, count: int) -> None:
        """Rows inserted above shift the content down; scroll by their height to stay put."""
        self.list.doItemsLayout()
        added = sum(self.list.sizeHintForIndex(self.model.index(row)).height()
                    for row in range(count))
        bar = self.list.verticalScrollBar()
        bar.setValue(bar.value() + added)

    def _maybe_fetch(self, *_args: Any) -> None:
        bar = self.list.verticalScrollBar()
        margin = max(self.list.viewport().height(), 200)
        if bar.value() <= margin and self.model.has_before:
            self.model.fetch_older()
        elif bar.maximum() - bar.value() <= margin and self.model.has_after:
            self.model.fetch_newer()

    def show_full_message(self, message_id: str) -> None:
        row = self.model.row_of(message_id)
        message = self.model.message(row)
        if message is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(" ".join(filter(None, ("Message", message.number.lstrip("#"))))
                              + f" — {message.role.label}")
        layout = QVBoxLayout(dialog)
        text = QPlainTextEdit(dialog)
        text.setReadOnly(True)
        text.setAccessibleName("Whole message")
        content = message.content or ""
        shown, broken = break_long_lines(content)
        text.setPlainText(shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        copy = buttons.addButton("&Copy Whole Message", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setAccessibleName("Copy the whole message exactly")
        copy.clicked.connect(lambda: QApplication.clipboard().setText(content))
        if broken:
            note = QLabel(f"Lines longer than {LONG_LINE:,} characters are broken here to keep "
                          "the window responsive; Copy Whole Message copies the message exactly.",
                          dialog)
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(900, 700)
        dialog.open()
        self._full_dialog = dialog
