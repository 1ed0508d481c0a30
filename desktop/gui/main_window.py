"""The main window: session list, message thread and details/search side panel in splitters."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, paths
from ..data.enums import SessionStatus
from ..data.errors import DamagedDatabaseError, DatabaseLockedError, DataError, FileReplacedError
from . import dialogs, style
from .details_panel import DetailsPanel, SessionDetails
from .file_care import FileCare
from .message_render import search_terms
from .search_panel import SearchPanel
from .session_list import SessionFilterBar, SessionListModel, StatusBadgeDelegate
from .tasks import TaskRunner
from .thread_view import MessageThreadModel, ThreadView

if TYPE_CHECKING:
    from ..data import Store
    from ..data.search import SearchHit

log = logging.getLogger(__name__)

REFRESH_INTERVAL_MS = 1500
WAITING_NOTICE_MS = 800
WAITING_FOR_LOCK = "Waiting for another program to finish writing to the file…"
MAX_RECENT = 8


class MainWindow(QMainWindow):
    """One window showing one database file."""

    store_changed = Signal(object)

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.store: Store | None = None
        self.queries = TaskRunner("queries", self)
        self.maintenance = TaskRunner("maintenance", self)
        self._maintenance_task: Any = None
        self._told_replaced: Store | None = None
        self._data_version: int | None = None
        self._pending_open: tuple[str, str, tuple[str, ...]] | None = None
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        self._build_views()
        self._build_actions()
        self.care = FileCare(self)
        self._build_menus()
        self._build_status_bar()
        self._restore_layout()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self._refresh_timer.timeout.connect(self._check_for_outside_changes)
        self._update_actions()

    # -- construction -----------------------------------------------------------------------

    def _build_views(self) -> None:
        self.sessions = SessionListModel(self.queries, self)
        self.filter_bar = SessionFilterBar(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Sessions")
        self.table.setModel(self.sessions)
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
        self.table.customContextMenuRequested.connect(self._session_context_menu)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 0, 4)
        left_layout.addWidget(self.filter_bar)
        left_layout.addWidget(self.table, 1)

        self.thread_model = MessageThreadModel(self.queries, self)
        self.thread = ThreadView(self.thread_model, self)
        self.details = DetailsPanel(self)
        self.search = SearchPanel(self.queries, self)
        self.side = QTabWidget(self)
        self.side.setAccessibleName("Side panel")
        self.side.addTab(self.details, "Details")
        self.side.addTab(self.search, "Search")

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.thread)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([540, 580, 420])
        from .welcome import WelcomePage

        self.welcome = WelcomePage(self)  # the start screen, shown while no file is open
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.splitter)
        self.setCentralWidget(self.pages)

        self.filter_bar.changed.connect(self.sessions.set_filters)
        self.table.selectionModel().currentRowChanged.connect(self._current_session_changed)
        self.sessions.reloaded.connect(self._restore_selection)
        self.sessions.failed.connect(self._report_failure)
        self.thread_model.failed.connect(self._report_failure)
        self.search.hit_chosen.connect(self.open_hit)

    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.open_action = self._action("&Open…", self.choose_file, key.Open,
                                        "Open an OrchestratorChat database file")
        self.new_action = self._action("&New Database…", self.choose_new_file, key.New,
                                       "Create an empty database with the default agents")
        self.close_action = self._action("&Close", self.close_file, key.Close,
                                         "Close the database")
        self.quit_action = self._action("&Quit", self.close, key.Quit)
        self.find_action = self._action("&Find…", self.focus_search, key.Find,
                                        "Search every message")
        self.filter_action = self._action("Filter &Sessions", self.focus_filter, "Ctrl+L",
                                          "Filter the session list")
        self.copy_action = self._action("&Copy Message", self.copy_message, key.Copy)
        self.refresh_action = self._action("&Refresh", self.refresh, key.Refresh)
        self.first_action = self._action(
            "Jump to &First Message", lambda: (self._show_views(), self.thread.jump_to_start()),
            "Ctrl+Home")
        self.last_action = self._action(
            "Jump to &Last Message", lambda: (self._show_views(), self.thread.jump_to_end()),
            "Ctrl+End")
        self.go_to_action = self._action(
            "&Go to Message…", lambda: (self._show_views(), self.thread.go_to()), "Ctrl+G",
            "Go to a message by its number in the thread or by date and time")
        self.details_action = self._action("Show &Details", lambda: self._show_side(0),
                                           "Ctrl+I")
        self.rename_action = self._action("&Rename…", self.rename_session, "F2")
        self.snapshot_action = self._action("Take &Snapshot…", self.take_snapshot,
                                            "Ctrl+Shift+S",
                                            "Take a snapshot of the session to restore later")
        self.manage_snapshots_action = self._action(
            "&Manage Snapshots…", self.manage_snapshots, "Ctrl+Shift+M",
            "List, compare, restore, export and import snapshots")
        self.export_action = self._action(
            "E&xport…", self.export_current_session, "Ctrl+E",
            "Export the session (or the selected messages) to Markdown, HTML, JSON or PDF")
        self.agents_action = self._action("&Agents…", self.show_agent_editor, "Ctrl+Shift+A",
                                          "Edit agent configurations")
        self.delete_action = self._action("&Delete…", self.delete_session, key.Delete)
        self.about_action = self._action("&About", self.show_about)
        self.status_actions: dict[SessionStatus, QAction] = {}
        for status in SessionStatus:
            action = QAction(status.label, self)
            action.triggered.connect(lambda _=False, s=status: self.change_status(s))
            self.status_actions[status] = action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(self.care.backup_action)
        file_menu.addAction(self.care.restore_action)
        file_menu.addAction(self.care.check_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.copy_action)
        edit.addSeparator()
        edit.addAction(self.find_action)
        edit.addAction(self.filter_action)
        view = bar.addMenu("&View")
        view.addAction(self.refresh_action)
        view.addSeparator()
        view.addAction(self.first_action)
        view.addAction(self.last_action)
        view.addAction(self.go_to_action)
        view.addSeparator()
        view.addAction(self.details_action)
        session = bar.addMenu("&Session")
        session.addAction(self.rename_action)
        self.status_menu = session.addMenu("Change S&tatus")
        for action in self.status_actions.values():
            self.status_menu.addAction(action)
        session.addSeparator()
        session.addAction(self.snapshot_action)
        self.restore_menu = session.addMenu("Restore Sna&pshot")
        self.restore_menu.setToolTipsVisible(True)
        self.restore_menu.aboutToShow.connect(self._fill_restore_menu)
        session.addAction(self.manage_snapshots_action)
        session.addSeparator()
        session.addAction(self.export_action)
        session.addSeparator()
        session.addAction(self.delete_action)
        agents_menu = bar.addMenu("&Agents")
        agents_menu.addAction(self.agents_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.file_label = QLabel("No database open", self)
        self.file_label.setAccessibleName("Open file")
        self.counts_label = QLabel("", self)
        self.counts_label.setAccessibleName("Counts")
        self.read_only_label = QLabel("", self)
        self.progress_label = QLabel("", self)
        self.progress_label.setAccessibleName("Background work")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Background progress")
        self.progress.setMaximumWidth(160)
        self.progress.setRange(0, 1000)
        self.progress.hide()
        bar.addWidget(self.file_label)
        bar.addWidget(self.counts_label)
        bar.addPermanentWidget(self.read_only_label)
        bar.addPermanentWidget(self.progress_label)
        bar.addPermanentWidget(self.progress)

    # -- files ------------------------------------------------------------------------------

    def open_file(self, path: str | Path, *, create: bool = True) -> bool:
        """Open `path` (creating it when asked); on failure say why and keep what was open."""
        path = Path(str(path).removeprefix("file://")).expanduser()
        if not self._agent_edits_settled(lambda: self.open_file(path, create=create)):
            return False
        from ..data import open_store  # Pony and the rest of the data layer: not before this

        try:
            store = open_store(path, create=create)
        except DataError as error:
            self._explain_open_failure(path, error)
            return False
        self._set_store(store)
        self._remember_recent(store.path)
        return True

    def _explain_open_failure(self, path: Path, error: DataError) -> None:
        """Say why the file cannot be opened and what to do; a damaged file with backups is
        offered a restore."""
        from ..data.backups import list_backups

        text = dialogs.open_failure_text(path, error)
        found = list_backups(path, paths.backup_dir()) \
            if isinstance(error, DamagedDatabaseError) else []
        if not found:
            dialogs.show_error(self, "Cannot open the database", text)
            return
        newest = f"{found[0].created:%Y-%m-%d %H:%M}"
        if dialogs.confirm(self, "Cannot open the database",
                           f"{text}\n\nThere {'is' if len(found) == 1 else 'are'} "
                           f"{len(found)} backup{'s' if len(found) != 1 else ''} of it; the "
                           f"newest is from {newest}.", "Restore from Backup…"):
            self.care.show_backups(path)

    def choose_file(self) -> None:
        folder = str(self.store.path.parent) if self.store else str(Path.home())
        path = dialogs.choose_open_path(self, folder)
        if path:
            self.open_file(path, create=False)

    def choose_new_file(self) -> None:
        path = dialogs.choose_new_path(self, str(paths.data_dir()))
        if path:
            if Path(path).exists():
                dialogs.show_error(self, "File exists",
                                   f"{path} already exists; choose Open to open it.")
                return
            self.open_file(path, create=True)

    def close_file(self) -> None:
        if self._agent_edits_settled(self.close_file):
            self._set_store(None)

    def _set_store(self, store: Store | None) -> None:
        self._stop_background()
        old = self.store
        self.store = store
        self._data_version = None
        self.sessions.set_store(store)
        self.thread_model.set_store(store)
        self.search.set_store(store)
        self.details.show_details(None)
        self.thread.set_statistics(None)
        if old is not None:
            old.close()
        self.pages.setCurrentWidget(self.welcome if store is None else self.splitter)
        if store is None:
            self.setWindowTitle(APP_NAME)
            self.file_label.setText("No database open")
            self.counts_label.setText("")
            self.read_only_label.setText("")
            self.progress.hide()
            self.progress_label.setText("")
        else:
            self.setWindowTitle(f"{store.path.name} — {APP_NAME}")
            self.file_label.setText(str(store.path))
            self.file_label.setToolTip(str(store.path))
            self.read_only_label.setText("Read-only" if store.read_only else "")
            self.read_only_label.setToolTip(store.read_only_reason or "")
            self.settings.setValue("lastFile", str(store.path))
            self._load_side_data()
            self._start_maintenance()
            self._check_for_outside_changes()
            self._refresh_timer.start()
        self._update_actions()
        self.store_changed.emit(store)

    def _remember_recent(self, path: Path) -> None:
        recent = [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("recentFiles", [str(path), *recent][:MAX_RECENT])

    def recent_files(self) -> list[str]:
        value = self.settings.value("recentFiles", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        for number, path in enumerate(files, 1):
            action = self.recent_menu.addAction(f"&{number} {path}")
            action.triggered.connect(lambda _=False, p=path: self.open_file(p, create=False))

    # -- background work --------------------------------------------------------------------------

    def _start_maintenance(self) -> None:
        store = self.store
        if store is None or store.read_only:
            return

        def work(report: Any, should_stop: Any) -> bool:
            if not store.needs_maintenance():
                return False
            store.run_maintenance(progress=report, should_stop=should_stop,
                                  backup_dir=paths.backup_dir())
            return True

        def done(worked: bool) -> None:
            self._maintenance_task = None
            self.show_background_progress(None)
            if worked:  # search may answer now; what is shown and scrolled to stays
                self.search.run_search(quiet=True)

        def failed(error: Exception) -> None:
            self._maintenance_task = None
            self.show_background_progress(None)
            if isinstance(error, FileReplacedError) and store is self.store:
                self._file_replaced(store.replaced_reason or str(error))
                return
            self.progress_label.setText("Background work stopped")
            self._report_failure(error)

        self._maintenance_task = self.maintenance.submit(
            work, done, failed, on_progress=self.show_background_progress)

    def show_background_progress(self, text: str | None, fraction: float = 0.0) -> None:
        """Show background work's progress in the status bar; None hides it."""
        self.progress.setVisible(text is not None)
        self.progress.setValue(int(fraction * 1000))
        self.progress_label.setText(text or "")

    def _load_side_data(self) -> None:
        store = self.store
        if store is None:
            return

        def load() -> tuple[dict[str, int], list[str], list[tuple[str, str]]]:
            agents = [(a.id, a.name or a.id) for a in store.agents.find(order_by="name")]
            return store.counts(), store.sessions.projects(), agents

        def done(result: tuple[dict[str, int], list[str], list[tuple[str, str]]]) -> None:
            if store is not self.store:
                return
            counts, projects, agents = result
            self.counts_label.setText(" · ".join(style.count_of(counts[noun + "s"], noun)
                                                 for noun in ("session", "message", "agent")))
            self.filter_bar.set_projects(projects)
            self.search.set_agents(agents)

        self.queries.submit(load, done, self._report_failure)

    def _check_for_outside_changes(self) -> None:
        store = self.store
        if store is None or (self.queries.busy and self._data_version is not None):
            return

        def poll() -> tuple[str | None, int]:
            return store.check_file(), store.change_counter()

        def done(result: tuple[str | None, int]) -> None:
            if store is not self.store:
                return
            replaced, version = result
            if replaced is not None:
                self._file_replaced(replaced)
                return
            if self._data_version is not None and version != self._data_version:
                log.info("the file changed outside this window; refreshing")
                self.refresh()
                if self._maintenance_task is None:  # it may have rebuilt a table of ours
                    self._start_maintenance()
            self._data_version = version

        self.queries.submit(poll, done, lambda _e: None)

    def _file_replaced(self, reason: str) -> None:
        """Another program moved, deleted or replaced the open file: the store has stopped
        writing; say so once, and show the window as read-only."""
        if self._told_replaced is self.store:
            return
        self._told_replaced = self.store
        self._refresh_timer.stop()
        if self._maintenance_task is not None:
            self._maintenance_task.cancel()
            self._maintenance_task = None
            self.show_background_progress(None)
        self.read_only_label.setText("Read-only: file replaced")
        self.read_only_label.setToolTip(reason)
        self._update_actions()
        self.care.update_actions()
        dialogs.show_error(self, "The file was replaced", reason)

    def refresh(self) -> None:
        """Re-read the list, the open thread, the details and the search results, keeping
        selection and scroll."""
        if self.store is None:
            return
        self.sessions.refresh()
        self.thread_model.refresh()
        self._load_details(self.current_session_id())
        self._load_side_data()
        self.search.run_search(quiet=True)
        editor = getattr(self, "agent_editor", None)
        if editor is not None and editor.isVisible() and not editor.saving:
            editor.reload()  # keeps unsaved edits; shows other programs' changes otherwise

    # -- selection -----------------------------------------------------------------------------

    def current_session_id(self) -> str | None:
        index = self.table.currentIndex()
        summary = self.sessions.summary(index.row()) if index.isValid() else None
        return summary.session.id if summary else None

    def _current_session_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        summary = self.sessions.summary(current.row()) if current.isValid() else None
        session_id = summary.session.id if summary else None
        if session_id == self.thread_model.session_id:
            return
        if session_id is not None:
            self.settings.setValue("lastSession", session_id)
        pending = self._pending_open
        if pending and pending[0] == session_id:
            self._pending_open = None
            self.thread_model.show_session(session_id, around=pending[1], terms=pending[2])
        else:
            self.thread_model.show_session(session_id)
        self.search.set_session(session_id)
        self._load_details(session_id)
        self._update_actions()

    def _restore_selection(self) -> None:
        wanted = self.thread_model.session_id or self.settings.value("lastSession")
        row = self.sessions.row_of(wanted) if wanted else -1
        if row < 0 and self.sessions.rowCount() and self.thread_model.session_id is None:
            row = 0
        if row >= 0:
            index = self.sessions.index(row, 0)
            if self.table.currentIndex().row() != row:
                self.table.setCurrentIndex(index)
            self.table.scrollTo(index)

    def _load_details(self, session_id: str | None) -> None:
        store = self.store
        if store is None or session_id is None:
            self.details.show_details(None)
            self.thread.set_statistics(None)
            return

        def load() -> SessionDetails | None:
            session = store.sessions.get(session_id)
            if session is None:
                return None
            return SessionDetails(session, store.sessions.members(session_id),
                                  store.sessions.statistics(session_id),
                                  store.plans.for_session(session_id),
                                  store.plans.teams(session_id),
                                  store.plans.work_plans(session_id))

        def done(details: SessionDetails | None) -> None:
            if store is self.store and session_id == self.thread_model.session_id:
                self.details.show_details(details)
                self.thread.set_statistics(details.statistics if details else None)

        self.queries.submit(load, done, self._report_failure)

    def open_hit(self, hit: SearchHit, query: str) -> None:
        """Show the hit's session scrolled to the message, with the matched words marked."""
        if hit.session_id is None:
            return
        terms = search_terms(query)
        row = self.sessions.row_of(hit.session_id)
        if row >= 0:
            self._pending_open = (hit.session_id, hit.message_id, terms)
            if self.table.currentIndex().row() == row:
                self._pending_open = None
                self.thread_model.show_session(hit.session_id, around=hit.message_id,
                                               terms=terms)
            else:
                self.table.setCurrentIndex(self.sessions.index(row, 0))
        else:
            self.table.clearSelection()
            self.thread_model.show_session(hit.session_id, around=hit.message_id, terms=terms)
            self._load_details(hit.session_id)
        self.thread.list.setFocus()

    # -- commands -------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self._show_side(1)
        self.search.query.setFocus()
        self.search.query.selectAll()

    def focus_filter(self) -> None:
        self._show_views()
        self.filter_bar.text.setFocus()
        self.filter_bar.text.selectAll()

    def _show_views(self) -> None:
        """Leave the start screen for the open file's views (a shortcut that acts on them
        shows them)."""
        if self.store is not None and self.pages.currentWidget() is not self.splitter:
            self.pages.setCurrentWidget(self.splitter)

    def _show_side(self, tab: int) -> None:
        self._show_views()
        sizes = self.splitter.sizes()
        if sizes[2] == 0:
            self.splitter.setSizes([sizes[0], max(sizes[1] - 360, 200), 360])
        self.side.setCurrentIndex(tab)

    def copy_message(self) -> None:
        index = self.thread.list.currentIndex()
        message = self.thread_model.message(index.row()) if index.isValid() else None
        if message is not None:
            QApplication.clipboard().setText(message.content or "")

    def rename_session(self) -> None:
        session_id, store = self.current_session_id(), self.store
        if not (session_id and store):
            return
        summary = self.sessions.summary(self.table.currentIndex().row())
        name = dialogs.ask_text(self, "Rename session", "New name:",
                                summary.session.name or "" if summary else "")
        if name is None:
            return
        self._write(lambda: store.sessions.rename(session_id, name), "Cannot rename the session")

    def change_status(self, status: SessionStatus) -> None:
        session_id, store = self.current_session_id(), self.store
        if session_id and store:
            self._write(lambda: store.sessions.set_status(session_id, status),
                        "Cannot change the status")

    def take_snapshot(self) -> None:
        session_id, store = self.current_session_id(), self.store
        if not (session_id and store):
            return
        from .snapshot_manager import default_snapshot_name

        summary = self.sessions.summary(self.table.currentIndex().row())
        default = default_snapshot_name(summary.session.display_name if summary else None)
        name = dialogs.ask_text(self, "Take snapshot", "Snapshot name:", default)
        if name is None:
            return

        def taken(snapshot: Any) -> None:
            self.statusBar().showMessage(
                f"Snapshot “{snapshot.name}” taken ({snapshot.message_count:,} messages)", 5000)
            self._reload_snapshot_manager(snapshot.id)

        self._write(lambda: store.snapshots.create(session_id, name.strip() or default),
                    "Cannot take the snapshot", taken)

    def delete_session(self) -> None:
        session_id, store = self.current_session_id(), self.store
        if not (session_id and store):
            return
        summary = self.sessions.summary(self.table.currentIndex().row())
        name = summary.session.display_name if summary else session_id
        count = summary.message_count if summary else 0
        if not dialogs.confirm(self, "Delete session",
                               f"Delete “{name}” with its {count:,} messages, snapshots and "
                               "plans? This cannot be undone."):
            return
        row = self.table.currentIndex().row()

        def deleted(_result: Any) -> None:
            self.thread_model.show_session(None)
            self.sessions.refresh()
            next_row = min(row, self.sessions.rowCount() - 1)
            if next_row >= 0:
                self.table.setCurrentIndex(self.sessions.index(next_row, 0))

        self._write(lambda: store.sessions.delete(session_id), "Cannot delete the session",
                    deleted)

    def _write(self, work: Any, failure_title: str, after: Any = None) -> None:
        """Run a change in the background. While another program holds the file's write lock
        the status bar says so; past the busy timeout the person may try again, and the
        change, still in hand, is not lost."""
        finished = False

        def waiting() -> None:
            if not finished:
                self.statusBar().showMessage(WAITING_FOR_LOCK)

        def done(result: Any) -> None:
            nonlocal finished
            finished = True
            if self.statusBar().currentMessage() == WAITING_FOR_LOCK:
                self.statusBar().clearMessage()
            self.refresh()
            if after:
                after(result)

        def failed(error: Exception) -> None:
            nonlocal finished
            finished = True
            self.statusBar().clearMessage()
            if isinstance(error, DatabaseLockedError) and dialogs.confirm(
                    self, failure_title, f"{error}\n\nYour change has not been made yet. "
                    "Try again now?", "Try Again"):
                self._write(work, failure_title, after)
                return
            if isinstance(error, FileReplacedError) and self.store is not None:
                self._file_replaced(self.store.replaced_reason or str(error))
                return
            self._report_failure(error, failure_title)

        QTimer.singleShot(WAITING_NOTICE_MS, waiting)
        self.queries.submit(work, done, failed)

    def show_about(self) -> None:
        from .about import show_about

        show_about(self, self.store.path if self.store else None)

    def _session_context_menu(self, position: Any) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.rename_action)
        status_menu = menu.addMenu("Change Status")
        for action in self.status_actions.values():
            status_menu.addAction(action)
        menu.addAction(self.snapshot_action)
        menu.addAction(self.export_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.popup(self.table.viewport().mapToGlobal(position))

    def _update_actions(self) -> None:
        has_store = self.store is not None
        writable = has_store and not self.store.read_only
        has_session = self.current_session_id() is not None
        reason = self.store.read_only_reason if has_store and self.store.read_only else ""
        for action in (self.rename_action, self.snapshot_action, self.delete_action,
                       *self.status_actions.values()):
            action.setEnabled(writable and has_session)
            action.setToolTip(reason or action.text().replace("&", ""))
        self.status_menu.setEnabled(writable and has_session)
        self.restore_menu.setEnabled(writable and has_session)
        self.restore_menu.menuAction().setToolTip(reason or "Restore a snapshot of the session "
                                                  "as a new session")
        self.manage_snapshots_action.setEnabled(has_store)
        self.export_action.setEnabled(has_store and has_session)
        self.agents_action.setEnabled(has_store)
        self.care.update_actions()
        for action in (self.close_action, self.refresh_action, self.find_action,
                       self.first_action, self.last_action, self.go_to_action):
            action.setEnabled(has_store)

    def _report_failure(self, error: Exception, title: str = "Something went wrong") -> None:
        dialogs.report_failure(self, error, title)

    # -- window state ------------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 860)
        splitter = self.settings.value("splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        """QWidget.closeEvent: remember the layout, stop background work, close the file."""
        if not self._agent_edits_settled(self.close):  # unsaved agent edits: ask first
            event.ignore()
            return
        if getattr(self, "agent_editor", None) is not None:
            self.agent_editor.close()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self._stop_background()
        if self.store is not None:
            self.store.close()
            self.store = None
        event.accept()

    def _stop_background(self) -> None:
        """Stop the timers and workers, closing their connections to the current file."""
        self._refresh_timer.stop()
        if self._maintenance_task is not None:
            self._maintenance_task.cancel()
            self._maintenance_task = None
        close = self.store.close if self.store is not None else None
        self.maintenance.shutdown(close)
        self.queries.shutdown(close)

    # -- snapshots ---------------------------------------------------------------------------------

    def _fill_restore_menu(self) -> None:
        """Fill Session ▸ Restore Snapshot with the current session's snapshots, read off the
        GUI thread; choosing one restores it as a new session."""
        from .snapshot_manager import RESTORE_MENU_LIMIT

        menu, store, session_id = self.restore_menu, self.store, self.current_session_id()
        menu.clear()
        self._restore_menu_for = session_id
        if store is None or session_id is None:
            menu.addAction("No session selected").setEnabled(False)
            return
        menu.addAction("Loading…").setEnabled(False)

        def done(records: list[Any]) -> None:
            if store is not self.store or self._restore_menu_for != session_id:
                return
            menu.clear()
            if not records:
                menu.addAction("No snapshots of this session").setEnabled(False)
            for record in records[:RESTORE_MENU_LIMIT]:
                when = style.local_text(record.created_at, " %H:%M") \
                    if record.created_at else "—"
                name = (record.name or "Unnamed snapshot").replace("&", "&&")
                action = menu.addAction(f"{name}\t{when} · {record.message_count:,} messages")
                action.setToolTip(style.plain_tooltip(record.description or record.name) or "")
                action.triggered.connect(
                    lambda _=False, r=record: self.restore_snapshot(r.id, r.name or ""))
            if len(records) > RESTORE_MENU_LIMIT:
                more = menu.addAction(f"{len(records) - RESTORE_MENU_LIMIT:,} more…")
                more.triggered.connect(self.manage_snapshots)
            menu.addSeparator()
            menu.addAction(self.manage_snapshots_action)

        def failed(error: Exception) -> None:
            menu.clear()
            menu.addAction("The snapshots could not be read").setEnabled(False)
            self._report_failure(error, "Cannot list the snapshots")

        self.queries.submit(lambda: store.snapshots.for_session(session_id), done, failed)

    def show_agent_editor(self) -> None:
        """Show the agent editor of the open file (one window, brought forward when open)."""
        from .agent_editor import AgentEditor

        editor = getattr(self, "agent_editor", None)
        if editor is None:
            editor = AgentEditor(self.queries, self)
            editor.changed.connect(self.refresh)
            self.store_changed.connect(editor.set_store)
            self.agent_editor = editor
            editor.set_store(self.store)
        if editor.isVisible():  # already open: bring it to the front
            editor.raise_()
            editor.activateWindow()
        editor.show()

    def _agent_edits_settled(self, then: Any) -> bool:
        """True unless the agent editor holds unsaved edits the person keeps (or is saving
        them, after which `then` runs)."""
        editor = getattr(self, "agent_editor", None)
        return editor is None or editor.may_close(then)

    def manage_snapshots(self) -> None:
        """Show the snapshot manager, following the current session."""
        from .snapshot_manager import SnapshotManager

        manager = getattr(self, "snapshot_manager", None)
        if manager is None:
            manager = SnapshotManager(self.queries, self)
            manager.restore_requested.connect(
                lambda snapshot_id, name: self.restore_snapshot(snapshot_id, name, manager))
            manager.revert_requested.connect(
                lambda snapshot_id, name: self.revert_snapshot(snapshot_id, name, manager))
            manager.changed.connect(self.refresh)
            self.store_changed.connect(manager.set_store)
            self.table.selectionModel().currentRowChanged.connect(
                lambda *_: self._sync_snapshot_manager())
            self.sessions.modelReset.connect(self._sync_snapshot_manager)
            self.sessions.reloaded.connect(self._sync_snapshot_manager)
            self.snapshot_manager = manager
            manager.set_store(self.store)
        self._sync_snapshot_manager()
        if manager.isVisible():  # already open: bring it to the front
            manager.raise_()
            manager.activateWindow()
        manager.show()

    def _sync_snapshot_manager(self) -> None:
        manager = getattr(self, "snapshot_manager", None)
        if manager is None:
            return
        summary = self.sessions.summary(self.table.currentIndex().row())
        if summary is not None:
            manager.set_session(summary.session.id, summary.session.display_name)
        elif self.thread_model.session_id is None:
            manager.set_session(None, None)

    def _reload_snapshot_manager(self, select_id: str | None = None, note: str = "") -> None:
        manager = getattr(self, "snapshot_manager", None)
        if manager is not None and manager.isVisible():
            manager.reload(select_id)
            if note:
                manager.say(note)

    def restore_snapshot(self, snapshot_id: str, name: str, parent: Any = None) -> None:
        """Ask first (what will be created, and in which file), then restore a snapshot as a
        new session with a progress dialog (Cancel keeps nothing); then select and show the
        new session, clearing the session filter if it would hide it."""
        store = self.store
        if store is None or store.read_only:
            return
        try:
            record = store.snapshots.require(snapshot_id)
        except DataError as exc:
            dialogs.report_failure(parent or self, exc, "Cannot restore the snapshot")
            return
        count = f"{record.message_count:,} message{'' if record.message_count == 1 else 's'}"
        if not dialogs.confirm_restore(
                parent or self,
                f"Restore “{name or 'Unnamed snapshot'}” ({count}) as a new session in "
                f"{store.path.name}?\n\nThe new session is a copy of the session as it was "
                "when the snapshot was taken, with its dates, named “… (Restored)”; the "
                "session it was taken of is not changed."):
            return

        def work(report: Any, should_stop: Any) -> Any:
            return store.snapshots.restore(
                snapshot_id, progress=lambda fraction: report("Restoring", fraction),
                should_stop=should_stop)

        def done(session: Any) -> None:
            note = f"Restored “{name}” as “{session.display_name}”, now shown in the window."
            self.statusBar().showMessage(note, 8000)
            if store is self.store:
                self._show_new_session(session.id)
                self._reload_snapshot_manager(note=note)

        self.run_with_progress(work, done, parent, "Restoring snapshot",
                                f"Restoring “{name}” as a new session…",
                                "Cannot restore the snapshot", "Restore")

    def revert_snapshot(self, snapshot_id: str, name: str, parent: Any = None) -> None:
        """Put a snapshot's session back as it was, after an automatic safety snapshot whose
        name the person is told."""
        store = self.store
        if store is None or store.read_only:
            return

        def work(report: Any, should_stop: Any) -> Any:
            return store.snapshots.revert(
                snapshot_id, progress=lambda fraction: report("Reverting", fraction),
                should_stop=should_stop)

        def done(result: Any) -> None:
            if store is not self.store:
                return
            self.refresh()
            self._reload_snapshot_manager(
                result.safety_snapshot.id,
                f"Reverted to “{name}”; safety snapshot “{result.safety_snapshot.name}” taken.")
            dialogs.show_info(
                parent or self, "Session reverted",
                f"“{result.session.display_name}” is back as it was in “{name}”.\n\n"
                f"A safety snapshot of how it was just before was taken first: "
                f"“{result.safety_snapshot.name}”. Revert to it to undo this.")

        self.run_with_progress(work, done, parent, "Reverting session",
                                f"Reverting the session to “{name}”…",
                                "Cannot revert the session", "Revert")

    def run_with_progress(self, work: Any, done: Any, parent: Any, title: str, text: str,
                          failure_title: str, verb: str, *, cancellable: bool = True,
                          failed: Any = None) -> None:
        """Run `work(report, should_stop)` on the maintenance runner (browsing queries never
        wait behind it) with a window-modal progress dialog; `failed` replaces the report of
        a failure."""
        from ..data.snapshots import Cancelled
        from .progress import TaskProgressDialog

        previous = getattr(self, "task_progress", None)
        if previous is not None:
            previous.deleteLater()
        dialog = TaskProgressDialog(parent or self, title, text)
        dialog.cancel_button.setEnabled(cancellable)
        self.task_progress = dialog

        def succeeded(result: Any) -> None:
            dialog.finish()
            done(result)

        def went_wrong(error: Exception) -> None:
            dialog.finish()
            if isinstance(error, Cancelled):
                self.statusBar().showMessage(f"{verb} cancelled; nothing was changed.", 8000)
            elif failed is not None:
                failed(error)
            else:
                self._report_failure(error, failure_title)

        def progressed(step: str, fraction: float) -> None:
            if not cancellable:  # the step is all there is to say
                dialog.label.setText(step + "…")
            dialog.set_fraction(fraction)

        task = self.maintenance.submit(work, succeeded, went_wrong, on_progress=progressed)
        dialog.attach(task)
        dialog.show()

    # -- export ----------------------------------------------------------------------------------

    def export_current_session(self) -> None:
        """Session ▸ Export…: ask for the form and file, then write it in the background with
        progress and Cancel (a cancelled export leaves no file)."""
        from ..export import ExportOptions, export_session, suggested_file_name

        session_id, store = self.current_session_id(), self.store
        summary = self.sessions.summary(self.table.currentIndex().row())
        if not (session_id and store and summary):
            return
        selected = self._selected_messages(session_id)
        last_format = str(self.settings.value("exportFormat", "md"))
        if last_format not in ("md", "html", "json", "pdf"):
            last_format = "md"
        folder = Path(str(self.settings.value("exportFolder", "") or Path.home()))
        suggested = folder / suggested_file_name(summary.session, last_format)
        choice: Any = dialogs.ask_export_options(
            self, summary.session.display_name, len(selected), str(suggested),
            style.is_dark(self.palette()), last_format)
        if choice is None:
            return
        path = Path(choice.path).expanduser()
        if path.exists() and not dialogs.confirm(
                self, "Export session", f"{path} exists. Replace it?", "Replace"):
            return
        self.settings.setValue("exportFormat", choice.format)
        self.settings.setValue("exportFolder", str(path.parent))
        options = ExportOptions(format=choice.format, tool_output=choice.tool_output,
                                dark=choice.dark, selected=choice.selected_only)
        messages = selected if choice.selected_only else None

        def work(report: Any, should_stop: Any) -> Any:
            return export_session(store, session_id, options, target=path, messages=messages,
                                  progress=report, should_stop=should_stop)

        def done(result: Any) -> None:
            self.statusBar().showMessage(
                f"Exported {result.message_count:,} messages to {result.path}", 10000)

        self.run_with_progress(work, done, None, "Exporting session",
                               f"Exporting “{summary.session.display_name}” to {path.name}…",
                               "Cannot export the session", "Export")

    def _selected_messages(self, session_id: str) -> list[Any]:
        """The messages selected in the thread, in thread order."""
        if self.thread_model.session_id != session_id:
            return []
        rows = sorted(index.row() for index in self.thread.list.selectionModel().selectedRows())
        found = (self.thread_model.message(row) for row in rows)
        return [message for message in found if message is not None]

    def _clear_session_filter(self) -> bool:
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

    def _show_new_session(self, session_id: str) -> None:
        """Select and show a session just written, once the list has read it."""
        def attempt() -> bool:
            row = self.sessions.row_of(session_id)
            if row < 0:
                return False
            index = self.sessions.index(row, 0)
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
            return True

        def unfiltered() -> None:
            self.sessions.reloaded.disconnect(unfiltered)
            if attempt():
                self.statusBar().showMessage(
                    "The session filter was cleared to show the new session.", 8000)
            else:
                shown_anyway()

        def shown_anyway() -> None:
            self.table.clearSelection()
            self.thread_model.show_session(session_id)
            self._load_details(session_id)

        def listed() -> None:
            self.sessions.reloaded.disconnect(listed)
            if not attempt():  # hidden by the filters: clear them, and show it anyway
                if self._clear_session_filter():
                    self.sessions.reloaded.connect(unfiltered)
                    self.filter_bar.changed.emit(self.filter_bar.current())
                else:
                    shown_anyway()
            self.thread.list.setFocus()

        self.sessions.reloaded.connect(listed)
        self.refresh()
