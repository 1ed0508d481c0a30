"""The agent editor's commands on whole agents: new, duplicate, activate/deactivate, delete.

One `AgentCommands` belongs to each `AgentEditor`, whose store, draft, table and messages it
works on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...data import ConflictError
from ...data import records as r
from ...data.agents import new_agent_configuration
from ...data.enums import AgentType
from .. import dialogs

if TYPE_CHECKING:
    from .agent_editor import AgentEditor

class AgentCommands:
    """New, Duplicate, Activate/Deactivate and Delete."""

    def __init__(self, editor: AgentEditor) -> None:
        self.editor = editor

    def _write(self, work: Callable[[], Any], title: str,
               after: Callable[[Any], None] | None = None,
               failed: Callable[[Exception], bool] | None = None) -> None:
        """A change through the window's door, answered only while the file is the same."""
        def done(result: Any) -> None:
            if after is not None:
                after(result)
            self.editor.changed.emit()

        def failure(error: Exception) -> None:
            if not (failed and failed(error)):
                dialogs.report_failure(self.editor, error, title)

        self.editor.door.op(lambda _store: work()).over(self.editor) \
            .retry_when_locked(title).success(done).failure(failure).run()

    def new_agent(self) -> None:
        """Ask a name, then create a Custom agent with the default configuration."""
        store = self.editor.store
        if store is None or not self.editor.new_action.isEnabled() or \
                not self.editor.resolve_unsaved(self.new_agent):
            return
        taken = self.editor.table_model.names_except(None)
        name, number = "New agent", 2
        while name in taken:
            name, number = f"New agent {number}", number + 1
        answer = dialogs.ask_text(self.editor, "New agent", "Name of the new agent:", name)
        if answer is None:
            return

        def created(record: r.AgentRecord) -> None:
            self.editor.say(f"Created “{record.name}”.")
            self.editor.reload(record.id)

        self._write(lambda: store.agents.create(answer, AgentType.Custom,
                                                **new_agent_configuration()),
                    "Cannot create the agent", created)

    def duplicate_agent(self) -> None:
        """Copy the agent as the file holds it (“Copy of …”) and select the copy."""
        store, agent = self.editor.store, self.editor.current()
        if store is None or agent is None or not self.editor.duplicate_action.isEnabled() or \
                not self.editor.resolve_unsaved(self.duplicate_agent):
            return

        def copied(record: r.AgentRecord) -> None:
            self.editor.say(f"Duplicated “{agent.name}” as “{record.name}”.")
            self.editor.reload(record.id)

        self._write(lambda: store.agents.duplicate(agent.id), "Cannot duplicate the agent",
                    copied)

    def toggle_active(self) -> None:
        """Activate an inactive agent, deactivate an active one."""
        agent = self.editor.current()
        if agent is None or not self.editor.active_action.isEnabled():
            return
        listed = self.editor.table_model.record(self.editor.table_model.row_of(agent.id)) or agent
        self.set_active(agent.id, not listed.is_active)

    def set_active(self, agent_id: str, active: bool) -> None:
        store = self.editor.store
        if store is None:
            return

        def done(record: r.AgentRecord) -> None:
            self.editor.table_model.update_record(record)
            if record.id == self.editor.draft.agent_id:
                if self.editor.draft.is_dirty:
                    self.editor.draft.rebase(record)
                else:
                    self.editor.load_record(record)
            self.editor.update_actions()
            done_what = "Activated" if record.is_active else "Deactivated"
            self.editor.say(f"{done_what} “{record.name}”.")

        self._write(lambda: store.agents.set_active(agent_id, active),
                    "Cannot change the agent", done)

    def delete_agent(self) -> None:
        """Delete the agent once confirmed; offer deactivation when messages refer to it."""
        store, agent = self.editor.store, self.editor.current()
        if store is None or agent is None or not self.editor.delete_action.isEnabled():
            return
        name = agent.name or "the agent"

        def offer_deactivation(count: int | None) -> None:
            used = f"{count:,} messages or plan steps refer" if count else "Messages refer"
            if dialogs.confirm(self.editor, "Delete agent",
                               f"{used} to “{name}”, so it cannot be deleted without losing "
                               "who wrote them. Deactivate it instead? It stays in the file "
                               "but is no longer offered for new sessions.", "Deactivate"):
                self.set_active(agent.id, False)

        def counted(count: int) -> None:
            if count:
                offer_deactivation(count)
                return
            unsaved = " Your unsaved changes to it are lost too." \
                if self.editor.draft.is_dirty else ""
            if not dialogs.confirm(self.editor, "Delete agent",
                                   f"Delete “{name}” and its configuration? This cannot be "
                                   f"undone.{unsaved}"):
                return
            row = self.editor.table_model.row_of(agent.id)
            table = self.editor.table_model
            following = table.record(row + 1) or table.record(row - 1)

            def deleted(_result: Any) -> None:
                self.editor.say(f"Deleted “{name}”.")
                self.editor.draft.load(None)
                self.editor.reload(following.id if following else None)

            def refused(error: Exception) -> bool:
                if isinstance(error, ConflictError):  # used since we counted
                    offer_deactivation(None)
                    return True
                return False

            self._write(lambda: store.agents.delete(agent.id), "Cannot delete the agent",
                        deleted, refused)

        self.editor.door.op(lambda _store: store.agents.references(agent.id)).success(counted) \
            .failure("Cannot delete the agent").over(self.editor).run()
