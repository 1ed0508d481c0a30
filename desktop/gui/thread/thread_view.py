"""The message thread: a windowed list model paged in both directions, and its view.

Only a window of messages lives in memory (`MAX_ROWS`): scrolling down appends a page and drops
rows far above, scrolling up does the reverse, and "jump to end" replaces the window, so a
100,000-message session opens as fast as a short one and memory stays flat.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import shiboken6
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
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QContextMenuEvent,
    QKeyEvent,
    QPainter,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...data.records import MessageRecord, SessionStatistics
from ...data.sessions import Cursor, MessagePage, ThreadExtent
from .. import dialogs, link_opening, style
from ..operations import Reads
from .message_details import MessageDetailsDialog, markdown_text
from .message_render import LONG_LINE, break_long_lines, build_document, header_text

if TYPE_CHECKING:
    from ...data import Store

PAGE_SIZE = 60
MAX_ROWS = 360
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 10
EXPANDED_ROLE = Qt.ItemDataRole.UserRole + 11
HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole + 12


@dataclass(frozen=True)
class GoTo:
    """Where Go to takes the thread: the `number`-th message, or the first at or after
    `when` (naive UTC)."""

    number: int | None = None
    when: datetime | None = None


THREAD_READS = "thread"  # the door's kind for the reads of the thread shown


class MessageThreadModel(QAbstractListModel):
    """A window onto one session's messages, in thread (time) order.

    It also knows the whole thread's length and end (`extent`) and how many messages arrived
    after the end the person last saw (`new_count`); a refresh while the person is at the end
    (`at_end`, asked of the view) appends whatever arrived, however many.
    """

    loading_changed = Signal(bool)
    failed = Signal(object)
    window_replaced = Signal()
    older_inserted = Signal(int)  # how many rows were inserted at the top
    extent_changed = Signal()  # extent or new_count changed
    followed = Signal()  # new messages were appended at the end the person is watching

    def __init__(self, reads: Reads, parent: Any = None) -> None:
        super().__init__(parent)
        self._reads = reads
        self._store: Store | None = None
        self.session_id: str | None = None
        self._rows: list[MessageRecord] = []
        self._has_before = False
        self._has_after = False
        self._loading = False
        self._expanded: set[str] = set()
        self.highlight_id: str | None = None
        self.highlight_terms: tuple[str, ...] = ()
        self.extent: ThreadExtent | None = None
        self.new_count = 0
        self._seen_end: Cursor | None = None  # the thread's end when the person last saw it
        self._refresh_pending = False
        self._extent_pending = False  # the window is shown, the thread's length on its way
        self.at_end: Callable[[], bool] = lambda: not self._has_after

    # -- loading ---------------------------------------------------------------------------

    def set_store(self, store: Store | None) -> None:
        self._store = store
        self.show_session(None)

    def show_session(self, session_id: str | None, *, at_end: bool = False,
                     around: str | None = None, terms: tuple[str, ...] = (),
                     go_to: GoTo | None = None) -> None:
        """Load a session's first page (or last page, or the page around one message, or
        around the place `go_to` names)."""
        self._reads.begin(THREAD_READS)  # what is on its way for the session before is dropped
        self.beginResetModel()
        same = session_id == self.session_id  # then the length shown stays until it is read
        self.session_id = session_id
        self._rows = []
        self._has_before = self._has_after = False
        self._loading = False
        self._refresh_pending = self._extent_pending = False
        self._expanded.clear()
        self.highlight_id = around
        self.highlight_terms = terms
        if not same:
            self.extent, self.new_count, self._seen_end = None, 0, None
        self.endResetModel()
        self.extent_changed.emit()
        if session_id is None or self._store is None:
            return
        store = self._store
        if go_to is None and around is None:  # the thread's start or end: the page is shown
            # first and the thread's length read after it (about 0.08 µs a message: 8 ms for
            # 100,000, most of a second for ten million), which numbers a last page
            def shown(page: MessagePage) -> None:
                self._replace(page, None, None)
                self._extent_pending = True  # paging goes on meanwhile; a refresh waits

                def count() -> tuple[ThreadExtent, int]:
                    with store.reading():  # and what arrived after the page, a read later
                        extent = store.sessions.thread_extent(session_id)
                        later = 0 if page.has_after or extent.last_cursor == page.last_cursor \
                            else store.sessions.count_after(session_id, page.last_cursor)
                    return extent, later

                def counted(result: tuple[ThreadExtent, int]) -> None:
                    extent, later = result
                    self._extent_pending = False
                    if not page.numbered:  # the last page's rows, wherever paging put them
                        self._number_rows(page.ending_at(extent.count - later))
                    self._set_extent(extent, seen_end=page.last_cursor if later else None,
                                     new=later)
                    self._after_load()

                def not_counted(error: Exception) -> None:
                    self._extent_pending = False
                    self.failed.emit(error)

                self._reads.op(lambda _store: count()).within(THREAD_READS) \
                    .success(counted).failure(not_counted).run()

            self._start(lambda: store.sessions.messages_page(
                session_id, last=at_end, limit=PAGE_SIZE, numbered=False), shown)
            return

        def load() -> tuple[MessagePage, ThreadExtent, str | None]:
            with store.reading():
                extent = store.sessions.thread_extent(session_id)
                target, position, last = around, None, at_end
                if go_to is not None and go_to.number is not None and extent.count:
                    position = min(max(go_to.number, 1), extent.count)
                    target = store.sessions.message_at(session_id, position, count=extent.count)
                elif go_to is not None and go_to.when is not None:
                    target = store.sessions.message_at_time(session_id, go_to.when)
                    last = target is None  # every message is older: the end is nearest
                if target:
                    page = store.sessions.messages_around(session_id, target,
                                                          context=PAGE_SIZE // 2,
                                                          position=position)
                    if page is not None:
                        return page, extent, target
                page = store.sessions.messages_page(session_id, last=last, limit=PAGE_SIZE,
                                                    total=extent.count)
                if go_to is not None and page.messages:  # land on the nearest end
                    target = page.messages[-1 if last else 0].id
                return page, extent, target if go_to is not None else around

        self._start(load, lambda result: self._replace(*result))

    def go_to(self, target: GoTo) -> None:
        """Show the thread around a message number or a time, with that message current."""
        if self.session_id:
            self.show_session(self.session_id, go_to=target)

    def jump_to_end(self) -> None:
        """Show the last page at once, however long the session; when what is missing below
        the window fits in it, append it instead, keeping the messages above in place."""
        if not self.session_id:
            return
        if not self._has_after and self._rows:
            self._saw_end()
            self.window_replaced.emit()
            return
        if not self._rows or self._loading or self._store is None:
            self.show_session(self.session_id, at_end=True)
            return
        store, session_id, cursor = self._store, self.session_id, self._rows[-1].cursor
        last_position = self._rows[-1].position
        first_position = last_position + 1 if last_position else None

        def load() -> tuple[MessagePage, ThreadExtent]:
            with store.reading():
                return (store.sessions.messages_page(session_id, after=cursor, limit=MAX_ROWS,
                                                     first_position=first_position),
                        store.sessions.thread_extent(session_id))

        def done(result: tuple[MessagePage, ThreadExtent]) -> None:
            page, extent = result
            if page.has_after:
                self.show_session(session_id, at_end=True)
                return
            self.highlight_id = None
            self._append(page)
            self._has_after = False
            self.extent = extent
            self._saw_end()
            self.window_replaced.emit()

        self._start(load, done)

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
        self._start(lambda: store.sessions.messages_page(session_id, before=cursor,
                                                         limit=PAGE_SIZE), self._prepend)

    def fetch_newer(self) -> None:
        """Append the next page at the bottom."""
        if not (self._has_after and self._rows and not self._loading and self._store):
            return
        store, session_id, cursor = self._store, self.session_id, self._rows[-1].cursor
        self._start(lambda: store.sessions.messages_page(session_id, after=cursor,
                                                         limit=PAGE_SIZE), self._append)

    def refresh(self) -> None:
        """Reload the messages in the window and learn how many arrived after the end the
        person last saw; when the person is at the end (`at_end`), append them, however many
        (more than the window holds: the window becomes the thread's last page)."""
        if not (self._store and self.session_id):
            return
        if self._loading or self._extent_pending:
            self._refresh_pending = True  # once the load in flight is done
            return
        store, session_id = self._store, self.session_id
        first = self._rows[0].cursor if self._rows else None
        count = max(len(self._rows), PAGE_SIZE)
        follow = self.at_end()
        seen = self._seen_end

        def load() -> tuple[MessagePage, MessagePage | None, ThreadExtent, int]:
            with store.reading():
                extent = store.sessions.thread_extent(session_id)
                window = store.sessions.messages_page(session_id, after=first,
                                                      include_cursor=True, limit=count) \
                    if first else store.sessions.messages_page(session_id, limit=count)
                tail = None
                if follow and window.has_after:
                    last = window.messages[-1].position if window.messages else None
                    tail = store.sessions.messages_page(
                        session_id, after=window.last_cursor, limit=MAX_ROWS,
                        first_position=last + 1 if last else None)
                    if tail.has_after:  # more than a window's worth: show the last page
                        window = store.sessions.messages_page(session_id, last=True,
                                                              limit=PAGE_SIZE,
                                                              total=extent.count)
                        tail = None
                new = 0 if follow else store.sessions.count_after(session_id, seen) \
                    if seen else extent.count
            return window, tail, extent, new

        def done(result: tuple[MessagePage, MessagePage | None, ThreadExtent, int]) -> None:
            window, tail, extent, new = result
            old_ids = [m.id for m in self._rows]
            new_ids = [m.id for m in window.messages]
            changed = len(new_ids) != len(old_ids)
            if old_ids and new_ids[:len(old_ids)] == old_ids:
                self._rows[:len(old_ids)] = window.messages[:len(old_ids)]
                self.dataChanged.emit(self.index(0), self.index(len(old_ids) - 1))
                self._insert_at_end(window.messages[len(old_ids):])
                self._has_after = window.has_after
            else:
                changed = True
                self.beginResetModel()
                self._rows = list(window.messages)
                self._has_before = bool(window.messages) and (window.messages[0].position or 1) > 1
                self._has_after = window.has_after
                self.endResetModel()
                self.window_replaced.emit()
            if tail is not None:
                changed = changed or bool(tail.messages)
                self._insert_at_end(tail.messages)
                self._has_after = False
                self._trim_top()
            self.extent = extent
            if follow:
                self._saw_end()
                if changed:
                    self.followed.emit()
            else:
                self.new_count = new
                self.extent_changed.emit()

        self._start(load, done)

    def _insert_at_end(self, messages: Sequence[MessageRecord]) -> None:
        if messages:
            self.beginInsertRows(QModelIndex(), len(self._rows),
                                 len(self._rows) + len(messages) - 1)
            self._rows.extend(messages)
            self.endInsertRows()

    def _trim_top(self) -> None:
        excess = len(self._rows) - MAX_ROWS
        if excess > 0:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            del self._rows[:excess]
            self._has_before = True
            self.endRemoveRows()

    def _saw_end(self) -> None:
        """The person is at the thread's end: nothing below it is new any more."""
        if self._has_after:
            return
        self._seen_end = self._rows[-1].cursor if self._rows else None
        if self.extent is not None and self._rows and self._rows[-1].position:
            self.extent = replace(self.extent, count=self._rows[-1].position,
                                  last_cursor=self._seen_end)
        self.new_count = 0
        self.extent_changed.emit()

    def reached_end(self) -> None:
        """The view scrolled to the bottom of the window."""
        if not self._has_after and self.new_count:
            self._saw_end()

    def _start(self, load: Any, done: Any) -> None:
        """Read `load()` for the session shown; the door drops the answer once another session
        (or file) is shown."""
        self._set_loading(True)

        def finish(result: Any) -> None:
            self._set_loading(False)
            done(result)
            self._after_load()

        def fail(error: Exception) -> None:
            self._set_loading(False)
            self.failed.emit(error)
            self._after_load()

        self._reads.op(lambda _store: load()).within(THREAD_READS).success(finish) \
            .failure(fail).run()

    def _after_load(self) -> None:
        if self._refresh_pending and not (self._loading or self._extent_pending):
            self._refresh_pending = False
            QTimer.singleShot(0, self.refresh)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _replace(self, page: MessagePage, extent: ThreadExtent | None,
                 target: str | None) -> None:
        """Show `page` in place of the window; `extent` None: `_set_extent` brings it."""
        self.beginResetModel()
        self._rows = list(page.messages)
        self._has_before, self._has_after = page.has_before, page.has_after
        self.highlight_id = target
        self.endResetModel()
        self.window_replaced.emit()
        if extent is not None:
            self._set_extent(extent)

    def _number_rows(self, numbered: MessagePage) -> None:
        """Give the rows of `numbered` that are shown without a number theirs."""
        places = {m.id: m.position for m in numbered.messages}
        rows = [n for n, m in enumerate(self._rows) if m.position is None and m.id in places]
        for n in rows:
            self._rows[n] = replace(self._rows[n], position=places[self._rows[n].id])
        if rows:
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]))

    def _set_extent(self, extent: ThreadExtent, *, seen_end: Cursor | None = None,
                    new: int = 0) -> None:
        """The thread's length and end; `seen_end` and `new` when messages arrived after the
        end the window shows (read after it), which the bar for new messages then offers."""
        self.extent, self._seen_end, self.new_count = extent, seen_end or extent.last_cursor, new
        self.extent_changed.emit()

    def _prepend(self, page: MessagePage) -> None:
        if not page.messages:
            self._has_before = False
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

    def _append(self, page: MessagePage) -> None:
        self._has_after = page.has_after
        if not page.messages:
            return
        self._insert_at_end(page.messages)
        self._trim_top()

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

    def parent_position(self, message: MessageRecord, done: Callable[[int | None], None]
                        ) -> None:
        """Call `done` with the place in this thread of the message's parent (None when it
        has none or it is not in this session)."""
        store, parent_id = self._store, message.parent_message_id
        if store is None or not parent_id or not message.session_id:
            done(None)
            return
        session_id = message.session_id

        def load() -> int | None:
            before = store.sessions.message_position(session_id, parent_id)
            return None if before is None else before + 1

        self._reads.op(lambda _store: load()).success(done).failure(self.failed.emit).run()

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
    the old width and their text ran under the scroll bar and out of the bubbles.

    A right-click, the Menu key or Shift+F10 asks for a message's menu
    (`message_menu_requested`: the message's row and where to show the menu)."""

    message_menu_requested = Signal(QModelIndex, QPoint)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """QWidget.resizeEvent: a new width lays every row out again."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """QWidget.contextMenuEvent: the clicked message's menu (the current one's, from the
        keyboard)."""
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            index = self.indexAt(event.pos())
            if index.isValid():
                self.setCurrentIndex(index)
                self.message_menu_requested.emit(index, event.globalPos())
            event.accept()
            return
        self._menu_for_current()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """QWidget.keyPressEvent: Shift+F10 and the Menu key open the current message's menu."""
        shift_f10 = event.key() == Qt.Key.Key_F10 and \
            event.modifiers() == Qt.KeyboardModifier.ShiftModifier
        if shift_f10 or event.key() == Qt.Key.Key_Menu:
            self._menu_for_current()
            event.accept()
            return
        super().keyPressEvent(event)

    def _menu_for_current(self) -> None:
        index = self.currentIndex()
        if not index.isValid():
            index = self.indexAt(QPoint(4, 4))
            if not index.isValid():
                return
            self.setCurrentIndex(index)
        rect = self.visualRect(index).intersected(self.viewport().rect())
        corner = rect.topLeft() + QPoint(16, 16) if rect.isValid() else QPoint(16, 16)
        self.message_menu_requested.emit(index, self.viewport().mapToGlobal(corner))


