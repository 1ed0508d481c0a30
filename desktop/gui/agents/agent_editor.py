"""The agent editor window: the agents table, the form of the chosen agent, and its usage.

Every database call goes through the window's query runner. Saving is one transaction that
fails with StaleEditError when another program changed the agent since it was loaded; the
person then chooses what happens (`dialogs.choose_stale_resolution`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...data import Store
from ...data import records as r
from ...data.agent_editing import fingerprint
from ..operations import Door
from .agent_actions import AgentCommands
from .agent_form import AgentForm
from .agent_models import AgentDraftModel, AgentTableModel, known_tools
from .agent_saving import AgentSaving
from .usage_chart import UsagePanel

LISTING_READS = "agent listing"  # the door's kind for the editor's list of agents


class AgentEditor(QMainWindow):
    """Agents of the open file: list, create, duplicate, (de)activate, delete, and edit."""

    changed = Signal()  # the file was written

    def __init__(self, door: Door, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agents[*]")
        self.setAccessibleName("Agent editor")
        self.resize(1180, 760)
        self.door = door  # reads and writes go through the window's door
        self.store: Store | None = None
        self.saving = False
        self._selecting = False
        self._wanted: str | None = None
        self.table_model = AgentTableModel(self)
        self.draft = AgentDraftModel(self)
        self.saver = AgentSaving(self)
        self.commands = AgentCommands(self)
        self._build()
        self._build_actions()
        self.draft.state_changed.connect(self.update_actions)
        self.draft.undo.canUndoChanged.connect(self._undo_changed)
        self.draft.undo.canRedoChanged.connect(self._undo_changed)
        self.update_actions()

    def _undo_changed(self, _can: bool) -> None:
        try:
            self.update_actions()
        except RuntimeError:  # the stack empties as the window is destroyed
            pass

    # -- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = QLabel(self)
        self.banner.setAccessibleName("Why editing is off")
        self.banner.setWordWrap(True)
        self.banner.setMargin(6)
        self.banner.hide()
        self.table = QTableView(self)
        self.table.setAccessibleName("Agents")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((140, 74, 48, 150, 82, 60, 70, 80)):
            header.resizeSection(column, width)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.form = AgentForm(self.draft, self)
        scroll = QScrollArea(self)
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Agent configuration")
        self.usage = UsagePanel(self.door.reads(), self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Agent")
        self.tabs.addTab(scroll, "Con&figuration")
        self.tabs.addTab(self.usage, "&Usage")
        self.status = QLabel(self)
        self.status.setAccessibleName("Agent editor status")
        self.status.setWordWrap(True)
        self.revert_button = QPushButton("&Revert", self)
        self.save_button = QPushButton("&Save", self)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        column.addLayout(bottom)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([620, 600])
        self.splitter.setChildrenCollapsible(False)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

    def _action(self, text: str, slot: Callable[[], Any], shortcuts: tuple[str, ...],
                tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setStatusTip(tip)
        action.setData(tip)
        action.setToolTip(f"{tip} ({QKeySequence(shortcuts[0]).toString()})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        commands = self.commands
        self.new_action = self._action("&New Agent…", commands.new_agent, ("Ctrl+N",),
                                       "Create an agent")
        self.duplicate_action = self._action("D&uplicate", commands.duplicate_agent, ("Ctrl+D",),
                                             "Make a copy of the agent")
        self.active_action = self._action("&Deactivate", commands.toggle_active, ("Ctrl+T",),
                                          "Activate or deactivate the agent")
        self.delete_action = self._action("De&lete…", commands.delete_agent, ("Del",),
                                          "Delete the agent (or deactivate it when messages "
                                          "refer to it)")
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.delete_action)
        self.save_action = self._action("&Save", self.save, ("Ctrl+S",),
                                        "Write the changes to the file")
        self.revert_action = self._action("&Revert", self.revert, ("Ctrl+Shift+R",),
                                          "Drop the changes since the agent was loaded")
        self.undo_action = self._action("&Undo", self.draft.undo.undo,
                                        (QKeySequence(key.Undo).toString(),),
                                        "Undo the last edit")
        self.redo_action = self._action("Re&do", self.draft.undo.redo,
                                        ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the edit")
        self.refresh_action = self._action("Re&fresh", self.reload, ("F5",),
                                           "Read the agents again")
        self.close_action = self._action("&Close", self.close, ("Ctrl+W",),
                                         "Close the agent editor")
        for action in (self.new_action, self.duplicate_action, self.active_action,
                       self.delete_action):
            self.table.addAction(action)
        agent_menu = self.menuBar().addMenu("&Agent")
        for action in (self.new_action, self.duplicate_action, self.active_action,
                       self.delete_action, None, self.refresh_action, None, self.close_action):
            agent_menu.addSeparator() if action is None else agent_menu.addAction(action)
        edit_menu = self.menuBar().addMenu("&Edit")
        for action in (self.undo_action, self.redo_action, None, self.save_action,
                       self.revert_action):
            edit_menu.addSeparator() if action is None else edit_menu.addAction(action)
        toolbar = self.addToolBar("Agent actions")
        toolbar.setObjectName("agentToolbar")
        toolbar.setAccessibleName("Agent actions")
        toolbar.setMovable(False)
        for action in (self.new_action, self.duplicate_action, self.active_action,
                       self.delete_action, None, self.save_action, self.revert_action,
                       self.undo_action, self.redo_action):
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        self.save_button.clicked.connect(self.save_action.trigger)
        self.revert_button.clicked.connect(self.revert_action.trigger)
        self.save_button.setAccessibleName("Save the agent")
        self.revert_button.setAccessibleName("Revert the agent")
        self.save_button.setAutoDefault(False)
        self.revert_button.setAutoDefault(False)

    # -- state ----------------------------------------------------------------------------------

    @property
    def writable(self) -> bool:
        return self.store is not None and not self.store.read_only

    def set_store(self, store: Store | None) -> None:
        """Edit the agents of another file (or none)."""
        self.store = store
        self.saving = False
        self.draft.load(None)
        self.table_model.set_rows([])
        reason = store.read_only_reason if store is not None and store.read_only else ""
        self.banner.setText(f"<b>Read-only:</b> {html.escape(reason)} Agents can be viewed "
                            "but not changed." if reason else "")
        self.banner.setVisible(bool(reason))
        name = f" — {store.path.name}" if store is not None else ""
        self.setWindowTitle(f"Agents{name}[*]")
        self.usage.set_agent(None, None)
        self.reload()

    def current(self) -> r.AgentRecord | None:
        """The agent in the form (as it was loaded)."""
        return self.draft.loaded

    def say(self, text: str) -> None:
        self.status.setText(text)

    def reload(self, select_id: str | None = None) -> None:
        """Read the agents again off the GUI thread, then select `select_id` (or keep)."""
        self.door.next_request(LISTING_READS)  # the listing before is no longer wanted
        store = self.store
        # a later reload (another program's change) must not forget the agent asked for
        self._wanted = select_id or self._wanted
        if store is None:
            self.update_actions()
            return

        def done(result: tuple[list[r.AgentRecord], list[str]]) -> None:
            agents, models = result
            wanted, self._wanted = self._wanted or self.draft.agent_id, None
            self.table_model.set_rows(agents)
            self.form.set_models(models)
            self.form.set_known_tools(known_tools(agents))
            self.draft.set_taken_names(self.table_model.names_except(self.draft.agent_id))
            row = self.table_model.row_of(wanted)
            if row < 0 and self.draft.is_dirty:  # gone from the file: say so, keep the form
                self.say("This agent is no longer in the file.")
                return
            listed, loaded = self.table_model.record(row), self.draft.loaded
            unchanged = listed is not None and loaded is not None and listed.id == loaded.id \
                and fingerprint(listed) == fingerprint(loaded)
            # an agent whose fields nobody changed keeps its form (and undo history) as it is
            self._select_row(max(row, 0) if agents else -1, load=not unchanged)

        self.door.op(lambda _store: store.agents.listing()).within(LISTING_READS).success(done) \
            .failure("Cannot list the agents").over(self).run()

    def _select_row(self, row: int, *, load: bool) -> None:
        self._selecting = True
        try:
            if row < 0:
                self.table.clearSelection()
            else:
                self.table.selectRow(row)
                self.table.setCurrentIndex(self.table_model.index(row, 0))
        finally:
            self._selecting = False
        record = self.table_model.record(row)
        if load and (record is None or not (self.draft.is_dirty
                                            and record.id == self.draft.agent_id)):
            self.load_record(record)

    def select_agent(self, agent_id: str) -> None:
        """Show this agent in the form (asking first about unsaved changes)."""
        row = self.table_model.row_of(agent_id)
        if row >= 0:
            self.table.setCurrentIndex(self.table_model.index(row, 0))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting:
            return
        record = self.table_model.record(current.row())
        if record is None or record.id == self.draft.agent_id:
            return
        if not self.draft.is_dirty:
            self.load_record(record)
            return
        self._select_row(self.table_model.row_of(self.draft.agent_id), load=False)
        QTimer.singleShot(0, lambda: self._switch_to(record.id))

    def _switch_to(self, agent_id: str) -> None:
        if self.resolve_unsaved(lambda: self.select_agent(agent_id)):
            self.select_agent(agent_id)

    def load_record(self, record: r.AgentRecord | None) -> None:
        self.draft.load(record)
        self.draft.set_taken_names(self.table_model.names_except(self.draft.agent_id))
        self.usage.set_agent(self.store if record else None, record.id if record else None)
        self.update_actions()

    def update_actions(self) -> None:
        """Enable what the file, the agent and its edits allow, and say what is unsaved."""
        record = self.current()
        listed = self.table_model.record(self.table_model.row_of(self.draft.agent_id))
        active = listed.is_active if listed else bool(record and record.is_active)
        has, idle = record is not None, not self.saving
        writable = self.writable
        dirty, valid = self.draft.is_dirty, self.draft.is_valid
        self.active_action.setText("&Deactivate" if active else "&Activate")
        enabled = {
            self.new_action: writable and idle,
            self.duplicate_action: writable and has and idle,
            self.active_action: writable and has and idle,
            self.delete_action: writable and has and idle,
            self.save_action: writable and has and dirty and valid and idle,
            self.revert_action: writable and dirty and idle,
            self.undo_action: writable and idle and self.draft.undo.canUndo(),
            self.redo_action: writable and idle and self.draft.undo.canRedo(),
            self.refresh_action: self.store is not None,
        }
        reason = self.store.read_only_reason if self.store is not None and \
            self.store.read_only else ""
        for action, on in enabled.items():
            action.setEnabled(bool(on))
            tip = reason if reason and action is not self.refresh_action else action.data()
            action.setToolTip(f"{tip} ({action.shortcut().toString()})")
        self.save_button.setEnabled(self.save_action.isEnabled())
        self.revert_button.setEnabled(self.revert_action.isEnabled())
        self.save_button.setToolTip(self.save_action.toolTip())
        self.revert_button.setToolTip(self.revert_action.toolTip())
        self.form.set_editable(writable and has and idle)
        self.setWindowModified(dirty)
        if has and self.draft.errors:
            count = len(self.draft.errors)
            self.say(f"{count} problem{'s' if count > 1 else ''} to fix before saving.")
        elif dirty:
            self.say("Unsaved changes.")
        elif self.status.text().startswith(("Unsaved", "1 problem")) or " to fix " in \
                self.status.text():
            self.say("")

    def save(self, then: Callable[[], None] | None = None, *, overwrite: bool = False) -> None:
        """Write the edits (see `AgentSaving.save`)."""
        self.saver.save(then, overwrite=overwrite)

    def revert(self) -> None:
        """Drop the edits (Undo brings them back)."""
        self.saver.revert()

    def resolve_unsaved(self, then: Callable[[], None]) -> bool:
        """Settle unsaved edits first (see `AgentSaving.resolve_unsaved`)."""
        return self.saver.resolve_unsaved(then)

    def may_close(self, then: Callable[[], None]) -> bool:
        """For the main window: True when the editor has no unsaved edits left."""
        return self.saver.may_close(then)

    def closeEvent(self, event: QCloseEvent) -> None:
        """QWidget.closeEvent: unsaved edits are saved or dropped only as the person says."""
        if self.resolve_unsaved(self.close):
            event.accept()
        else:
            event.ignore()

