"""The agent form: one editor per field, bound to an `AgentDraftModel`, each with its inline
validation message."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...data.agent_rules import MAX_TOKENS_RANGE
from ...data.enums import AgentType
from .. import dialogs, style
from .agent_fields import (
    CapabilitiesEditor,
    JsonFieldEditor,
    SettingsTable,
    TemperatureEditor,
    ToolChecklist,
    route_undo_keys,
)
from .agent_models import AgentDraftModel

# editors that show a new value by rebuilding their rows from it
REBUILT_ON_EDIT = frozenset({"enabled_tools", "capabilities", "custom_settings"})

LABELS = {
    "name": "&Name:", "type": "T&ype:", "description": "&Description:",
    "working_directory": "&Working directory:", "is_active": "", "model": "&Model:",
    "temperature": "Tem&perature:", "max_tokens": "Ma&x tokens:",
    "system_prompt": "System pr&ompt:", "require_approval": "", "enabled_tools": "&Tools:",
    "capabilities": "", "custom_settings": "",
}
TITLES = {  # how messages and accessible names name each field
    "name": "Name", "type": "Type", "description": "Description",
    "working_directory": "Working directory", "is_active": "Active", "model": "Model",
    "temperature": "Temperature", "max_tokens": "Max tokens", "system_prompt": "System prompt",
    "require_approval": "Require approval", "enabled_tools": "Enabled tools",
    "capabilities": "Capabilities", "custom_settings": "Custom settings",
}


def error_colour(palette: QPalette) -> QColor:
    """A red that reads well on this palette's window colour."""
    return QColor("#ff8a80" if style.is_dark(palette) else "#c62828")


