"""File ▸ Back Up Now, Restore from Backup and Check Database, and the scheduled backups.

A controller the main window owns: it adds its actions to the window, runs the work on the
window's door, in the background (so browsing never waits) and shows what came of it. It hears of
the open file through `set_store` and asks the window for what only the window does through
signals (open or close the file, start maintenance, show progress or a status line).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from ... import paths
from .. import dialogs
from ..actions import add_action
from ..operations import Door

if TYPE_CHECKING:  # the data layer and the dialogs load when first used, not at first paint
    from ...data import Store, backups
    from ...data.health import HealthReport
    from .backup_views import BackupDialog, CheckReportDialog

log = logging.getLogger(__name__)

SCHEDULE_CHECK_MS = 60 * 60 * 1000
FIRST_CHECK_MS = 30 * 1000  # let the first minute after opening belong to browsing


class FileCare(QObject):
    """Backups and checks of the window's database file."""

    open_requested = Signal(object)  # the path of a file to open (after a restore)
    close_requested = Signal()  # close the file (before a restore replaces it)
    maintenance_wanted = Signal()  # the search index was emptied: build it again
    progress = Signal(object, float)  # background work's step (None: done) and fraction
    progress_note = Signal(str)  # what stays in the status bar after background work
    status = Signal(str, int)  # a status bar line and how long it shows (ms)

    def __init__(self, door: Door, run_with_progress: Callable[..., None],
                 window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.door = door
        self.run_with_progress = run_with_progress
        self.store: Store | None = None
        self.backup_root = paths.backup_dir()
        self.backup_action = add_action(
            window, "Back &Up Now", self.back_up_now, "Ctrl+Shift+B",
            "Make a backup copy of the database now")
        self.restore_action = add_action(
            window, "Restore from &Backup…", self.show_backups, "Ctrl+Shift+R",
            "Put the database back as it was in one of its backups")
        self.check_action = add_action(
            window, "Chec&k Database…", self.check_database, "Ctrl+Shift+K",
            "Check the file's integrity and its search index")
        self.dialog: BackupDialog | None = None
        self._dialog_path: Path | None = None
        self.report_dialog: CheckReportDialog | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(SCHEDULE_CHECK_MS)
        self.timer.timeout.connect(self.back_up_if_due)

    def update_actions(self) -> None:
        """Enable what the open file allows, with the reason when it is read-only."""
        store = self.store
        writable = store is not None and not store.read_only
        reason = store.read_only_reason if store is not None and store.read_only else ""
        self.backup_action.setEnabled(store is not None)
        self.restore_action.setEnabled(writable)
        self.restore_action.setToolTip(reason or "Restore from a backup")
        self.check_action.setEnabled(store is not None)

    def set_store(self, store: Store | None) -> None:
        """The window opened `store` (None: closed its file)."""
        self.store = store
        self.update_actions()
        if self.dialog is not None:
            self.dialog.close()
        if store is None or store.read_only:
            self.timer.stop()
            return
        self.timer.start()
        QTimer.singleShot(FIRST_CHECK_MS, self, self.back_up_if_due)

    # -- backing up ------------------------------------------------------------------------

    def back_up_if_due(self) -> None:
        """Queue the day's backup; the worker makes it only if the file still has none from
        the last day (a backup before an update, say, may have been made meanwhile)."""
        store = self.store
        if store is not None and not store.read_only:
            self._back_up(store, "scheduled")

    def back_up_now(self) -> None:
        """Make a backup now (File ▸ Back Up Now)."""
        if self.store is not None:
            self._back_up(self.store, "manual")

    def _back_up(self, store: Store, reason: str) -> None:
        from ...data import backups

        root = self.backup_root

        def work(_store: Store, report: Any, _should_stop: Any) -> backups.Backup | None:
            if reason == "scheduled" and not backups.is_due(store.path, root):
                return None
            return backups.make_backup(store.path, root, reason, report)

        def done(backup: backups.Backup | None) -> None:
            self.progress.emit(None, 0.0)
            if backup is None:
                return
            self.status.emit(f"Backed up to {backup.path}", 8000)
            if self.dialog is not None and self._dialog_path == store.path:
                self.dialog.set_backups(backups.list_backups(store.path, root))

        def failed(error: Exception) -> None:
            self.progress.emit(None, 0.0)
            self.progress_note.emit("Backup failed")
            log.warning("%s backup of %s failed: %s", reason, store.path, error)
            if reason == "manual" or self.dialog is not None:
                dialogs.report_failure(self.dialog or self.window, error, "Cannot back up")

        self.door.op(work).in_background(self.progress.emit).success(done).failure(failed).run()

    # -- restoring ---------------------------------------------------------------------------

    def show_backups(self, path: Path | None = None) -> None:
        """List the backups of `path` (default: the open file) — File ▸ Restore from Backup,
        or offered when a damaged file cannot be opened."""
        from ...data import backups
        from .backup_views import BackupDialog

        store = self.store
        path = path or (store.path if store is not None else None)
        if path is None:
            return
        if self.dialog is None:
            self.dialog = BackupDialog(self.window)
            self.dialog.restore_requested.connect(self.restore)
            self.dialog.back_up_requested.connect(self.back_up_now)
            self.dialog.show_folder_requested.connect(self._show_folder)
            self.dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self._dialog_path = path
        is_open = store is not None and store.path == path
        self.dialog.set_file(path, store.read_only_reason if is_open else None)
        self.dialog.back_up_button.setEnabled(is_open)
        self.dialog.set_backups(backups.list_backups(path, self.backup_root))
        if self.dialog.isVisible():  # already open: bring it to the front
            self.dialog.raise_()
            self.dialog.activateWindow()
        self.dialog.show()

    def _show_folder(self) -> None:
        from ...data import backups

        if self._dialog_path is None:
            return
        folder = backups.folder_for(self._dialog_path, self.backup_root)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            dialogs.show_error(self.dialog or self.window, "Cannot show the backups",
                               f"{folder} cannot be created ({error.strerror or error}).")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def restore(self, backup: backups.Backup) -> None:
        """Replace the file's contents with `backup`'s after the person confirms; what the
        file held is backed up first, and the window opens the file again either way."""
        from ...data import backups

        path = self._dialog_path
        store = self.store
        if path is None or (store is not None and store.path == path and store.read_only):
            return
        parent = self.dialog or self.window
        when = f"{backup.created:%Y-%m-%d %H:%M}"
        if not dialogs.confirm(
                parent, "Restore from backup",
                f"Replace everything in {path.name} with the backup from {when} "
                f"({backup.description.lower()})?\n\nWhat the file holds now is backed up "
                "first, so you can return to it by restoring that backup.", "Restore"):
            return
        if store is not None and store.path == path:
            self.close_requested.emit()  # the window answers at once, through set_store
            if self.store is not None:  # unsaved agent edits kept it open
                return
        if self.dialog is not None:
            self.dialog.close()

        def work(report: Any, _should_stop: Any) -> backups.Backup:
            return backups.restore(path, backup.path, self.backup_root, report)

        def done(safety: backups.Backup) -> None:
            self.open_requested.emit(path)
            self.status.emit(
                f"Restored the backup of {when}; what the file held before is kept as "
                f"{safety.path.name} in its backup folder.", 15000)

        def failed(error: Exception) -> None:
            dialogs.report_failure(self.window, error, "Cannot restore the backup")
            self.open_requested.emit(path)

        self.run_with_progress(
            work, done, self.window, "Restoring backup",
            f"Restoring {path.name} from the backup of {when}…", "Cannot restore the backup",
            "Restore", cancellable=False, failed=failed)

    # -- checking ------------------------------------------------------------------------------

    def check_database(self) -> None:
        """Check integrity and the search index in the background, then show a report."""
        from ...data.health import check_database

        store = self.store
        if store is None:
            return

        def work(store: Store, report: Any, _should_stop: Any) -> HealthReport:
            # the index's deep check holds the write lock throughout: `db check` runs it
            return check_database(store, report, check_index=False)

        self.door.op(work).with_progress(
            "Checking the database", f"Checking {store.path.name}…", "Check",
            cancellable=False, over=self.window) \
            .success(lambda report: self.show_report(store.path, report)) \
            .failure("Cannot check the database").run()

    def show_report(self, path: Path, report: HealthReport) -> None:
        from .backup_views import CheckReportDialog

        if self.report_dialog is not None:
            self.report_dialog.close()
            self.report_dialog.deleteLater()
        store = self.store
        can_rebuild = store is not None and not store.read_only and any(
            "search index" in problem for problem in report.problems)
        self.report_dialog = CheckReportDialog(self.window, path, report, can_rebuild)
        self.report_dialog.rebuild_requested.connect(self.rebuild_search_index)
        self.report_dialog.show()

    def rebuild_search_index(self) -> None:
        """Empty the search index and let maintenance build it again in the background."""
        store = self.store
        if store is None or store.read_only:
            return

        def done(_result: Any) -> None:
            self.status.emit("Rebuilding the search index…", 8000)
            self.maintenance_wanted.emit()

        self.door.op(lambda _store: store.search.clear_index()).in_background().success(done) \
            .failure("Cannot rebuild the search index").over(self.window).run()
