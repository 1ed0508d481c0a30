"""The agent editor's commands on whole agents: new, duplicate, activate/deactivate, delete.

A mixin of `AgentEditor` (which provides store, runner, draft, table_model, reload, say ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...data import ConflictError
from ...data import records as r
from ...data.agents import new_agent_configuration
from ...data.enums import AgentType
from .. import dialogs


class AgentCommands:
    """New, Duplicate, Activate/Deactivate and Delete."""

    def _write(self: Any, work: Callable[[], Any], title: str,
               after: Callable[[Any], None] | None = None,
               failed: Callable[[Exception], bool] | None = None) -> None:
        store = self.store

        def done(result: Any) -> None:
            if store is self.store:
                if after is not None:
                    after(result)
                self.changed.emit()

        def failure(error: Exception) -> None:
            if store is self.store and not (failed and failed(error)):
                dialogs.report_failure(self, error, title)

        self.runner.submit(work, done, failure)

    def new_agent(self: Any) -> None:
        """Ask a name, then create a Custom agent with the default configuration."""
        store = self.store
        if store is None or not self.new_action.isEnabled() or \
                not self.resolve_unsaved(self.new_agent):
            return
        taken = self.table_model.names_except(None)
        name, number = "New agent", 2
        while name in taken:
            name, number = f"New agent {number}", number + 1
        answer = dialogs.ask_text(self, "New agent", "Name of the new agent:", name)
        if answer is None:
            return

        def created(record: r.AgentRecord) -> None:
            self.say(f"Created “{record.name}”.")
            self.reload(record.id)

        self._write(lambda: store.agents.create(answer, AgentType.Custom,
                                                **new_agent_configuration()),
                    "Cannot create the agent", created)

    def duplicate_agent(self: Any) -> None:
        """Copy the agent as the file holds it (“Copy of …”) and select the copy."""
        store, agent = self.store, self.current()
        if store is None or agent is None or not self.duplicate_action.isEnabled() or \
                not self.resolve_unsaved(self.duplicate_agent):
            return

        def copied(record: r.AgentRecord) -> None:
            self.say(f"Duplicated “{agent.name}” as “{record.name}”.")
            self.reload(record.id)

        self._write(lambda: store.agents.duplicate(agent.id), "Cannot duplicate the agent",
                    copied)

    def toggle_active(self: Any) -> None:
        """Activate an inactive agent, deactivate an active one."""
        agent = self.current()
        if agent is None or not self.active_action.isEnabled():
            return
        listed = self.table_model.record(self.table_model.row_of(agent.id)) or agent
        self.set_active(agent.id, not listed.is_active)

    def set_active(self: Any, agent_id: str, active: bool) -> None:
        store = self.store
        if store is None:
            return

        def done(record: r.AgentRecord) -> None:
            self.table_model.update_record(record)
            if record.id == self.draft.agent_id:
                if self.draft.is_dirty:
                    self.draft.rebase(record)
                else:
                    self._load(record)
            self._update_actions()
            self.say(f"{'Activated' if record.is_active else 'Deactivated'} “{record.name}”.")

        self._write(lambda: store.agents.set_active(agent_id, active),
                    "Cannot change the agent", done)

    def delete_agent(self: Any) -> None:
        """Delete the agent once confirmed; offer deactivation when messages refer to it."""
        store, agent = self.store, self.current()
        if store is None or agent is None or not self.delete_action.isEnabled():
            return
        name = agent.name or "the agent"

        def offer_deactivation(count: int | None) -> None:
            used = f"{count:,} messages or plan steps refer" if count else "Messages refer"
            if dialogs.confirm(self, "Delete agent",
                               f"{used} to “{name}”, so it cannot be deleted without losing "
                               "who wrote them. Deactivate it instead? It stays in the file "
                               "but is no longer offered for new sessions.", "Deactivate"):
                self.set_active(agent.id, False)

        def counted(count: int) -> None:
            if store is not self.store:
                return
            if count:
                offer_deactivation(count)
                return
            unsaved = " Your unsaved changes to it are lost too." if self.draft.is_dirty else ""
            if not dialogs.confirm(self, "Delete agent",
                                   f"Delete “{name}” and its configuration? This cannot be "
                                   f"undone.{unsaved}"):
                return
            row = self.table_model.row_of(agent.id)
            following = self.table_model.record(row + 1) or self.table_model.record(row - 1)

            def deleted(_result: Any) -> None:
                self.say(f"Deleted “{name}”.")
                self.draft.load(None)
                self.reload(following.id if following else None)

            def refused(error: Exception) -> bool:
                if isinstance(error, ConflictError):  # used since we counted
                    offer_deactivation(None)
                    return True
                return False

            self._write(lambda: store.agents.delete(agent.id), "Cannot delete the agent",
                        deleted, refused)

        self.runner.submit(lambda: store.agents.references(agent.id), counted,
                           lambda error: dialogs.report_failure(self, error,
                                                                "Cannot delete the agent"))
