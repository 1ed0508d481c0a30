"""The Session menu's snapshot commands: Take Snapshot, Restore Snapshot (its menu), Manage
Snapshots (one manager window, following the current session), restore and revert.

The window owns one `SnapshotActions`, places its actions in its menus, and hears back through
signals: `session_created` (a restored session to show) and `status` (a line for the status
bar); what a command writes reaches the window's views through the door's changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QWidget

from ...data.errors import DataError
from .. import dialogs, style
from ..actions import add_action
from ..operations import EVERYTHING, SNAPSHOTS, Door
from ..sessions.sessions_pane import SessionsPane
from ..thread.thread_view import MessageThreadModel

if TYPE_CHECKING:  # the data layer loads with the first file, not at first paint
    from ...data import Store
    from .snapshot_manager import SnapshotManager


class SnapshotActions(QObject):
    """The snapshot commands on the current session of the window's file."""

    session_created = Signal(str)  # the id of a session a restore wrote
    status = Signal(str, int)  # a status bar line and how long it shows (ms)

    def __init__(self, door: Door, sessions: SessionsPane, thread_model: MessageThreadModel,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.door = door
        self.sessions = sessions
        self.thread_model = thread_model
        self.store: Store | None = None
        self.manager: SnapshotManager | None = None
        self._restore_menu_for: str | None = None
        self.snapshot_action = add_action(
            parent, "Take &Snapshot…", self.take_snapshot, "Ctrl+Shift+S",
            "Take a snapshot of the session to restore later")
        self.manage_action = add_action(
            parent, "&Manage Snapshots…", self.manage_snapshots, "Ctrl+Shift+M",
            "List, compare, restore, export and import snapshots")
        sessions.current_changed.connect(lambda _id: self._sync_manager())
        sessions.model.modelReset.connect(self._sync_manager)
        sessions.model.reloaded.connect(self._sync_manager)

    def set_store(self, store: Store | None) -> None:
        self.store = store
        if self.manager is not None:
            self.manager.set_store(store)

    def take_snapshot(self) -> None:
        session_id, store = self.sessions.current_session_id(), self.store
        if not (session_id and store):
            return
        from .snapshot_manager import default_snapshot_name  # with the data layer's snapshots

        summary = self.sessions.current_summary()
        default = default_snapshot_name(summary.session.display_name if summary else None)
        name = dialogs.ask_text(self.parent_widget, "Take snapshot", "Snapshot name:", default)
        if name is None:
            return

        def taken(snapshot: Any) -> None:
            self.status.emit(
                f"Snapshot “{snapshot.name}” taken ({snapshot.message_count:,} messages)", 5000)
            self.reload_manager(snapshot.id)

        self.door.op(lambda store: store.snapshots.create(session_id, name.strip() or default)) \
            .changes(SNAPSHOTS).retry_when_locked("Cannot take the snapshot").success(taken).run()

    def fill_restore_menu(self, menu: QMenu) -> None:
        """Fill Session ▸ Restore Snapshot with the current session's snapshots, read off the
        GUI thread; choosing one restores it as a new session."""
        store, session_id = self.store, self.sessions.current_session_id()
        menu.clear()
        self._restore_menu_for = session_id
        if store is None or session_id is None:
            menu.addAction("No session selected").setEnabled(False)
            return
        menu.addAction("Loading…").setEnabled(False)

        def done(records: list[Any]) -> None:
            from .snapshot_manager import RESTORE_MENU_LIMIT

            if self._restore_menu_for != session_id:
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
            menu.addAction(self.manage_action)

        def failed(error: Exception) -> None:
            menu.clear()
            menu.addAction("The snapshots could not be read").setEnabled(False)
            dialogs.report_failure(self.parent_widget, error, "Cannot list the snapshots")

        self.door.op(lambda store: store.snapshots.for_session(session_id)) \
            .latest("restore menu").success(done).failure(failed).run()

    def manage_snapshots(self) -> None:
        """Show the snapshot manager, following the current session."""
        manager = self.manager
        if manager is None:
            from .snapshot_manager import SnapshotManager  # on first use, not at first paint

            manager = SnapshotManager(self.door, self.parent_widget)
            manager.restore_requested.connect(
                lambda snapshot_id, name: self.restore_snapshot(snapshot_id, name, manager))
            manager.revert_requested.connect(
                lambda snapshot_id, name: self.revert_snapshot(snapshot_id, name, manager))
            self.manager = manager
            manager.set_store(self.store)
        self._sync_manager()
        if manager.isVisible():  # already open: bring it to the front
            manager.raise_()
            manager.activateWindow()
        manager.show()

    def _sync_manager(self) -> None:
        if self.manager is None:
            return
        summary = self.sessions.current_summary()
        if summary is not None:
            self.manager.set_session(summary.session.id, summary.session.display_name)
        elif self.thread_model.session_id is None:
            self.manager.set_session(None, None)

    def reload_manager(self, select_id: str | None = None, note: str = "") -> None:
        manager = self.manager
        if manager is not None and manager.isVisible():
            manager.reload(select_id)
            if note:
                manager.say(note)

    def restore_snapshot(self, snapshot_id: str, name: str, parent: Any = None) -> None:
        """Ask first (what will be created, and in which file), then restore a snapshot as a
        new session with a progress dialog (Cancel keeps nothing); then the new session is
        shown (`session_created`)."""
        store = self.store
        if store is None or store.read_only:
            return
        try:
            record = store.snapshots.require(snapshot_id)
        except DataError as exc:
            dialogs.report_failure(parent or self.parent_widget, exc,
                                   "Cannot restore the snapshot")
            return
        count = f"{record.message_count:,} message{'' if record.message_count == 1 else 's'}"
        if not dialogs.confirm_restore(
                parent or self.parent_widget,
                f"Restore “{name or 'Unnamed snapshot'}” ({count}) as a new session in "
                f"{store.path.name}?\n\nThe new session is a copy of the session as it was "
                "when the snapshot was taken, with its dates, named “… (Restored)”; the "
                "session it was taken of is not changed."):
            return

        def work(store: Store, report: Any, should_stop: Any) -> Any:
            return store.snapshots.restore(
                snapshot_id, progress=lambda fraction: report("Restoring", fraction),
                should_stop=should_stop)

        def done(session: Any) -> None:
            note = f"Restored “{name}” as “{session.display_name}”, now shown in the window."
            self.status.emit(note, 8000)
            self.session_created.emit(session.id)
            self.reload_manager(note=note)

        self.door.op(work).with_progress(
            "Restoring snapshot", f"Restoring “{name}” as a new session…", "Restore",
            over=parent).failure("Cannot restore the snapshot").success(done).run()

    def revert_snapshot(self, snapshot_id: str, name: str, parent: Any = None) -> None:
        """Put a snapshot's session back as it was, after an automatic safety snapshot whose
        name the person is told."""
        store = self.store
        if store is None or store.read_only:
            return

        def work(store: Store, report: Any, should_stop: Any) -> Any:
            return store.snapshots.revert(
                snapshot_id, progress=lambda fraction: report("Reverting", fraction),
                should_stop=should_stop)

        def done(result: Any) -> None:
            self.reload_manager(
                result.safety_snapshot.id,
                f"Reverted to “{name}”; safety snapshot “{result.safety_snapshot.name}” taken.")
            dialogs.show_info(
                parent or self.parent_widget, "Session reverted",
                f"“{result.session.display_name}” is back as it was in “{name}”.\n\n"
                f"A safety snapshot of how it was just before was taken first: "
                f"“{result.safety_snapshot.name}”. Revert to it to undo this.")

        self.door.op(work).with_progress(
            "Reverting session", f"Reverting the session to “{name}”…", "Revert",
            over=parent).changes(EVERYTHING).failure("Cannot revert the session").success(done) \
            .run()