class AgentForm(QWidget):
    """Every field of an agent and its configuration."""

    def __init__(self, draft: AgentDraftModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._showing = False
        self._editing: str | None = None  # the field whose editor is sending a change
        self._build()
        draft.field_changed.connect(self._show)
        draft.state_changed.connect(self._show_errors)
        draft.loaded_changed.connect(self._loaded)
        self._loaded()

    # -- construction ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.name = QLineEdit(self)
        self.name.setMaxLength(400)
        self.type = QComboBox(self)
        self.description = QLineEdit(self)
        self.working_directory = QLineEdit(self)
        self.browse = QPushButton("&Browse…", self)
        self.browse.setAccessibleName("Choose the working directory")
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self.choose_folder)
        self.is_active = QCheckBox("A&ctive (offered for new sessions)", self)
        self.model = QComboBox(self)
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.temperature = TemperatureEditor(self)
        self.max_tokens = QSpinBox(self)
        self.max_tokens.setRange(0, MAX_TOKENS_RANGE[1] * 10)
        self.max_tokens.setGroupSeparatorShown(True)
        self.max_tokens.setSingleStep(256)
        self.system_prompt = QPlainTextEdit(self)
        self.system_prompt.setTabChangesFocus(True)
        self.system_prompt.setUndoRedoEnabled(False)
        self.system_prompt.setMinimumHeight(150)
        self.prompt_count = QLabel(self)
        self.prompt_count.setAccessibleName("System prompt length")
        self.require_approval = QCheckBox("Require appro&val before the agent acts", self)
        self.tools = ToolChecklist(self)
        self.enabled_tools = JsonFieldEditor(self.tools, "Enabled tools", self)
        self.capabilities_editor = CapabilitiesEditor(self)
        self.capabilities = JsonFieldEditor(self.capabilities_editor, "Capabilities", self)
        self.settings_table = SettingsTable(self)
        self.custom_settings = JsonFieldEditor(self.settings_table, "Custom settings", self)

        self.editors = {
            "name": self.name, "type": self.type, "description": self.description,
            "working_directory": self.working_directory, "is_active": self.is_active,
            "model": self.model, "temperature": self.temperature,
            "max_tokens": self.max_tokens, "system_prompt": self.system_prompt,
            "require_approval": self.require_approval, "enabled_tools": self.enabled_tools,
            "capabilities": self.capabilities, "custom_settings": self.custom_settings,
        }
        for field, editor in self.editors.items():
            editor.setAccessibleName(TITLES[field])
            label = QLabel(self)
            label.setWordWrap(True)
            label.setAccessibleName(f"{TITLES[field]} problem")
            label.hide()
            self.errors[field] = label
        self.temperature.spin.setAccessibleName("Temperature")
        route_undo_keys(self.name, self.description, self.working_directory, self.model,
                        self.max_tokens, self.temperature.spin, self.system_prompt,
                        self.enabled_tools.raw, self.capabilities.raw, self.custom_settings.raw,
                        *self.capabilities_editor.limits.values())

        general = QFormLayout()
        self._row(general, "name", self.name)
        self._row(general, "type", self.type)
        self._row(general, "description", self.description)
        folder = QHBoxLayout()
        folder.addWidget(self.working_directory, 1)
        folder.addWidget(self.browse)
        self._row(general, "working_directory", folder, self.working_directory)
        self._row(general, "is_active", self.is_active)
        behaviour = QFormLayout()
        self._row(behaviour, "model", self.model)
        self._row(behaviour, "temperature", self.temperature)
        self._row(behaviour, "max_tokens", self.max_tokens)
        prompt = QVBoxLayout()
        prompt.addWidget(self.system_prompt, 1)
        prompt.addWidget(self.prompt_count)
        self._row(behaviour, "system_prompt", prompt, self.system_prompt)
        self._row(behaviour, "require_approval", self.require_approval)
        self._row(behaviour, "enabled_tools", self.enabled_tools)

        layout = QVBoxLayout(self)
        for title, inner in (("Agent", general), ("Behaviour", behaviour)):
            box = QGroupBox(title, self)
            box.setLayout(inner)
            layout.addWidget(box)
        for field, title in (("capabilities", "Capabilities"),
                             ("custom_settings", "Custom settings")):
            box = QGroupBox(title, self)
            inner = QVBoxLayout(box)
            inner.addWidget(self.editors[field])
            inner.addWidget(self.errors[field])
            layout.addWidget(box)
        layout.addStretch(1)

        self.name.textEdited.connect(lambda text: self._edit("name", text))
        self.type.activated.connect(lambda _i: self._edit("type", self.type.currentData()))
        self.description.textEdited.connect(lambda text: self._edit("description", text))
        self.working_directory.textEdited.connect(
            lambda text: self._edit("working_directory", text))
        self.is_active.toggled.connect(lambda on: self._edit("is_active", on))
        self.model.editTextChanged.connect(lambda text: self._edit("model", text))
        self.temperature.edited.connect(lambda value: self._edit("temperature", value))
        self.max_tokens.valueChanged.connect(lambda value: self._edit("max_tokens", value))
        self.system_prompt.textChanged.connect(
            lambda: self._edit("system_prompt", self.system_prompt.toPlainText()))
        self.require_approval.toggled.connect(lambda on: self._edit("require_approval", on))
        for field in ("enabled_tools", "capabilities", "custom_settings"):
            self.editors[field].edited.connect(  # type: ignore[attr-defined]
                lambda value, f=field: self._edit(f, value))
        self.setTabOrder(self.working_directory, self.browse)
        self.setTabOrder(self.browse, self.is_active)

    def _row(self, form: QFormLayout, field: str, item: Any, buddy: QWidget | None = None) -> None:
        column = QVBoxLayout()
        column.setSpacing(2)
        if isinstance(item, QWidget):
            column.addWidget(item)
        else:
            column.addLayout(item)
        column.addWidget(self.errors[field])
        text = LABELS[field]
        if text:
            label = QLabel(text, self)
            label.setMinimumWidth(130)
            label.setBuddy(buddy or item)
            form.addRow(label, column)
        else:
            form.addRow(column)

    # -- model -> widgets -----------------------------------------------------------------------

    def _loaded(self) -> None:
        """A new agent: rebuild the type choices (keeping an unknown stored type)."""
        loaded = self.draft.loaded
        self._showing = True
        self.type.clear()
        for member in AgentType:
            self.type.addItem(member.label, int(member))
        if loaded is not None and not loaded.type.is_known:
            self.type.addItem(f"{loaded.type.label} — kept as stored", int(loaded.type))
        self._showing = False
        for field in self.editors:
            self._show(field)
        self._show_errors()

    def _show(self, field: str) -> None:
        """Put the draft's value of `field` into its editor, unless it is there already."""
        value = self.draft.value(field)
        if value is None and field != "capabilities":
            return
        if field != self._editing or field in REBUILT_ON_EDIT:
            self._showing = True
            try:
                self._put(field, value)
            finally:
                self._showing = False
        if field == "system_prompt":
            text = value or ""
            lines = text.count("\n") + 1 if text else 0
            self.prompt_count.setText(f"{style.count_of(len(text), 'character')} · "
                                      f"{style.count_of(lines, 'line')}")

    def _put(self, field: str, value: Any) -> None:
        editor = self.editors[field]
        if isinstance(editor, QLineEdit):
            if editor.text() != value:
                editor.setText(value)
        elif field == "type":
            self.type.setCurrentIndex(max(self.type.findData(value), 0))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif field == "model":
            if self.model.currentText() != value:
                self.model.setEditText(value)
        elif field == "temperature":
            if self.temperature.spin.value() != value:
                self.temperature.set_value(value)
        elif field == "max_tokens":
            if self.max_tokens.value() != value:
                self.max_tokens.setValue(value)
        elif field == "system_prompt":
            if self.system_prompt.toPlainText() != value:
                self.system_prompt.setPlainText(value)
        else:
            editor.set_value(value)  # type: ignore[attr-defined]

    def _show_errors(self) -> None:
        colour = error_colour(self.palette())
        for field, label in self.errors.items():
            message = self.draft.errors.get(field)
            editor = self.editors[field]
            if message:
                palette = label.palette()
                palette.setColor(QPalette.ColorRole.WindowText, colour)
                label.setPalette(palette)
                label.setText(f"⚠ {TITLES[field]} {message}.")
                editor.setAccessibleDescription(f"{TITLES[field]} {message}")
            else:
                editor.setAccessibleDescription("")
            label.setVisible(bool(message))

    # -- widgets -> model -----------------------------------------------------------------------

    def _edit(self, field: str, value: Any) -> None:
        if self._showing:
            return
        # the draft echoes the change back through field_changed: a field's own editor
        # already shows it, mid-typing ("0." on the way to "0.75"), and must not be rewritten
        # (the list and table editors are rebuilt from the value, and keep their echo)
        self._editing = field
        try:
            self.draft.set_value(field, value)
        finally:
            self._editing = None

    def choose_folder(self) -> None:
        """Pick the working directory with a folder dialog."""
        start = self.working_directory.text() or ""
        path = dialogs.choose_folder(self, "Working directory", start)
        if path:
            self.draft.set_value("working_directory", path)

    # -- public ---------------------------------------------------------------------------------

    def set_models(self, models: list[str]) -> None:
        """The models offered in the model list."""
        self._showing = True
        text = self.model.currentText()
        self.model.clear()
        self.model.addItems(models)
        self.model.setEditText(text)
        self._showing = False

    def set_known_tools(self, tools: list[str]) -> None:
        self.tools.set_known(tools)
        self._show("enabled_tools")

    def set_editable(self, editable: bool) -> None:
        """Disable every editor (a read-only file, or no agent chosen)."""
        for editor in (*self.editors.values(), self.browse):
            editor.setEnabled(editable)

    def first_problem(self) -> QWidget | None:
        """The editor of the first field with a problem, to move the focus to."""
        return next((self.editors[f] for f in self.editors if f in self.draft.errors), None)

