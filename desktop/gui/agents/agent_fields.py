"""The agent form's composite editors: temperature, tools, capabilities, custom settings, and
the raw view of JSON the form cannot show. Each has `set_value` (no signal) and `edited`
(emitted only for the person's edits)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...data.agent_rules import CAPABILITY_FLAGS, CAPABILITY_LIMITS
from ...data.agents import new_agent_configuration
from ...data.encoding import JsonText

UNDO_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)
REDO_TOO = QKeySequence("Ctrl+Y")
# what a new agent's capabilities are (the seed's), shown when an agent has none
SEED_CAPABILITIES = new_agent_configuration()["capabilities"]


class _UndoKeysToWindow(QObject):
    """Lets Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y reach the editor's undo stack instead of a text
    widget's own undo."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and (
                any(event.matches(key) for key in UNDO_KEYS)  # type: ignore[attr-defined]
                or QKeySequence(event.keyCombination()) == REDO_TOO):  # type: ignore[attr-defined]
            event.ignore()
            return True
        return False


_FILTER: _UndoKeysToWindow | None = None


def route_undo_keys(*widgets: QWidget) -> None:
    """Send the undo keys of these widgets (and their line edits) to the window's actions."""
    global _FILTER
    if _FILTER is None:
        _FILTER = _UndoKeysToWindow()
    for widget in widgets:
        widget.installEventFilter(_FILTER)
        for child in widget.findChildren(QLineEdit):
            child.installEventFilter(_FILTER)


def _delete_key(view: QWidget, slot: Any) -> None:
    """Del in `view` (when it is not editing a cell) runs `slot`."""
    shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), view)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(slot)


class TemperatureEditor(QWidget):
    """A slider (0–2) and a number kept in step."""

    edited = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 200)
        self.slider.setPageStep(10)
        self.slider.setAccessibleName("Temperature slider")
        self.spin = QDoubleSpinBox(self)
        self.spin.setRange(0.0, 10.0)
        self.spin.setDecimals(2)
        self.spin.setSingleStep(0.05)
        self.spin.setAccessibleName("Temperature")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self._quiet = False
        self.slider.valueChanged.connect(self._slid)
        self.spin.valueChanged.connect(self._typed)
        self.setFocusProxy(self.spin)

    def set_value(self, value: float) -> None:
        self._quiet = True
        self.spin.setValue(value)
        self.slider.setValue(round(min(value, 2.0) * 100))
        self._quiet = False

    def _slid(self, position: int) -> None:
        if self._quiet:
            return
        value = position / 100
        self._quiet = True
        self.spin.setValue(value)
        self._quiet = False
        self.edited.emit(value)

    def _typed(self, value: float) -> None:
        """Only the slider follows: the box shows what is being typed ("0." on the way to
        "0.75") and is never written back while the person types in it."""
        if self._quiet:
            return
        value = round(value, 2)
        self._quiet = True
        self.slider.setValue(round(min(value, 2.0) * 100))
        self._quiet = False
        self.edited.emit(value)


