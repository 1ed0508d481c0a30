"""A window-modal progress dialog for one background task, with a Cancel button.

Cancel asks the task to stop (`Task.cancel()`) and says so; the dialog closes only when the
task reports back, so the person sees the work end rather than a dialog that vanishes early.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .tasks import Task

STEPS = 1000


class TaskProgressDialog(QDialog):
    """Shows a task's progress; Cancel (or Esc) asks it to stop."""

    def __init__(self, parent: QWidget | None, title: str, text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self._task: Task | None = None
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Progress description")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, STEPS)
        self.bar.setValue(0)
        self.bar.setAccessibleName("Progress")
        buttons = QDialogButtonBox(self)
        self.cancel_button: QPushButton = buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.clicked.connect(self.request_cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(buttons)

    def attach(self, task: Task) -> None:
        """The task Cancel stops."""
        self._task = task

    @property
    def cancel_requested(self) -> bool:
        return not self.cancel_button.isEnabled()

    def set_fraction(self, fraction: float) -> None:
        """Move the bar (0..1)."""
        self.bar.setValue(round(max(0.0, min(fraction, 1.0)) * STEPS))

    def request_cancel(self) -> None:
        """Ask the task to stop at its next check; the dialog stays until it has."""
        if self._task is not None and not self.cancel_requested:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("Cancelling… nothing will be kept.")

    def finish(self) -> None:
        """The task has ended (either way): close for good."""
        self._task = None
        self.done(QDialog.DialogCode.Accepted)

    def reject(self) -> None:
        """QDialog.reject: Esc cancels the task instead of hiding the dialog."""
        if self._task is None:
            super().reject()
        else:
            self.request_cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        """QWidget.closeEvent: closing the window cancels the task; the dialog stays until it
        has stopped."""
        if self._task is None:
            event.accept()
        else:
            self.request_cancel()
            event.ignore()
