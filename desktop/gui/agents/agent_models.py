"""Qt models of the agent editor: the agents table, and the one-row draft the form is bound to.

The draft holds the form's values (one column per editable field); every change made through
`setData` is an undoable command on its `undo` stack, and consecutive edits of a text-like
field merge into one step (typing a word is one undo).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QUndoCommand, QUndoStack

from ...data import records as r
from ...data.agent_editing import (
    EDITABLE_FIELDS,
    editable_values,
    setting_text,
    validate_agent_fields,
)
from ...data.encoding import JsonText
from .. import style

Index = QModelIndex | QPersistentModelIndex
MERGING = {"name", "description", "working_directory", "model", "temperature", "max_tokens",
           "system_prompt", "custom_settings"}
HEADERS = ("Name", "Type", "Active", "Model", "Last used", "Sessions\n(stored)",
           "Messages\n(stored)", "Tokens\n(stored)")
STORED_TOTALS = ("The {} the .NET application has recorded for this agent in its Agents table "
                 "(it may leave them at 0). The Usage tab counts them from the messages "
                 "themselves.")


class AgentTableModel(QAbstractTableModel):
    """Every agent with its model, last use and usage totals."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[r.AgentRecord] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and section >= 5:
            return STORED_TOTALS.format(HEADERS[section].split()[0].lower())
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        agent, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            model = agent.configuration.model if agent.configuration else None
            return (agent.name or "(no name)", agent.type.label,
                    "Yes" if agent.is_active else "No", model or "—",
                    style.relative_time(agent.last_used_at), f"{agent.total_sessions:,}",
                    f"{agent.total_messages:,}", f"{agent.total_tokens_used:,}")[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return style.exact_time(agent.last_used_at)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not agent.is_active:
            from PySide6.QtGui import QPalette
            from PySide6.QtWidgets import QApplication

            faded = QApplication.palette().color(QPalette.ColorRole.Text)
            faded.setAlpha(120)  # an inactive agent reads fainter, in light and dark alike
            return faded
        if role == Qt.ItemDataRole.UserRole:
            return agent.id
        return None

    def set_rows(self, rows: list[r.AgentRecord]) -> None:
        """Show these agents."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record(self, row: int) -> r.AgentRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, agent_id: str | None) -> int:
        """The row of an agent, or -1."""
        return next((i for i, a in enumerate(self._rows) if a.id == agent_id), -1)

    def update_record(self, agent: r.AgentRecord) -> None:
        """Show a fresher copy of one agent."""
        row = self.row_of(agent.id)
        if row >= 0:
            self._rows[row] = agent
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def names_except(self, agent_id: str | None) -> set[str]:
        """Every other agent's name (for the uniqueness check as you type)."""
        return {a.name for a in self._rows if a.id != agent_id and a.name}


# -- the draft ----------------------------------------------------------------------------------


def form_values(agent: r.AgentRecord) -> dict[str, Any]:
    """The form's values for an agent: JSON the form can show as Python values, the rest (not
    valid JSON, or the wrong shape) as the stored JsonText, shown raw and kept."""
    values = editable_values(agent)
    values["type"] = int(values["type"])
    tools, caps, settings = (values[k] for k in ("enabled_tools", "capabilities",
                                                 "custom_settings"))
    items = tools.value
    if tools.is_absent:
        values["enabled_tools"] = ()
    elif isinstance(items, list) and all(isinstance(i, str) for i in items):
        values["enabled_tools"] = tuple(items)
    if caps.is_absent:
        values["capabilities"] = None
    elif isinstance(caps.value, dict):
        values["capabilities"] = caps.value
    if settings.is_absent:
        values["custom_settings"] = ()
    elif isinstance(settings.value, dict):
        values["custom_settings"] = tuple((k, setting_text(v))
                                          for k, v in settings.value.items())
    return values


def data_value(field: str, value: Any) -> Any:
    """A form value in the form the data layer takes."""
    if field == "enabled_tools" and isinstance(value, tuple):
        return list(value)
    if field == "custom_settings" and isinstance(value, tuple):
        return list(value)
    return value


class SetField(QUndoCommand):
    """One field edit; typing in the same field merges into one step."""

    def __init__(self, draft: AgentDraftModel, field: str, old: Any, new: Any) -> None:
        super().__init__(f"Edit {field.replace('_', ' ')}")
        self.draft, self.field, self.old, self.new = draft, field, old, new

    def id(self) -> int:
        return EDITABLE_FIELDS.index(self.field) + 1 if self.field in MERGING else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetField) or other.field != self.field:
            return False
        if self.field == "custom_settings" and not (  # typing in one cell, not adding rows
                isinstance(self.old, tuple) and isinstance(self.new, tuple)
                and isinstance(other.new, tuple)
                and len(self.old) == len(self.new) == len(other.new)):
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self.draft.apply_value(self.field, self.new)

    def undo(self) -> None:
        self.draft.apply_value(self.field, self.old)


