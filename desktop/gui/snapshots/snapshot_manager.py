"""The snapshot manager: list, take, rename, delete, restore, revert, compare, export, import.

Every database call goes through the window's door. Restoring and reverting, which
can take a while, are asked of the window (`restore_requested`, `revert_requested`), which runs
them with a progress dialog and then shows the result.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...data.errors import DataError
from ...data.snapshot_compare import SnapshotComparison
from ...data.snapshots import DOTNET_FORM, SnapshotListing
from .. import dialogs, style
from ..operations import Door
from .snapshot_compare import SnapshotCompareDialog
from .snapshot_model import SnapshotTableModel, can_restore_here, form_explanation

if TYPE_CHECKING:
    from ...data import Store

log = logging.getLogger(__name__)

RESTORE_MENU_LIMIT = 20  # snapshots listed in Session ▸ Restore Snapshot


def default_snapshot_name(session_name: str | None) -> str:
    """“<session> — <local date and time>”, a name that says what and when."""
    from datetime import datetime

    return f"{session_name or 'Untitled session'} — {datetime.now():%Y-%m-%d %H:%M}"


def file_name_for(name: str | None) -> str:
    """A file name made from a snapshot name."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name or "snapshot").strip(" .")
    return f"{cleaned[:80] or 'snapshot'}.json"


LISTING_READS = "snapshot listing"  # the door's kind for the manager's list


