"""Session ▸ Export…: ask for the form and the file, then write it in the background with
progress and Cancel (a cancelled export leaves no file)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QWidget

from .. import dialogs, style
from ..actions import add_action
from ..operations import Door
from ..sessions.sessions_pane import SessionsPane
from ..thread.thread_view import ThreadView

if TYPE_CHECKING:  # the data layer loads with the first file, not at first paint
    from ...data import Store


class SessionExport(QObject):
    """The Export command on the current session of the window's file."""

    status = Signal(str, int)  # a status bar line and how long it shows (ms)

    def __init__(self, settings: QSettings, sessions: SessionsPane, thread: ThreadView,
                 door: Door, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.sessions = sessions
        self.thread = thread
        self.door = door
        self.export_action = add_action(
            window, "E&xport…", self.export_current_session, "Ctrl+E",
            "Export the session (or the selected messages) to Markdown, HTML, JSON or PDF")

    def export_current_session(self) -> None:
        """Ask for the form and the file, then export in the background."""
        from ...export import ExportOptions, export_session, suggested_file_name

        session_id, store = self.sessions.current_session_id(), self.door.store
        summary = self.sessions.current_summary()
        if not (session_id and store and summary):
            return
        selected = self.selected_messages(session_id)
        last_format = str(self.settings.value("exportFormat", "md"))
        if last_format not in ("md", "html", "json", "pdf"):
            last_format = "md"
        folder = Path(str(self.settings.value("exportFolder", "") or Path.home()))
        suggested = folder / suggested_file_name(summary.session, last_format)
        choice: Any = dialogs.ask_export_options(
            self.window, summary.session.display_name, len(selected), str(suggested),
            style.is_dark(self.window.palette()), last_format)
        if choice is None:
            return
        path = Path(choice.path).expanduser()
        if path.exists() and not dialogs.confirm(
                self.window, "Export session", f"{path} exists. Replace it?", "Replace"):
            return
        self.settings.setValue("exportFormat", choice.format)
        self.settings.setValue("exportFolder", str(path.parent))
        options = ExportOptions(format=choice.format, tool_output=choice.tool_output,
                                dark=choice.dark, selected=choice.selected_only)
        messages = selected if choice.selected_only else None

        def work(store: Store, report: Any, should_stop: Any) -> Any:
            return export_session(store, session_id, options, target=path, messages=messages,
                                  progress=report, should_stop=should_stop)

        def done(result: Any) -> None:
            self.status.emit(
                f"Exported {result.message_count:,} messages to {result.path}", 10000)

        self.door.op(work).with_progress(
            "Exporting session", f"Exporting “{summary.session.display_name}” to {path.name}…",
            "Export").failure("Cannot export the session").success(done).run()

    def selected_messages(self, session_id: str) -> list[Any]:
        """The messages selected in the thread, in thread order."""
        model = self.thread.model
        if model.session_id != session_id:
            return []
        rows = sorted(index.row() for index in self.thread.list.selectionModel().selectedRows())
        found = (model.message(row) for row in rows)
        return [message for message in found if message is not None]