def position_text(first: int | None, last: int | None, count: int | None) -> str:
    """"Messages 9,990–10,010 of 20,000": which part of the thread is in view."""
    if not count:
        return "No messages" if count == 0 else ""
    if first is None or last is None:
        return style.count_of(count, "message")
    first, last = min(first, last), max(first, last)
    span = f"Message {first:,}" if first == last else f"Messages {first:,}\u2013{last:,}"
    return f"{span} of {count:,}"


class ThreadView(QWidget):
    """Totals line above the message list, where the view is in the thread and a bar for new
    messages below it; loads more as the person scrolls either way."""

    def __init__(self, model: MessageThreadModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.totals = QLabel("No session selected", self)
        self.totals.setAccessibleName("Session totals")
        self.totals.setWordWrap(True)
        self.position = QLabel("", self)
        self.position.setAccessibleName("Position in the thread")
        self.new_messages = QPushButton("", self)
        self.new_messages.setObjectName("newMessages")
        self.new_messages.setAccessibleName("New messages")
        self.new_messages.setToolTip("Show the newest messages and follow new ones (Ctrl+End)")
        self.new_messages.setStyleSheet(
            "QPushButton#newMessages { background: palette(highlight); "
            "color: palette(highlighted-text); border: none; border-radius: 9px; "
            "padding: 2px 12px; font-weight: bold; }")
        self.new_messages.hide()
        self.go_to_button = QToolButton(self)
        self.go_to_button.setText("Go to…")
        self.go_to_button.setAccessibleName("Go to a message number or time")
        self.go_to_button.setToolTip("Go to a message number or a date and time (Ctrl+G)")
        footer = QHBoxLayout()
        footer.setContentsMargins(6, 0, 4, 2)
        footer.addWidget(self.position, 1)
        footer.addWidget(self.new_messages)
        footer.addWidget(self.go_to_button)
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
        layout.addLayout(footer)
        bar = self.list.verticalScrollBar()
        bar.valueChanged.connect(self._maybe_fetch)
        bar.valueChanged.connect(self._schedule_position)
        bar.rangeChanged.connect(self._schedule_position)
        model.window_replaced.connect(self._after_replace)
        model.older_inserted.connect(self._keep_position_after_prepend)
        model.rowsInserted.connect(lambda *_: QTimer.singleShot(0, self._maybe_fetch))
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset,
                       model.extent_changed):
            signal.connect(self._schedule_position)
        model.extent_changed.connect(self._show_new_count)
        model.followed.connect(self._follow)
        model.at_end = self.is_at_end
        self.new_messages.clicked.connect(self.jump_to_end)
        self.go_to_button.clicked.connect(self.go_to)
        self.list.message_menu_requested.connect(self.show_message_menu)
        self.delegate.open_full_message.connect(self.show_full_message)
        self._scroll_to_end_after_load = False
        self._position_scheduled = False
        self.message_menu: QMenu | None = None
        self.details_dialog: QDialog | None = None

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

    def go_to(self) -> None:
        """Ask for a message number or a time and show the thread there."""
        extent = self.model.extent
        if not self.model.session_id or extent is None:
            return
        first, _last = self.visible_positions()
        target = dialogs.ask_go_to(self.window(), extent.count, extent.first_time,
                                   extent.last_time, first)
        if target is not None:
            self._scroll_to_end_after_load = False
            self.model.go_to(target)
            self.list.setFocus()

    def is_at_end(self) -> bool:
        """Whether the person sees the thread's last loaded message at the bottom and nothing
        is left to load below: new messages then follow."""
        if self.model.has_after:
            return False
        bar = self.list.verticalScrollBar()
        return bar.maximum() == 0 or bar.value() >= bar.maximum() - 2

    def visible_positions(self) -> tuple[int | None, int | None]:
        """The places in the thread of the first and last messages in view."""
        if not self.model.rowCount():
            return None, None
        viewport = self.list.viewport().rect()
        top = self.list.indexAt(QPoint(8, viewport.top() + 1))
        bottom = self.list.indexAt(QPoint(8, viewport.bottom() - 1))
        first = self.model.message(top.row() if top.isValid() else 0)
        last = self.model.message(bottom.row() if bottom.isValid()
                                  else self.model.rowCount() - 1)
        return (first.position if first else None), (last.position if last else None)

    def _schedule_position(self, *_args: Any) -> None:
        if not self._position_scheduled:
            self._position_scheduled = True
            QTimer.singleShot(0, self._update_position)

    def _update_position(self) -> None:
        self._position_scheduled = False
        if not shiboken6.isValid(self.list):  # scheduled while the view was being deleted
            return
        extent = self.model.extent
        first, last = self.visible_positions()
        self.position.setText(position_text(first, last, extent.count if extent else None))
        if self.is_at_end():
            self.model.reached_end()

    def _show_new_count(self) -> None:
        count = self.model.new_count
        self.new_messages.setText(f"\u2193 {style.count_of(count, 'new message')}")
        self.new_messages.setVisible(count > 0)

    def _follow(self) -> None:
        """New messages arrived while the person was at the end: keep showing the end."""
        self.list.scrollToBottom()
        QTimer.singleShot(0, self.list.scrollToBottom)

    def jump_to_start(self) -> None:
        self._scroll_to_end_after_load = False
        self.model.jump_to_start()
        self.list.scrollToTop()

    def _after_replace(self) -> None:
        self.delegate.clear_cache()
        if self.model.highlight_id and not self._scroll_to_end_after_load:
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

    def show_message_menu(self, index: QModelIndex, where: QPoint) -> None:
        """The message's menu: copy its text, Markdown or id, or see its details."""
        message = self.model.message(index.row())
        if message is None:
            return
        menu = QMenu(self)
        menu.setAccessibleName("Message actions")
        clipboard = QApplication.clipboard()
        for text, slot in (
                ("Copy &Text", lambda: clipboard.setText(message.content or "")),
                ("Copy as &Markdown", lambda: clipboard.setText(markdown_text(message))),
                ("Copy &Id", lambda: clipboard.setText(message.id)),
                (None, None),
                ("&Details…", lambda: self.show_details(message))):
            if text is None:
                menu.addSeparator()
            else:
                menu.addAction(text).triggered.connect(slot)
        self.message_menu = menu
        menu.popup(where)

    def show_details(self, message: MessageRecord) -> None:
        """Everything stored for the message, in a window of its own (after looking up where
        its parent is)."""
        def shown(parent_position: int | None) -> None:
            if self.details_dialog is not None:
                self.details_dialog.close()
            self.details_dialog = MessageDetailsDialog(message, parent_position, self.window())
            self.details_dialog.show()

        self.model.parent_position(message, shown)

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
