"""Help ▸ About: name, version, icon, where the files are, and the versions underneath."""

from __future__ import annotations

import platform
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, __version__, paths
from .icons import icon_pixmap

ICON_SIZE = 64
SELECTABLE = (Qt.TextInteractionFlag.TextSelectableByMouse
              | Qt.TextInteractionFlag.TextSelectableByKeyboard)


def details(database: Path | None) -> list[tuple[str, str]]:
    """The facts the dialog lists, as (label, value) pairs."""
    return [
        ("Database", str(database) if database else "No database open"),
        ("Data folder", str(paths.data_dir())),
        ("Log folder", str(paths.log_dir())),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", f"{platform.python_version()} ({platform.platform(terse=True)})"),
    ]


class AboutDialog(QDialog):
    """Non-blocking, window-modal About box; every value can be selected and copied."""

    def __init__(self, parent: QWidget | None, database: Path | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        self.setAccessibleName(f"About {APP_NAME}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.facts = details(database)

        icon = QLabel(self)
        icon.setPixmap(icon_pixmap(ICON_SIZE, self.devicePixelRatioF()))
        icon.setAccessibleName(f"{APP_NAME} icon")
        name = QLabel(APP_NAME, self)
        font = QFont(name.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setWeight(QFont.Weight.DemiBold)
        name.setFont(font)
        self.version = QLabel(f"Version {__version__}", self)
        self.version.setAccessibleName("Version")
        self.version.setTextInteractionFlags(SELECTABLE)
        blurb = QLabel("A desktop browser for OrchestratorChat session databases.", self)
        blurb.setWordWrap(True)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        for label in (name, self.version, blurb):
            heading.addWidget(label)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for label, value in self.facts:
            field = QLabel(value, self)
            field.setTextInteractionFlags(SELECTABLE)
            field.setAccessibleName(label)
            field.setWordWrap(True)
            field.setMinimumWidth(360)
            form.addRow(f"{label}:", field)
            self.values[label] = field

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton("&Copy Details", self)
        copy.setAccessibleName("Copy details")
        copy.setToolTip("Copy these facts, for a bug report")
        copy.clicked.connect(self.copy_details)
        logs = QPushButton("Open &Log Folder", self)
        logs.setAccessibleName("Open log folder")
        logs.clicked.connect(self.open_log_folder)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(logs, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)

        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def text(self) -> str:
        """Everything the dialog says, as plain text."""
        lines = [f"{APP_NAME} {__version__}"]
        lines += [f"{label}: {value}" for label, value in self.facts]
        return "\n".join(lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

    def open_log_folder(self) -> None:
        folder = paths.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def show_about(parent: QWidget, database: Path | None) -> AboutDialog:
    """Open the About box over `parent` without blocking; return it."""
    dialog = AboutDialog(parent, database)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog
