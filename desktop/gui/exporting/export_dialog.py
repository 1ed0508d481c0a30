"""Session ▸ Export…: the form, the file, which messages, tool output and colours."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

FORMATS = (("md", "Markdown (.md): a readable transcript"),
           ("html", "HTML (.html): one page that looks like the thread"),
           ("json", "JSON (.json): every row, as the command line's --json"),
           ("pdf", "PDF (.pdf): the HTML form printed, pages numbered"))
EXTENSIONS = {"md": ".md", "html": ".html", "json": ".json", "pdf": ".pdf"}
FILTERS = {"md": "Markdown (*.md)", "html": "HTML pages (*.html)", "json": "JSON files (*.json)",
           "pdf": "PDF documents (*.pdf)"}


@dataclass(frozen=True)
class ExportChoice:
    """What the person chose in the export dialog."""

    path: str
    format: str
    selected_only: bool
    tool_output: bool
    dark: bool


class ExportDialog(QDialog):
    """The export options; OK only with a file name."""

    def __init__(self, parent: QWidget | None, session_name: str, selected: int,
                 suggested_path: str, dark: bool, format: str = "md") -> None:
        super().__init__(parent)
        self.setWindowTitle("Export session")
        self.setAccessibleName("Export session")
        self.setMinimumWidth(520)
        intro = QLabel(f"Export “{session_name}” to a file.", self)
        intro.setWordWrap(True)
        self.format = QComboBox(self)
        self.format.setAccessibleName("Format")
        for key, label in FORMATS:
            self.format.addItem(label, key)
        self.format.setCurrentIndex(max(0, [k for k, _ in FORMATS].index(format)))
        self.path = QLineEdit(suggested_path, self)
        self.path.setAccessibleName("File")
        browse = QPushButton("&Browse…", self)
        browse.setAccessibleName("Choose the file")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.whole = QRadioButton("The &whole session", self)
        self.selected = QRadioButton(
            f"The &selected messages ({selected:,})" if selected else
            "The &selected messages (select some in the thread first)", self)
        self.selected.setEnabled(selected > 0)
        group = QButtonGroup(self)
        group.addButton(self.whole)
        group.addButton(self.selected)
        (self.selected if selected > 1 else self.whole).setChecked(True)
        scope = QVBoxLayout()
        scope.addWidget(self.whole)
        scope.addWidget(self.selected)
        self.tool_output = QCheckBox("Include tool calls' &parameters, output and errors", self)
        self.tool_output.setChecked(True)
        self.theme = QComboBox(self)
        self.theme.setAccessibleName("Colours")
        self.theme.addItem("Light", False)
        self.theme.addItem("Dark", True)
        self.theme.setCurrentIndex(1 if dark else 0)
        self.theme_label = QLabel("&Colours:", self)
        self.theme_label.setBuddy(self.theme)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        format_label = QLabel("&Format:", self)
        format_label.setBuddy(self.format)
        file_label = QLabel("F&ile:", self)
        file_label.setBuddy(self.path)
        form = QFormLayout()
        form.addRow(format_label, self.format)
        form.addRow(file_label, file_row)
        form.addRow("Messages:", scope)
        form.addRow("", self.tool_output)
        form.addRow(self.theme_label, self.theme)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.path.textChanged.connect(self._update)
        self._format_changed()

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        key = self.chosen_format()
        self.theme.setEnabled(key in ("html", "pdf"))
        self.theme_label.setEnabled(key in ("html", "pdf"))
        text = self.path.text().strip()
        if text:
            path = Path(text)
            if path.suffix.lower() in EXTENSIONS.values() or not path.suffix:
                self.path.setText(str(path.with_suffix(EXTENSIONS[key])))
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.path.text().strip()))

    def _browse(self) -> None:
        key = self.chosen_format()
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), FILTERS[key])
        if path:
            if not path.lower().endswith(EXTENSIONS[key]):
                path += EXTENSIONS[key]
            self.path.setText(path)

    def choice(self) -> ExportChoice:
        return ExportChoice(path=self.path.text().strip(), format=self.chosen_format(),
                            selected_only=self.selected.isChecked(),
                            tool_output=self.tool_output.isChecked(),
                            dark=bool(self.theme.currentData()))