class AgentDraftModel(QAbstractTableModel):
    """The agent being edited: one row, one column per field of `EDITABLE_FIELDS`."""

    field_changed = Signal(str)
    state_changed = Signal()  # dirty, validity or the loaded agent changed
    loaded_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loaded: r.AgentRecord | None = None
        self.initial: dict[str, Any] = {}
        self.values: dict[str, Any] = {}
        self.taken_names: set[str] = set()
        self.errors: dict[str, str] = {}
        self.undo = QUndoStack(self)

    # Qt model interface
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.loaded is None else 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EDITABLE_FIELDS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return EDITABLE_FIELDS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.loaded is None or \
                role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        return self.values.get(EDITABLE_FIELDS[index.column()])

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.loaded is None or role != Qt.ItemDataRole.EditRole:
            return False
        field = EDITABLE_FIELDS[index.column()]
        if self.values[field] == value:
            return False
        self.undo.push(SetField(self, field, self.values[field], value))
        return True

    # convenience
    def value(self, field: str) -> Any:
        return self.values.get(field)

    def set_value(self, field: str, value: Any) -> bool:
        """An edit made in the form: one undoable step (merged while typing)."""
        return self.setData(self.index(0, EDITABLE_FIELDS.index(field)), value)

    def apply_value(self, field: str, value: Any) -> None:
        """Put `value` in `field` without an undo step (the undo stack's commands call this)."""
        self.values[field] = value
        column = EDITABLE_FIELDS.index(field)
        self.dataChanged.emit(self.index(0, column), self.index(0, column))
        self.field_changed.emit(field)
        self._check()

    def load(self, agent: r.AgentRecord | None) -> None:
        """Edit this agent as the file holds it (forgetting edits and their undo history)."""
        self.beginResetModel()
        self.loaded = agent
        self.initial = form_values(agent) if agent else {}
        self.values = dict(self.initial)
        self.endResetModel()
        self.undo.clear()
        self.loaded_changed.emit()
        for field in EDITABLE_FIELDS:
            self.field_changed.emit(field)
        self._check()

    def rebase(self, agent: r.AgentRecord) -> None:
        """Take a fresher copy of the agent as the base, keeping the fields edited here."""
        fresh = form_values(agent)
        changed = [f for f in EDITABLE_FIELDS if self.values[f] == self.initial[f]
                   and fresh[f] != self.values[f]]
        self.loaded, self.initial = agent, fresh
        for field in changed:
            self.values[field] = fresh[field]
            self.field_changed.emit(field)
        self.loaded_changed.emit()
        self._check()

    def revert(self) -> None:
        """Drop the edits: back to the agent as it was loaded (an undoable step)."""
        if not self.is_dirty:
            return
        self.undo.beginMacro("Revert")
        for field in EDITABLE_FIELDS:
            self.set_value(field, self.initial[field])
        self.undo.endMacro()

    def set_taken_names(self, names: set[str]) -> None:
        self.taken_names = set(names)
        self._check()

    # state
    @property
    def agent_id(self) -> str | None:
        return self.loaded.id if self.loaded else None

    @property
    def is_dirty(self) -> bool:
        return self.loaded is not None and self.values != self.initial

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def changes(self) -> dict[str, Any]:
        """The edited fields, in the data layer's form."""
        return {f: data_value(f, v) for f, v in self.values.items() if v != self.initial[f]}

    def _check(self) -> None:
        if self.loaded is None:
            self.errors = {}
        else:
            data = {f: data_value(f, v) for f, v in self.values.items()}
            for field in ("enabled_tools", "capabilities", "custom_settings"):
                if isinstance(data[field], JsonText):
                    del data[field]  # kept as it is, whatever it holds
            self.errors = validate_agent_fields(data, taken_names=self.taken_names,
                                                stored_type=self.loaded.type)
        self.state_changed.emit()


def known_tools(agents: list[r.AgentRecord]) -> list[str]:
    """Tools any agent enables, and those named in capabilities' AvailableTools."""
    tools: dict[str, None] = {}
    for agent in agents:
        config = agent.configuration
        if config is None:
            continue
        for item in (*config.enabled_tools.items(),
                     *(config.capabilities.mapping().get("AvailableTools") or [])):
            name = item.get("Name") if isinstance(item, dict) else item
            if isinstance(name, str) and name.strip():
                tools[name.strip()] = None
    return sorted(tools, key=str.lower)
