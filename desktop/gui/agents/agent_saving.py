"""Saving in the agent editor: one conflict-checked transaction off the GUI thread, the choice
after another program changed the agent, Revert, and the unsaved-changes prompt.

A mixin of `AgentEditor` (which provides store, runner, draft, table_model, reload, say ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication

from ...data import NotFoundError
from ...data import records as r
from ...data.errors import DatabaseLockedError, StaleEditError
from .. import dialogs
from .agent_form import TITLES
from .agent_models import form_values


class AgentSaving:
    """Save, Revert and what happens to unsaved edits."""

    def save(self: Any, then: Callable[[], None] | None = None, *, overwrite: bool = False) -> None:
        """Write the edits in one transaction off the GUI thread; then show what the file
        holds and run `then`."""
        store, loaded = self.store, self.draft.loaded
        if store is None or loaded is None or self.saving or not self.writable:
            return
        cells = self.form.settings_table.table
        if cells.viewport().isAncestorOf(QApplication.focusWidget()):
            cells.setFocus()  # a setting being typed is committed first
        if not self.draft.is_valid:
            dialogs.show_error(self, "Cannot save", "Fix the marked problems first.")
            return
        changes = self.draft.changes()
        self.saving = True
        self._update_actions()
        self.say("Saving…")

        def done(record: r.AgentRecord) -> None:
            self.saving = False
            if store is not self.store:
                return
            self.table_model.update_record(record)
            self._load(record)
            self.say(f"Saved “{record.name}”.")
            self.changed.emit()
            self.reload()
            if then is not None:
                then()

        def failed(error: Exception) -> None:
            self.saving = False
            self._update_actions()
            if store is not self.store:
                return
            if isinstance(error, StaleEditError):
                self._stale(error.current, then)
                return
            self.say("Not saved.")
            if isinstance(error, DatabaseLockedError) and dialogs.confirm(
                    self, "Cannot save the agent", f"{error}\n\nYour changes are still in the "
                    "form. Try again now?", "Try Again"):
                self.save(then, overwrite=overwrite)
                return
            dialogs.report_failure(self, error, "Cannot save the agent")
            if isinstance(error, NotFoundError):
                self.reload()

        self.runner.submit(lambda: store.agents.save(loaded.id, loaded, changes,
                                                     overwrite=overwrite), done, failed)

    def _stale(self: Any, current: r.AgentRecord, then: Callable[[], None] | None) -> None:
        fresh = form_values(current)
        differs = [TITLES[f].lower() for f in fresh if fresh[f] != self.draft.initial[f]]
        name = current.name or "The agent"
        answer = dialogs.choose_stale_resolution(
            self, "Changed by another program",
            f"“{name}” was changed by another program since you opened it "
            f"({', '.join(differs) or 'its configuration'}). Overwrite their version with "
            "yours, load theirs and discard your changes, or keep editing?")
        if answer == "overwrite":
            self.save(then, overwrite=True)
        elif answer == "reload":
            self.table_model.update_record(current)
            self._load(current)
            self.say("Loaded the version in the file; your changes were discarded.")
            if then is not None:
                then()
        else:
            self.say("Not saved: the file holds a newer version. Save again to choose again.")

    def revert(self: Any) -> None:
        """Drop the edits (Undo brings them back)."""
        if self.revert_action.isEnabled():
            self.draft.revert()
            self.say("Reverted to the version loaded from the file.")

    def resolve_unsaved(self: Any, then: Callable[[], None]) -> bool:
        """Ask what to do with unsaved edits: True when settled now; False when cancelled or
        when a save was started (which runs `then` once it succeeds)."""
        if not self.draft.is_dirty:
            return True
        name = (self.draft.loaded.name if self.draft.loaded else None) or "the agent"
        answer = dialogs.ask_save_changes(self, "Unsaved changes",
                                          f"Save your changes to “{name}”?")
        if answer == "discard":
            self._load(self.draft.loaded)
            return True
        if answer == "save":
            self.save(then)
        return False

    def may_close(self: Any, then: Callable[[], None]) -> bool:
        """For the main window: True when the editor has no unsaved edits left."""
        return self.resolve_unsaved(then)