class ToolChecklist(QWidget):
    """Known tools to tick, plus custom entries to add and remove."""

    edited = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.known: list[str] = []
        self.enabled: tuple[str, ...] = ()
        self.list = QListWidget(self)
        self.list.setAccessibleName("Enabled tools")
        self.list.setMaximumHeight(130)
        self.entry = QLineEdit(self)
        self.entry.setPlaceholderText("Another tool’s name")
        self.entry.setAccessibleName("New tool name")
        self.add_button = QPushButton("Add Too&l", self)
        self.add_button.setAccessibleName("Add tool")
        self.remove_button = QPushButton("Remove Tool", self)
        self.remove_button.setAccessibleName("Remove selected tool")
        self.remove_button.setToolTip("Untick the selected tool; a custom entry leaves the "
                                      "list (Del)")
        _delete_key(self.list, self.remove_selected)
        self.add_button.setAutoDefault(False)
        self.remove_button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self.list.itemChanged.connect(self._item_changed)
        self.add_button.clicked.connect(self.add_entry)
        self.entry.returnPressed.connect(self.add_entry)
        self.remove_button.clicked.connect(self.remove_selected)
        self._quiet = False

    def set_known(self, tools: list[str]) -> None:
        self.known = list(dict.fromkeys(tools))
        self.set_value(self.enabled)

    def set_value(self, enabled: tuple[str, ...]) -> None:
        self.enabled = tuple(enabled)
        self._quiet = True
        self.list.clear()
        for name in dict.fromkeys([*self.known, *self.enabled]):
            item = QListWidgetItem(name, self.list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in self.enabled
                               else Qt.CheckState.Unchecked)
            if name not in self.known:
                item.setToolTip("A custom entry: Remove Tool takes it off the list")
        self._quiet = False

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._quiet:
            return
        name = item.text()
        if item.checkState() == Qt.CheckState.Checked:
            self.edited.emit((*self.enabled, name) if name not in self.enabled else self.enabled)
        else:
            self.edited.emit(tuple(t for t in self.enabled if t != name))

    def add_entry(self) -> None:
        """Add the typed tool name, ticked."""
        name = self.entry.text().strip()
        self.entry.clear()
        if name and name not in self.enabled:
            self.edited.emit((*self.enabled, name))

    def remove_selected(self) -> None:
        """Untick the selected tool (a custom entry leaves the list)."""
        item = self.list.currentItem()
        if item is not None and item.text() in self.enabled:
            self.edited.emit(tuple(t for t in self.enabled if t != item.text()))


class CapabilitiesEditor(QWidget):
    """Each capability flag, MaxTokens and MaxConcurrentRequests; other keys are kept."""

    edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current: dict[str, Any] | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.flags: dict[str, QCheckBox] = {}
        for i, flag in enumerate(CAPABILITY_FLAGS):
            label = flag.removeprefix("Supports").replace("FileOperations", "File operations")
            box = QCheckBox(label.replace("WebSearch", "Web search"), self)
            box.setAccessibleName(f"Capability: supports {label.lower()}")
            box.toggled.connect(lambda on, f=flag: self._set(f, on))
            grid.addWidget(box, i // 2, i % 2)
            self.flags[flag] = box
        self.limits: dict[str, QSpinBox] = {}
        for i, (key, text) in enumerate((("MaxTokens", "Max to&kens:"),
                                         ("MaxConcurrentRequests", "Concurrent re&quests:"))):
            spin = QSpinBox(self)
            spin.setRange(0, CAPABILITY_LIMITS[key][1])
            spin.setGroupSeparatorShown(True)
            spin.setAccessibleName(f"Capability: {text.rstrip(':').replace('&', '').lower()}")
            label = QLabel(text, self)
            label.setBuddy(spin)
            grid.addWidget(label, 2 + i, 0)
            grid.addWidget(spin, 2 + i, 1)
            spin.valueChanged.connect(lambda v, k=key: self._set(k, v))
            self.limits[key] = spin
        self.kept = QLabel(self)
        self.kept.setWordWrap(True)
        self.kept.setAccessibleName("Other capability values, kept as they are")
        grid.addWidget(self.kept, 4, 0, 1, 2)
        self._quiet = False

    def set_value(self, value: dict[str, Any] | None) -> None:
        self.current = value
        data = value if value is not None else SEED_CAPABILITIES
        self._quiet = True
        for flag, box in self.flags.items():
            box.setChecked(data.get(flag) is True)
        for key, spin in self.limits.items():
            number = data.get(key)
            spin.setValue(number if isinstance(number, int) and not isinstance(number, bool)
                          else 0)
        self._quiet = False
        others = [k for k in data if k not in CAPABILITY_FLAGS and k not in CAPABILITY_LIMITS]
        if value is None:
            self.kept.setText("Not set in the file: shown are the defaults a change here saves.")
        else:
            self.kept.setText(("Also kept as they are: " + ", ".join(others)) if others else "")

    def _set(self, key: str, value: Any) -> None:
        if self._quiet:
            return
        base = dict(self.current) if self.current is not None else dict(SEED_CAPABILITIES)
        base[key] = value
        self.edited.emit(base)


class _LiveDelegate(QStyledItemDelegate):
    """Commits a cell as it is typed, so validation and Save see every keystroke."""

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            editor.textEdited.connect(lambda _text, e=editor: self.commitData.emit(e))
        route_undo_keys(editor)
        return editor


class SettingsTable(QWidget):
    """Custom settings as an editable key/value table (values are JSON when valid)."""

    edited = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels(["Setting", "Value (JSON or text)"])
        self.table.setAccessibleName("Custom settings")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setMaximumHeight(150)
        self.table.setItemDelegate(_LiveDelegate(self.table))
        self.add_button = QPushButton("Add Settin&g", self)
        self.add_button.setAccessibleName("Add setting")
        self.remove_button = QPushButton("Remove Setting", self)
        self.remove_button.setAccessibleName("Remove selected setting")
        self.remove_button.setToolTip("Remove the selected setting (Del)")
        _delete_key(self.table, self.remove_row)
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.pairs: tuple[tuple[str, str], ...] = ()
        self._quiet = False
        self.table.itemChanged.connect(self._item_changed)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)

    def set_value(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self.pairs = tuple(pairs)
        self._quiet = True
        self.table.setRowCount(len(self.pairs))
        for row, (key, text) in enumerate(self.pairs):
            for column, value in enumerate((key, text)):
                item = self.table.item(row, column)
                if item is None:
                    self.table.setItem(row, column, QTableWidgetItem(value))
                elif item.text() != value:
                    item.setText(value)
        self._quiet = False

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._quiet:
            return
        pairs = [list(p) for p in self.pairs]
        pairs[item.row()][item.column()] = item.text()
        self.edited.emit(tuple((k, v) for k, v in pairs))

    def add_row(self) -> None:
        """A new, empty setting to fill in (its name is required)."""
        self.edited.emit((*self.pairs, ("", "")))
        self.table.setCurrentCell(len(self.pairs) - 1, 0)
        self.table.editItem(self.table.item(len(self.pairs) - 1, 0))

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.pairs):
            self.edited.emit(self.pairs[:row] + self.pairs[row + 1:])


