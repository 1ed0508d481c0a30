"""Go to (Ctrl+G): one field that takes a message number or a local date and time."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from .. import style
from .thread_view import GoTo

_NUMBER = re.compile(r"^#?\s*(\d[\d,.\s\u00a0\u202f']*)$")
_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
EXAMPLE_TIME = "2024-01-30 14:05"


def local_to_utc(value: datetime) -> datetime:
    """A naive local time (as the person types it) as naive UTC (as the file stores it)."""
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def parse_go_to(text: str, count: int, first_time: datetime | None = None,
                last_time: datetime | None = None) -> tuple[GoTo | None, str]:
    """What the typed text asks for and a sentence saying it (or why it cannot be)."""
    text = text.strip()
    hint = (f"Type a message number (1 to {count:,}) or a date and time "
            f"({EXAMPLE_TIME}, your local time).")
    if not text:
        return None, hint
    number = _NUMBER.match(text)
    if number:
        value = int(re.sub(r"\D", "", number.group(1)))
        if not 1 <= value <= count:
            return None, (f"There is no message {value:,}: the thread has "
                          f"{style.count_of(count, 'message')}.")
        return GoTo(number=value), f"Message {value:,} of {count:,}."
    time = _TIME.match(text)
    if not time:
        return None, f"Not a message number or a date and time. {hint}"
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in time.groups())
    try:
        local = datetime(year, month, day, hour, minute, second)
        when = local_to_utc(local)
    except (ValueError, OverflowError, OSError):
        return None, f"There is no such date or time. {hint}"
    shown = f"{local:%Y-%m-%d %H:%M:%S}"
    if last_time is not None and when > last_time:
        return GoTo(when=when), (f"Every message is older than {shown}: goes to the last "
                                 f"({style.local_text(last_time)}).")
    if first_time is not None and when <= first_time:
        return GoTo(when=when), (f"The thread starts after {shown}: goes to its first message "
                                 f"({style.local_text(first_time)}).")
    return GoTo(when=when), f"The first message at or after {shown} (local time)."


class GoToDialog(QDialog):
    """The Go to question: the field, a live explanation of what it will do, OK and Cancel."""

    def __init__(self, parent: QWidget | None, count: int, first_time: datetime | None,
                 last_time: datetime | None, current: int | None) -> None:
        super().__init__(parent)
        from ..dialogs import title_width

        self.setWindowTitle("Go to message")
        self.setAccessibleName("Go to message")
        self._count, self._first, self._last = count, first_time, last_time
        span = ""
        if first_time is not None and last_time is not None:
            span = "".join(f" {word} " + style.local_text(when, " %H:%M").replace(" ", "\u00a0")
                           for word, when in (("from", first_time), ("to", last_time)))
        intro = QLabel(f"The thread has {style.count_of(count, 'message')}{span}.", self)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        label = QLabel("&Message number or date and time:", self)
        self.field = QLineEdit(self)
        self.field.setAccessibleName("Message number or date and time")
        self.field.setPlaceholderText(f"e.g. {count // 2 or 1}  or  {EXAMPLE_TIME}")
        label.setBuddy(self.field)
        if current:
            self.field.setText(str(current))
            self.field.selectAll()
        self.explanation = QLabel(self)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)
        self.explanation.setAccessibleName("What Go to will do")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Go")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, label, self.field, self.explanation, self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(title_width(self, self.windowTitle()) + 60)
        self.field.textChanged.connect(self._explain)
        self._explain()

    def choice(self) -> GoTo | None:
        """Where the typed text goes, or None while it names nowhere."""
        return parse_go_to(self.field.text(), self._count, self._first, self._last)[0]

    def _explain(self) -> None:
        target, text = parse_go_to(self.field.text(), self._count, self._first, self._last)
        self.explanation.setText(text)
        self.ok.setEnabled(target is not None)
