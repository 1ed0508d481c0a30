"""Saving in the agent editor: one conflict-checked transaction off the GUI thread, the choice
after another program changed the agent, Revert, and the unsaved-changes prompt.

One `AgentSaving` belongs to each `AgentEditor`, whose store, draft, table and messages it works
on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from ...data import NotFoundError
from ...data import records as r
from ...data.errors import StaleEditError
from .. import dialogs
from .agent_form import TITLES
from .agent_models import form_values

if TYPE_CHECKING:
    from .agent_editor import AgentEditor

class AgentSaving:
    """Save, Revert and what happens to unsaved edits."""

    def __init__(self, editor: AgentEditor) -> None:
        self.editor = editor

    def save(self, then: Callable[[], None] | None = None, *, overwrite: bool = False) -> None:
        """Write the edits in one transaction off the GUI thread; then show what the file
        holds and run `then`."""
        store, loaded = self.editor.store, self.editor.draft.loaded
        if store is None or loaded is None or self.editor.saving or not self.editor.writable:
            return
        cells = self.editor.form.settings_table.table
        if cells.viewport().isAncestorOf(QApplication.focusWidget()):
            cells.setFocus()  # a setting being typed is committed first
        if not self.editor.draft.is_valid:
            dialogs.show_error(self.editor, "Cannot save", "Fix the marked problems first.")
            return
        changes = self.editor.draft.changes()
        self.editor.saving = True
        self.editor.update_actions()
        self.editor.say("Saving…")

        def done(record: r.AgentRecord) -> None:
            self.editor.saving = False
            self.editor.table_model.update_record(record)
            self.editor.load_record(record)
            self.editor.say(f"Saved “{record.name}”.")
            self.editor.changed.emit()
            self.editor.reload()
            if then is not None:
                then()

        def failed(error: Exception) -> None:
            self.editor.saving = False
            self.editor.update_actions()
            if isinstance(error, StaleEditError):
                self._stale(error.current, then)
                return
            self.editor.say("Not saved.")
            dialogs.report_failure(self.editor, error, "Cannot save the agent")
            if isinstance(error, NotFoundError):
                self.editor.reload()

        # the door offers Try Again when another program holds the lock past the busy timeout
        self.editor.door.op(lambda _store: store.agents.save(loaded.id, loaded, changes,
                                                            overwrite=overwrite)) \
            .over(self.editor) \
            .retry_when_locked("Cannot save the agent", "Your changes are still in the form.") \
            .success(done).failure(failed).run()

    def _stale(self, current: r.AgentRecord, then: Callable[[], None] | None) -> None:
        fresh = form_values(current)
        differs = [TITLES[f].lower() for f in fresh if fresh[f] != self.editor.draft.initial[f]]
        name = current.name or "The agent"
        answer = dialogs.choose_stale_resolution(
            self.editor, "Changed by another program",
            f"“{name}” was changed by another program since you opened it "
            f"({', '.join(differs) or 'its configuration'}). Overwrite their version with "
            "yours, load theirs and discard your changes, or keep editing?")
        if answer == "overwrite":
            self.save(then, overwrite=True)
        elif answer == "reload":
            self.editor.table_model.update_record(current)
            self.editor.load_record(current)
            self.editor.say("Loaded the version in the file; your changes were discarded.")
            if then is not None:
                then()
        else:
            self.editor.say(
                "Not saved: the file holds a newer version. Save again to choose again.")

    def revert(self) -> None:
        """Drop the edits (Undo brings them back)."""
        if self.editor.revert_action.isEnabled():
            self.editor.draft.revert()
            self.editor.say("Reverted to the version loaded from the file.")

    def resolve_unsaved(self, then: Callable[[], None]) -> bool:
        """Ask what to do with unsaved edits: True when settled now; False when cancelled or
        when a save was started (which runs `then` once it succeeds)."""
        if not self.editor.draft.is_dirty:
            return True
        name = (self.editor.draft.loaded.name if self.editor.draft.loaded else None) or "the agent"
        answer = dialogs.ask_save_changes(self.editor, "Unsaved changes",
                                          f"Save your changes to “{name}”?")
        if answer == "discard":
            self.editor.load_record(self.editor.draft.loaded)
            return True
        if answer == "save":
            self.save(then)
        return False

    def may_close(self, then: Callable[[], None]) -> bool:
        """For the main window: True when the editor has no unsaved edits left."""
        return self.resolve_unsaved(then)