class JsonFieldEditor(QStackedWidget):
    """A structured editor, or, for stored text the form cannot show (not valid JSON, or the
    wrong shape), that text with a note; it is kept as it is unless edited here."""

    edited = Signal(object)

    def __init__(self, structured: QWidget, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.structured = structured
        raw_page = QWidget(self)
        self.note = QLabel(raw_page)
        self.note.setWordWrap(True)
        self.note.setAccessibleName(f"{name}: note about the stored text")
        self.raw = QPlainTextEdit(raw_page)
        self.raw.setAccessibleName(f"{name} (raw JSON)")
        self.raw.setTabChangesFocus(True)
        self.raw.setUndoRedoEnabled(False)
        self.raw.setMaximumHeight(110)
        layout = QVBoxLayout(raw_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.raw)
        self.addWidget(structured)
        self.addWidget(raw_page)
        structured.edited.connect(self.edited)  # type: ignore[attr-defined]
        self.raw.textChanged.connect(self._raw_changed)
        self._quiet = False

    def set_value(self, value: Any) -> None:
        if isinstance(value, (JsonText, str)):
            if isinstance(value, JsonText):
                why = "not valid JSON" if not value.is_valid else "not the expected shape"
                note = (f"The file holds text the form cannot show as fields ({why}). It is "
                        "kept exactly as it is unless you edit it here.")
                text = value.raw or ""
            else:
                note, text = "Edited as JSON text: it must be valid to be saved.", value
            self.note.setText(note)
            if self.raw.toPlainText() != text:
                self._quiet = True
                self.raw.setPlainText(text)
                self._quiet = False
            self.setCurrentIndex(1)
        else:
            self.structured.set_value(value)  # type: ignore[attr-defined]
            self.setCurrentIndex(0)

    def _raw_changed(self) -> None:
        if not self._quiet:
            self.edited.emit(self.raw.toPlainText())
