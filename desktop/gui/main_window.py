"""The main window: it composes the rooms (the session list, the thread, the details and
search side panel, the start screen, and the snapshot, export, file-care and agent commands),
places their actions in its menus, and holds what belongs to the open file as a whole: opening
and closing it, background maintenance, noticing outside changes, and the write helper."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from .. import APP_NAME, paths
from ..data.enums import SessionStatus
from ..data.errors import DamagedDatabaseError, DataError
from . import dialogs, style
from .actions import add_action
from .files.welcome import WelcomePage
from .operations import (
    AGENTS,
    DETAILS,
    EVERYTHING,
    SEARCH,
    SESSIONS,
    SNAPSHOTS,
    THREAD,
    WAITING_FOR_LOCK,
    Door,
)
from .sessions.sessions_pane import SessionsPane
from .tasks import TaskRunner

if TYPE_CHECKING:
    from ..data import Store
    from ..data.search import SearchHit
    from .exporting.session_export import SessionExport
    from .files.file_care import FileCare
    from .search.search_panel import SearchPanel
    from .sessions.details_panel import DetailsPanel, SessionDetails
    from .snapshots.snapshot_actions import SnapshotActions
    from .thread.thread_view import MessageThreadModel, ThreadView

log = logging.getLogger(__name__)

REFRESH_INTERVAL_MS = 1500
MAX_RECENT = 8


class MainWindow(QMainWindow):
    """One window showing one database file.

    It is built in two steps so that a launch paints it early: the frame (the session list,
    the start screen, the status bar and the menus' titles) and then, in `complete()`, the
    thread, the side panel, the commands and the menus' items, whose modules the first paint
    does not import. A window made without `complete=False` is built whole.
    """

    store_changed = Signal(object)
    # made by `complete()`
    thread_model: MessageThreadModel
    thread: ThreadView
    details: DetailsPanel
    search: SearchPanel
    side: QTabWidget
    care: FileCare
    snapshots: SnapshotActions
    exporter: SessionExport

    def __init__(self, settings: QSettings | None = None, *, complete: bool = True) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.store: Store | None = None
        self.queries = TaskRunner("queries", self)
        self.maintenance = TaskRunner("maintenance", self)
        self.door = Door(self.queries, self, self.maintenance)  # requests to the open file
        self._maintenance_task: Any = None
        self._told_replaced: Store | None = None
        self._data_version: int | None = None
        self._pending_open: tuple[str, str, tuple[str, ...]] | None = None
        self._opening = False  # a file is being opened (the event loop runs meanwhile)
        self._close_after_open = False
        self.completed = False
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        self._build_frame()
        self._build_status_bar()
        self._build_menu_titles()
        self._restore_layout()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self._refresh_timer.timeout.connect(self._check_for_outside_changes)
        if complete:
            self.complete()

    def complete(self) -> None:
        """Build the rest of the window: the thread and side panes in the places the frame
        kept for them (at the sizes it restored), the commands, and the menus' items."""
        if self.completed:
            return
        self._build_panes()
        self._build_actions()
        self._build_rooms()
        self._build_menus()
        self.completed = True
        self._update_actions()

    # -- construction -----------------------------------------------------------------------

    def _build_frame(self) -> None:
        self.session_pane = SessionsPane(self.door.reads(), self)
        # the pane's parts, by the names the window's commands (and its tests) use
        self.sessions = self.session_pane.model
        self.filter_bar = self.session_pane.filter_bar
        self.table = self.session_pane.table

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.session_pane)
        for _pane in ("thread", "side"):  # their places, until `complete()` fills them
            self.splitter.addWidget(QWidget(self.splitter))
        self._stretch_panes()

        # the start screen, shown while no file is open
        self.welcome = WelcomePage(self.door, self.recent_files, self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.splitter)
        self.setCentralWidget(self.pages)

        welcome = self.welcome
        welcome.choose_requested.connect(self.choose_file)
        welcome.new_requested.connect(self.choose_new_file)
        welcome.open_requested.connect(lambda path: self.open_file(path, create=False))
        welcome.create_requested.connect(lambda path: self.open_file(path, create=True))
        welcome.shown.connect(lambda: self.pages.setCurrentWidget(welcome))
        welcome.database_wanted.connect(self._leave_welcome)
        welcome.samples_loaded.connect(self._samples_loaded)

    def _build_panes(self) -> None:
        from .search.search_panel import SearchPanel
        from .sessions.details_panel import DetailsPanel
        from .thread.thread_view import MessageThreadModel, ThreadView

        self.thread_model = MessageThreadModel(self.door.reads(), self)
        self.thread = ThreadView(self.thread_model, self)
        self.details = DetailsPanel(self)
        self.search = SearchPanel(self.door.reads(), self)
        self.side = QTabWidget(self)
        self.side.setAccessibleName("Side panel")
        self.side.addTab(self.details, "Details")
        self.side.addTab(self.search, "Search")
        # on a painted frame, the replacing panes keep the sizes it shows (they would be given
        # their size hints); before, the sizes the frame restored are still to be laid out
        sizes = self.splitter.sizes() if self.splitter.isVisible() else None
        for index, pane in ((1, self.thread), (2, self.side)):
            self.splitter.replaceWidget(index, pane).deleteLater()
        self._stretch_panes()  # a pane's stretch is its own size policy's
        if sizes is not None:
            self.splitter.setSizes(sizes)

        self.session_pane.current_changed.connect(self._current_session_changed)
        self.sessions.reloaded.connect(self._restore_selection)
        self.sessions.failed.connect(self._report_failure)
        self.thread_model.failed.connect(self._report_failure)
        self.search.hit_chosen.connect(self.open_hit)

    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        return add_action(self, text, slot, shortcut, tip)

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
        self.agents_action = self._action("&Agents…", self.show_agent_editor, "Ctrl+Shift+A",
                                          "Edit agent configurations")
        self.delete_action = self._action("&Delete…", self.delete_session, key.Delete)
        self.about_action = self._action("&About", self.show_about)
        self.status_actions: dict[SessionStatus, QAction] = {}
        for status in SessionStatus:
            action = QAction(status.label, self)
            action.triggered.connect(lambda _=False, s=status: self.change_status(s))
            self.status_actions[status] = action

    def _build_rooms(self) -> None:
        """The commands that live in their own rooms, wired to the window by signals."""
        self.door.changed.connect(self.refresh_changed)
        self.door.waiting.connect(self._waiting_for_lock)
        self.door.replaced.connect(self._file_replaced)
        self.door.status.connect(self.statusBar().showMessage)
        from .exporting.session_export import SessionExport
        from .files.file_care import FileCare
        from .snapshots.snapshot_actions import SnapshotActions

        self.care = FileCare(self.door, self.run_with_progress, self)
        self.care.open_requested.connect(lambda path: self.open_file(path, create=False))
        self.care.close_requested.connect(self.close_file)
        self.care.maintenance_wanted.connect(self.start_maintenance)
        self.care.progress.connect(self.show_background_progress)
        self.care.progress_note.connect(self.progress_label.setText)
        self.care.status.connect(self.statusBar().showMessage)
        self.store_changed.connect(self.care.set_store)

        self.snapshots = SnapshotActions(self.door, self.session_pane, self.thread_model, self)
        self.snapshot_action = self.snapshots.snapshot_action
        self.manage_snapshots_action = self.snapshots.manage_action
        self.snapshots.session_created.connect(self._show_new_session)
        self.snapshots.status.connect(self.statusBar().showMessage)
        self.store_changed.connect(self.snapshots.set_store)

        self.exporter = SessionExport(self.settings, self.session_pane, self.thread,
                                      self.door, self)
        self.export_action = self.exporter.export_action
        self.exporter.status.connect(self.statusBar().showMessage)

        self.session_pane.menu_items = [
            self.rename_action, ("Change Status", list(self.status_actions.values())),
            self.snapshot_action, self.export_action, None, self.delete_action]

    @property
    def snapshot_manager(self) -> Any:
        """The snapshot manager window, once shown."""
        return self.snapshots.manager

    def manage_snapshots(self) -> None:
        self.snapshots.manage_snapshots()

    def restore_snapshot(self, snapshot_id: str, name: str, parent: Any = None) -> None:
        self.snapshots.restore_snapshot(snapshot_id, name, parent)

    def _build_menu_titles(self) -> None:
        """The menu bar's menus, empty until `complete()`: the first paint shows them."""
        bar = self.menuBar()
        self.menus = {title: bar.addMenu(title) for title in
                      ("&File", "&Edit", "&View", "&Session", "&Agents", "&Help")}

    def _build_menus(self) -> None:
        menus = self.menus
        file_menu = menus["&File"]
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
        edit = menus["&Edit"]
        edit.addAction(self.copy_action)
        edit.addSeparator()
        edit.addAction(self.find_action)
        edit.addAction(self.filter_action)
        view = menus["&View"]
        view.addAction(self.refresh_action)
        view.addSeparator()
        view.addAction(self.first_action)
        view.addAction(self.last_action)
        view.addAction(self.go_to_action)
        view.addSeparator()
        view.addAction(self.details_action)
        session = menus["&Session"]
        session.addAction(self.rename_action)
        self.status_menu = session.addMenu("Change S&tatus")
        for action in self.status_actions.values():
            self.status_menu.addAction(action)
        session.addSeparator()
        session.addAction(self.snapshot_action)
        self.restore_menu = session.addMenu("Restore Sna&pshot")
        self.restore_menu.setToolTipsVisible(True)
        self.restore_menu.aboutToShow.connect(
            lambda: self.snapshots.fill_restore_menu(self.restore_menu))
        session.addAction(self.manage_snapshots_action)
        session.addSeparator()
        session.addAction(self.export_action)
        session.addSeparator()
        session.addAction(self.delete_action)
        agents_menu = menus["&Agents"]
        agents_menu.addAction(self.agents_action)
        help_menu = menus["&Help"]
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
        self.complete()
        if self._opening or not self._agent_edits_settled(
                lambda: self.open_file(path, create=create)):
            return False
        self._opening = True
        self.statusBar().showMessage(f"Opening {path.name}…")
        try:
            store = self.door.open_file(path, create=create)
        except DataError as error:
            self._explain_open_failure(path, error)
            return False
        finally:
            self._opening = False
            self.statusBar().clearMessage()
        if self._close_after_open:  # the window was closed while the file was opening
            store.close()
            self.close()
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
        if not self._opening and self._agent_edits_settled(self.close_file):
            self._set_store(None)

    def _set_store(self, store: Store | None) -> None:
        self._stop_background()
        old = self.store
        self.store = store
        self.door.set_store(store)
        self.welcome.set_store(store)  # before it is shown below, which redraws it
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
            self.start_maintenance()
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

    def start_maintenance(self) -> None:
        """Run the open file's one-time work (backup, schema steps, search index) in the
        background, if it needs any."""
        store = self.store
        if store is None or store.read_only:
            return

        def work(store: Store, report: Any, should_stop: Any) -> bool:
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
                self.snapshots.reload_manager()  # other programs' snapshots are read now

        def failed(error: Exception) -> None:  # the door tells of a replaced file (replaced)
            self._maintenance_task = None
            self.show_background_progress(None)
            self.progress_label.setText("Background work stopped")
            self._report_failure(error)

        self._maintenance_task = self.door.op(work).in_background(self.show_background_progress) \
            .success(done).failure(failed).run()

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
            counts, projects, agents = result
            self.counts_label.setText(" · ".join(style.count_of(counts[noun + "s"], noun)
                                                 for noun in ("session", "message", "agent")))
            self.filter_bar.set_projects(projects)
            self.search.set_agents(agents)

        self.door.op(lambda _store: load()).latest("side data").success(done).run()

    def _check_for_outside_changes(self) -> None:
        store = self.store
        if store is None or (self.door.busy and self._data_version is not None):
            return

        def poll() -> tuple[str | None, int]:
            return store.check_file(), store.change_counter()

        def done(result: tuple[str | None, int]) -> None:
            replaced, version = result
            if replaced is not None:
                self._file_replaced(replaced)
                return
            if self._data_version is not None and version != self._data_version:
                log.info("the file changed outside this window; refreshing")
                self.refresh()
                if self._maintenance_task is None:  # it may have rebuilt a table of ours
                    self.start_maintenance()
            self._data_version = version

        self.door.op(lambda _store: poll()).success(done).failure(lambda _e: None).run()

    def _file_replaced(self, reason: str) -> None:
        """Another program moved, deleted or replaced the open file: the store has stopped
        writing; say so once, and show the window as read-only."""
        if self._maintenance_task is not None:  # it stops writing too
            self._maintenance_task.cancel()
            self._maintenance_task = None
            self.show_background_progress(None)
        if self._told_replaced is self.store:
            return
        self._told_replaced = self.store
        self._refresh_timer.stop()
        self.read_only_label.setText("Read-only: file replaced")
        self.read_only_label.setToolTip(reason)
        self._update_actions()
        self.care.update_actions()
        dialogs.show_error(self, "The file was replaced", reason)

    def refresh(self) -> None:
        """Re-read the list, the open thread, the details and the search results, keeping
        selection and scroll."""
        self.refresh_changed(EVERYTHING)

    def refresh_changed(self, changes: frozenset[str], *, editor_too: bool = True) -> None:
        """Re-read what shows `changes` (what a write reported), keeping selection and
        scroll."""
        if self.store is None:
            return
        if SESSIONS in changes:
            self.sessions.refresh()
        if THREAD in changes:
            self.thread_model.refresh()
        if changes & {DETAILS, THREAD}:
            self._load_details(self.current_session_id())
        if changes & {SESSIONS, AGENTS}:
            self._load_side_data()
        if SEARCH in changes:
            self.search.run_search(quiet=True)
        if SNAPSHOTS in changes:
            self.snapshots.reload_manager()
        editor = getattr(self, "agent_editor", None)
        if editor_too and AGENTS in changes and editor is not None and editor.isVisible() \
                and not editor.saving:
            editor.reload()  # keeps unsaved edits; shows other programs' changes otherwise

    # -- selection -----------------------------------------------------------------------------

    def current_session_id(self) -> str | None:
        return self.session_pane.current_session_id()

    def _current_session_changed(self, session_id: str | None) -> None:
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
            summary = self.sessions.summary(row)
            if summary is not None:
                self.session_pane.select(summary.session.id)

    def _load_details(self, session_id: str | None) -> None:
        store = self.store
        if store is None or session_id is None:
            self.details.show_details(None)
            self.thread.set_statistics(None)
            return

        from .sessions.details_panel import SessionDetails

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
            if session_id == self.thread_model.session_id:
                self.details.show_details(details)
                self.thread.set_statistics(details.statistics if details else None)

        self.door.op(lambda _store: load()).latest("details").success(done).run()

    def open_hit(self, hit: SearchHit, query: str) -> None:
        """Show the hit's session scrolled to the message, with the matched words marked."""
        if hit.session_id is None:
            return
        from .thread.message_render import search_terms

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
        self.session_pane.focus_filter()

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
        summary = self.session_pane.current_summary()
        name = dialogs.ask_text(self, "Rename session", "New name:",
                                summary.session.name or "" if summary else "")
        if name is None:
            return
        self._write(lambda: store.sessions.rename(session_id, name), "Cannot rename the session",
                    frozenset({SESSIONS, DETAILS, SEARCH}))

    def change_status(self, status: SessionStatus) -> None:
        session_id, store = self.current_session_id(), self.store
        if session_id and store:
            self._write(lambda: store.sessions.set_status(session_id, status),
                        "Cannot change the status", frozenset({SESSIONS, DETAILS, SEARCH}))

    def delete_session(self) -> None:
        session_id, store = self.current_session_id(), self.store
        if not (session_id and store):
            return
        summary = self.session_pane.current_summary()
        name = summary.session.display_name if summary else session_id
        count = summary.message_count if summary else 0
        if not dialogs.confirm(self, "Delete session",
                               f"Delete “{name}” with its {count:,} messages, snapshots and "
                               "plans? This cannot be undone."):
            return
        row = self.session_pane.current_row()

        def deleted(_result: Any) -> None:
            self.thread_model.show_session(None)
            self.sessions.refresh()
            next_row = min(row, self.sessions.rowCount() - 1)
            if next_row >= 0:
                self.session_pane.select_row(next_row)

        self._write(lambda: store.sessions.delete(session_id), "Cannot delete the session",
                    after=deleted)

    def _write(self, work: Any, failure_title: str, changes: frozenset[str] = EVERYTHING,
               after: Any = None) -> None:
        """Run a change through the door. While another program holds the file's write lock
        the status bar says so; past the busy timeout the person may try again, and the
        change, still in hand, is not lost. Then the views showing `changes` read again."""
        op = self.door.op(lambda _store: work()).changes(changes) \
            .retry_when_locked(failure_title)
        if after is not None:
            op.success(after)
        op.run()

    def _waiting_for_lock(self, waiting: bool) -> None:
        if waiting:
            self.statusBar().showMessage(WAITING_FOR_LOCK)
        elif self.statusBar().currentMessage() == WAITING_FOR_LOCK:
            self.statusBar().clearMessage()

    def _leave_welcome(self) -> None:
        """Leave the start screen for the open file's sessions."""
        self.pages.setCurrentWidget(self.splitter)
        self.table.setFocus()

    def _samples_loaded(self, summary: str) -> None:
        self.statusBar().showMessage(summary, 10_000)
        self.refresh()

    def show_about(self) -> None:
        from .about import show_about

        show_about(self, self.store.path if self.store else None)

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

    def _stretch_panes(self) -> None:
        for index, stretch in enumerate((3, 4, 2)):
            self.splitter.setStretchFactor(index, stretch)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 860)
        self.splitter.setSizes([540, 580, 420])
        state = self.settings.value("splitter")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.splitter.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        """QWidget.closeEvent: remember the layout, stop background work, close the file."""
        if self._opening:  # closed once the file is open (SQLite may be waiting for a lock)
            self._close_after_open = True
            event.ignore()
            return
        if not self._agent_edits_settled(self.close):  # unsaved agent edits: ask first
            event.ignore()
            return
        if getattr(self, "agent_editor", None) is not None:
            self.agent_editor.close()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self._stop_background()
        self.door.set_store(None)  # a late timer's request is not run, a late answer dropped
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

    # -- the other windows and long work ------------------------------------------------------

    def show_agent_editor(self) -> None:
        """Show the agent editor of the open file (one window, brought forward when open)."""
        from .agents.agent_editor import AgentEditor

        editor = getattr(self, "agent_editor", None)
        if editor is None:
            editor = AgentEditor(self.door, self)
            editor.changed.connect(lambda: self.refresh_changed(EVERYTHING, editor_too=False))
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

    def run_with_progress(self, work: Any, done: Any, parent: Any, title: str, text: str,
                          failure_title: str, verb: str, *, cancellable: bool = True,
                          failed: Any = None) -> None:
        """Long work with a window-modal progress dialog (see `Door.run_with_progress`)."""
        self.door.run_with_progress(work, done, parent, title, text, failure_title, verb,
                                    cancellable=cancellable, failed=failed)

    @property
    def task_progress(self) -> Any:
        """The progress dialog of the latest long work."""
        return self.door.progress_dialog

    def _show_new_session(self, session_id: str) -> None:
        """Select and show a session just written, once the list has read it."""
        def attempt() -> bool:
            return self.session_pane.select(session_id)

        def unfiltered() -> None:
            self.sessions.reloaded.disconnect(unfiltered)
            if attempt():
                self.statusBar().showMessage(
                    "The session filter was cleared to show the new session.", 8000)
            else:
                shown_anyway()

        def shown_anyway() -> None:
            self.session_pane.clear_selection()
            self.thread_model.show_session(session_id)
            self._load_details(session_id)

        def listed() -> None:
            self.sessions.reloaded.disconnect(listed)
            if not attempt():  # hidden by the filters: clear them, and show it anyway
                if self.session_pane.clear_filter():
                    self.sessions.reloaded.connect(unfiltered)
                    self.filter_bar.changed.emit(self.filter_bar.current())
                else:
                    shown_anyway()
            self.thread.list.setFocus()

        self.sessions.reloaded.connect(listed)
        self.refresh()