class SnapshotManager(QDialog):
    """All snapshots of the current session, or of every session, and what can be done with
    them."""

    restore_requested = Signal(str, str)  # snapshot id, its name
    revert_requested = Signal(str, str)

    def __init__(self, door: Door, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Snapshots")
        self.setAccessibleName("Snapshot manager")
        self.resize(1040, 520)
        self.door = door
        self.store: Store | None = None
        self.session_id: str | None = None
        self.session_name: str | None = None
        self.compare_dialog: SnapshotCompareDialog | None = None
        self._wanted: str | None = None
        self._loading = False  # a listing is on its way; its wanted selection still stands
        self._build()
        self._update_actions()

    # -- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel(self)
        self.title.setAccessibleName("Showing")
        self.this_session = QRadioButton("&This session", self)
        self.all_sessions = QRadioButton("A&ll sessions", self)
        self.this_session.setAccessibleName("Show this session's snapshots")
        self.all_sessions.setAccessibleName("Show every session's snapshots")
        self.this_session.setChecked(True)
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.this_session)
        self.scope.addButton(self.all_sessions)
        self.this_session.toggled.connect(lambda _checked: self.reload())
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Show:", self))
        top.addWidget(self.this_session)
        top.addWidget(self.all_sessions)

        self.model = SnapshotTableModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Snapshots")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((230, 170, 130, 80, 80, 100, 200)):
            header.resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.details = QLabel(self)
        self.details.setAccessibleName("Snapshot details")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                             | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setMargin(6)
        # a long description scrolls in its pane instead of being cut at the pane's foot
        details_pane = QScrollArea(self)
        details_pane.setWidgetResizable(True)
        details_pane.setFrameShape(QFrame.Shape.NoFrame)
        details_pane.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details_pane.setWidget(self.details)
        self.details_pane = details_pane
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(details_pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        self._build_actions()
        column = QVBoxLayout()
        for group in ((self.new_action, self.rename_action, self.delete_action),
                      (self.restore_action, self.revert_action, self.compare_action),
                      (self.export_action, self.import_action)):
            for action in group:
                column.addWidget(self._button(action))
            column.addSpacing(12)
        column.addStretch(1)
        column.addWidget(self._button(self.refresh_action))
        middle = QHBoxLayout()
        middle.addWidget(splitter, 1)
        middle.addLayout(column)
        self.status = QLabel("", self)
        self.status.setAccessibleName("Snapshot manager status")
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        close_button = close.button(QDialogButtonBox.StandardButton.Close)
        close_button.setAutoDefault(False)
        close_button.setAccessibleName("Close the snapshot manager")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout.addLayout(bottom)

    def _action(self, text: str, slot: Callable[[], None], shortcut: str, tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
        action.setData(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("&New Snapshot…", self.create_snapshot, "Ctrl+N",
                                       "Take a snapshot of the session now")
        self.rename_action = self._action("&Rename…", self.rename_snapshot, "F2",
                                          "Change the snapshot's name and description")
        self.delete_action = self._action("&Delete…", self.delete_snapshot, "Del",
                                          "Delete the snapshot")
        self.restore_action = self._action("Restore as New &Session", self.restore_snapshot,
                                           "Ctrl+R", "Restore the snapshot as a new session")
        self.revert_action = self._action(
            "Re&vert Session…", self.revert_session, "Ctrl+Shift+R",
            "Put the session back as it was in the snapshot (a safety snapshot is taken first)")
        self.compare_action = self._action("Co&mpare with Now…", self.compare_snapshot,
                                           "Ctrl+D", "List the messages changed since")
        self.export_action = self._action("&Export…", self.export_snapshot, "Ctrl+E",
                                          "Write the snapshot to a JSON file")
        self.import_action = self._action("&Import…", self.import_snapshot, "Ctrl+I",
                                          "Add a snapshot from a JSON file")
        self.refresh_action = self._action("Re&fresh", self.reload, "F5",
                                           "Read the list again")
        for action in (self.rename_action, self.delete_action, self.restore_action,
                       self.revert_action, self.compare_action, self.export_action):
            self.table.addAction(action)

    def _button(self, action: QAction) -> QPushButton:
        """A push button that mirrors an action's text, state and tooltip."""
        button = QPushButton(action.text(), self)
        button.setAutoDefault(False)
        button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        button.clicked.connect(action.trigger)

        def sync() -> None:
            button.setEnabled(action.isEnabled())
            button.setToolTip(action.toolTip())

        action.changed.connect(sync)
        sync()
        return button

    # -- state --------------------------------------------------------------------------------

    def set_store(self, store: Store | None) -> None:
        """Manage the snapshots of another file (or none)."""
        self.store = store
        self.session_id = self.session_name = None
        self.reload()

    def set_session(self, session_id: str | None, session_name: str | None) -> None:
        """Follow the window's current session."""
        if (session_id, session_name) == (self.session_id, self.session_name):
            return
        moved = session_id != self.session_id
        self.session_id, self.session_name = session_id, session_name
        if moved or self.all_mode:  # all_mode: the session column shows the new name
            self.reload()
        else:
            self._show_title()

    @property
    def all_mode(self) -> bool:
        return self.all_sessions.isChecked()

    def current(self) -> SnapshotListing | None:
        """The selected snapshot."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.listing(rows[0].row()) if rows else None

    def reload(self, select_id: str | None = None) -> None:
        """Read the list again off the GUI thread, keeping (or moving to) a selection."""
        current = self.current()
        if select_id is not None or not self._loading:
            self._wanted = select_id or (current.snapshot.id if current else None)
        self.door.next_request(LISTING_READS)  # the listing before is no longer wanted
        store = self.store
        session_id = None if self.all_mode else self.session_id
        self._show_title()
        self.table.setColumnHidden(1, not self.all_mode)
        if store is None or (session_id is None and not self.all_mode):
            self._loading = False
            self.model.set_rows([])
            self._update_actions()
            return

        def done(rows: list[SnapshotListing]) -> None:
            self._loading = False
            self.model.set_rows(rows)
            row = self.model.row_of(self._wanted)
            if row < 0 and rows:
                row = 0
            if row >= 0:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
            self._update_actions()
            if not rows:
                self.details.setText(
                    "<i>No snapshots yet. Take one with New Snapshot (Ctrl+N) before a risky "
                    "agent run.</i>" if not self.all_mode else "<i>No snapshots in this file.</i>")

        def failed(error: Exception) -> None:
            self._loading = False
            dialogs.report_failure(self, error, "Cannot list snapshots")

        self._loading = True
        self.door.op(lambda _store: store.snapshots.listing(session_id)).within(LISTING_READS) \
            .success(done).failure(failed).run()

    def _show_title(self) -> None:
        if self.store is None:
            text = "No database open"
        elif self.all_mode:
            text = f"Snapshots of every session in {self.store.path.name}"
        elif self.session_id is None:
            text = "No session selected: choose one in the window, or show all sessions"
        else:
            text = f"Snapshots of “{self.session_name or 'Untitled session'}”"
        self.title.setText(f"<b>{html.escape(text)}</b>")

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details(self.current())
        self._update_actions()

    def _show_details(self, listing: SnapshotListing | None) -> None:
        if listing is None:
            self.details.setText("")
            return
        snapshot = listing.snapshot
        lines = [
            f"<b>{html.escape(snapshot.name or 'Unnamed snapshot')}</b>",
            f"Taken {html.escape(style.exact_time(snapshot.created_at))} of "
            f"“{html.escape(listing.session_name or 'Untitled session')}”"
            + ("" if listing.session_exists else " (that session is no longer in this file)"),
            f"{snapshot.message_count:,} messages · {style.human_size(snapshot.size)}",
            html.escape(form_explanation(listing)),
        ]
        if snapshot.description:
            lines.insert(1, html.escape(snapshot.description).replace("\n", "<br>"))
        self.details.setText("<br>".join(lines))

    def _update_actions(self) -> None:
        store = self.store
        listing = self.current()
        reason = store.read_only_reason if store is not None and store.read_only else ""
        writable = store is not None and not store.read_only
        selected = listing is not None
        session_there = selected and listing.session_exists
        enabled = {
            self.new_action: writable and self.session_id is not None,
            self.rename_action: writable and selected,
            self.delete_action: writable and selected,
            self.restore_action: writable and selected,
            self.revert_action: writable and session_there,
            self.compare_action: session_there,
            self.export_action: selected,
            self.import_action: writable and store is not None,
            self.refresh_action: store is not None,
        }
        for action, on in enabled.items():
            action.setEnabled(bool(on))
            writes = action not in (self.compare_action, self.export_action,
                                    self.refresh_action)
            tip = action.data()
            if reason and writes:
                tip = reason
            elif action in (self.restore_action, self.revert_action, self.compare_action) \
                    and selected and (not can_restore_here(listing)
                                      or listing.snapshot.format == DOTNET_FORM):
                tip = form_explanation(listing)
            action.setToolTip(f"{tip} ({action.shortcut().toString()})")
        self.all_sessions.setEnabled(store is not None)
        self.this_session.setEnabled(store is not None)

    # -- commands -------------------------------------------------------------------------------

    def _run(self, work: Callable[[], Any], title: str,
             after: Callable[[Any], None] | None = None) -> None:
        # what these commands write is snapshots only, which the manager lists again itself
        # (`after`); the window's views show none, and its restore menu is read when opened
        op = self.door.op(lambda _store: work()).failure(title).over(self)
        if after is not None:
            op.success(after)
        op.run()

    def say(self, text: str) -> None:
        """Show a short note under the list (what was just done)."""
        self.status.setText(text)

    def create_snapshot(self) -> None:
        """Ask a name and description, then take a snapshot of the session."""
        store, session_id = self.store, self.session_id
        if store is None or session_id is None or not self.new_action.isEnabled():
            return
        answer = dialogs.ask_name_and_description(
            self, "New snapshot", default_snapshot_name(self.session_name))
        if answer is None:
            return
        name, description = answer

        def done(record: Any) -> None:
            self.say(f"Took “{record.name}” ({record.message_count:,} messages).")
            self.reload(record.id)

        self._run(lambda: store.snapshots.create(session_id, name, description or None),
                  "Cannot take the snapshot", done)

    def rename_snapshot(self) -> None:
        """Change the selected snapshot's name and description."""
        store, listing = self.store, self.current()
        if store is None or listing is None or not self.rename_action.isEnabled():
            return
        snapshot = listing.snapshot
        answer = dialogs.ask_name_and_description(self, "Rename snapshot", snapshot.name or "",
                                                  snapshot.description or "")
        if answer is None:
            return
        name, description = answer

        def done(record: Any) -> None:
            self.say(f"Renamed to “{record.name}”.")
            self.reload(record.id)

        self._run(lambda: store.snapshots.rename(snapshot.id, name, description),
                  "Cannot rename the snapshot", done)

    def delete_snapshot(self) -> None:
        """Delete the selected snapshot once the person confirms."""
        store, listing = self.store, self.current()
        if store is None or listing is None or not self.delete_action.isEnabled():
            return
        snapshot = listing.snapshot
        name = snapshot.name or "Unnamed snapshot"
        if not dialogs.confirm(self, "Delete snapshot",
                               f"Delete the snapshot “{name}” ({snapshot.message_count:,} "
                               "messages)? The session itself is not changed. This cannot be "
                               "undone."):
            return
        row = self.model.row_of(snapshot.id)

        def done(_deleted: Any) -> None:
            self.say(f"Deleted “{name}”.")
            following = self.model.listing(row + 1) or self.model.listing(row - 1)
            self.reload(following.snapshot.id if following else None)

        self._run(lambda: store.snapshots.delete(snapshot.id), "Cannot delete the snapshot",
                  done)

    def restore_snapshot(self) -> None:
        """Ask the window to restore the selected snapshot as a new session."""
        listing = self.current()
        if listing is not None and self.restore_action.isEnabled():
            self.restore_requested.emit(listing.snapshot.id, listing.snapshot.name or "")

    def revert_session(self) -> None:
        """Ask the window to put the session back as it was in the selected snapshot."""
        listing = self.current()
        if listing is None or not self.revert_action.isEnabled():
            return
        snapshot = listing.snapshot
        session = listing.session_name or "Untitled session"
        if not dialogs.confirm(
                self, "Revert session",
                f"Put “{session}” back as it was in “{snapshot.name}” "
                f"({snapshot.message_count:,} messages)? Messages added since are removed. A "
                "safety snapshot of the session as it is now is taken first, so this can be "
                "undone.", "Revert"):
            return
        self.revert_requested.emit(snapshot.id, snapshot.name or "")

    def compare_snapshot(self) -> None:
        """List what changed in the session since the selected snapshot."""
        store, listing = self.store, self.current()
        if store is None or listing is None or not self.compare_action.isEnabled():
            return
        snapshot_id = listing.snapshot.id
        session_name = listing.session_name
        self.say("Comparing…")

        def done(comparison: SnapshotComparison) -> None:
            self.say("")
            if self.compare_dialog is not None:
                self.compare_dialog.close()
                self.compare_dialog.deleteLater()
            self.compare_dialog = SnapshotCompareDialog(comparison, session_name, self)
            self.compare_dialog.show()

        def failed(error: Exception) -> None:
            self.say("")
            dialogs.report_failure(self, error, "Cannot compare the snapshot")

        self.door.op(lambda _store: store.snapshots.compare(snapshot_id)).success(done) \
            .failure(failed).run()

    def export_snapshot(self) -> None:
        """Write the selected snapshot to a JSON file the person chooses."""
        store, listing = self.store, self.current()
        if store is None or listing is None:
            return
        snapshot = listing.snapshot
        suggested = str(store.path.parent / file_name_for(snapshot.name))
        path = dialogs.choose_save_json(self, "Export snapshot", suggested)
        if not path:
            return
        self._run(lambda: store.snapshots.export(snapshot.id, path), "Cannot export the snapshot",
                  lambda written: self.say(f"Exported “{snapshot.name}” to {written}."))

    def import_snapshot(self) -> None:
        """Add a snapshot from a JSON file: to the session it was taken of when this file has
        it, otherwise to the session shown here."""
        store, session_id = self.store, self.session_id
        if store is None or not self.import_action.isEnabled():
            return
        path = dialogs.choose_open_json(self, "Import snapshot", str(store.path.parent))
        if not path:
            return

        def work() -> tuple[Any, bool]:
            snapshot = store.snapshots.read_file(path)
            original = bool(snapshot.session_id and store.sessions.exists(snapshot.session_id))
            target = None if original else session_id
            if target is None and not original:
                raise DataError(
                    f"The session {Path(path).name} was taken of is not in this file. Select "
                    "the session to attach it to in the window, then import again.")
            return store.snapshots.import_file(snapshot, target), original

        def done(result: tuple[Any, bool]) -> None:
            record, original = result
            where = "its own session" if original else \
                f"“{self.session_name or 'Untitled session'}” (its own session is not in " \
                "this file)"
            self.say(f"Imported “{record.name}” into {where}.")
            if self.this_session.isChecked() and record.session_id != self.session_id:
                self.all_sessions.setChecked(True)
            self.reload(record.id)

        self._run(work, "Cannot import the snapshot", done)

