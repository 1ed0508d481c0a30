"""Colours and small formatting helpers shared by the views; light and dark palettes alike."""

from __future__ import annotations

import html
import unicodedata
from datetime import datetime, timezone

from PySide6.QtGui import QColor, QPalette, Qt
from PySide6.QtWidgets import QApplication

from ..data.enums import MessageRole, SessionStatus, StepStatus
from ..units import human_size  # noqa: F401 - re-exported for the views

STATUS_COLOURS = {
    SessionStatus.Active: "#2e7d32",
    SessionStatus.Paused: "#b26a00",
    SessionStatus.Completed: "#1565c0",
    SessionStatus.Failed: "#c62828",
    SessionStatus.Cancelled: "#616161",
}
STEP_COLOURS = {
    StepStatus.Pending: "#616161", StepStatus.Running: "#b26a00",
    StepStatus.Completed: "#2e7d32", StepStatus.Failed: "#c62828", StepStatus.Skipped: "#6d4c41",
}
ROLE_TINTS = {
    MessageRole.User: "#1565c0", MessageRole.Assistant: "#2e7d32",
    MessageRole.System: "#6a1b9a", MessageRole.Tool: "#b26a00",
}
UNKNOWN_COLOUR = "#8e24aa"


FIRST_STRONG_ISOLATE, POP_ISOLATE = "\u2068", "\u2069"


_BIDI_CLASSES = frozenset(("R", "AL", "RLE", "RLO", "RLI", "LRE", "LRO", "LRI", "FSI", "PDF",
                           "PDI"))


def isolate(text: str) -> str:
    """Text from the file set apart for the bidirectional algorithm when it holds right-to-left
    letters or direction controls, so it cannot reorder the dates and numbers printed next to
    it; other text is returned as it is."""
    if any(unicodedata.bidirectional(c) in _BIDI_CLASSES for c in text):
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_ISOLATE}"
    return text


def plain_tooltip(text: str | None) -> str | None:
    """A tooltip that shows text from the file as typed: Qt would render one that looks like
    HTML (`<b>…</b>`, `<script>`) as rich text, so such text is escaped."""
    if not text or not any(Qt.mightBeRichText(line) for line in text.splitlines()):
        return text
    escaped = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<p style='white-space:pre-wrap'>{escaped}</p>"


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is dark."""
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def status_colour(status: SessionStatus) -> QColor:
    return QColor(STATUS_COLOURS.get(status, UNKNOWN_COLOUR))


def step_colour(status: StepStatus) -> QColor:
    return QColor(STEP_COLOURS.get(status, UNKNOWN_COLOUR))


def role_tint(role: MessageRole, palette: QPalette) -> QColor:
    """A faint background for a message of this role, readable in light and dark themes."""
    base = palette.color(QPalette.ColorRole.Base)
    tint = QColor(ROLE_TINTS.get(role, UNKNOWN_COLOUR))
    mix = 0.16 if is_dark(palette) else 0.08
    return QColor(
        round(base.red() * (1 - mix) + tint.red() * mix),
        round(base.green() * (1 - mix) + tint.green() * mix),
        round(base.blue() * (1 - mix) + tint.blue() * mix),
    )


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    """"just now", "5 min ago", "yesterday", or a date, for a naive-UTC time."""
    if when is None:
        return "—"
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    seconds = (now - when).total_seconds()
    if seconds < 0:
        return exact_time(when)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 2 * 86400:
        return "yesterday"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} days ago"
    return local_text(when, "")


def local(when: datetime) -> datetime:
    """A naive UTC time in the computer's time zone; stays in UTC where that zone would push
    it past year 1 or 9999 (.NET's DateTime.MinValue and MaxValue are common in real files)."""
    utc = when.replace(tzinfo=timezone.utc)
    try:
        return utc.astimezone()
    except (OverflowError, ValueError, OSError):
        return utc


def local_text(when: datetime, time_format: str = " %H:%M:%S") -> str:
    """The local date (four-digit year, even for year 1) followed by `time_format`."""
    shown = local(when)
    return f"{shown.year:04d}" + shown.strftime("-%m-%d" + time_format)


def exact_time(when: datetime | None) -> str:
    if when is None:
        return "—"
    return local_text(when, " %H:%M:%S %Z")


def count_of(number: int, noun: str, plural: str | None = None) -> str:
    """"1 agent", "2 agents", "1,234 lines": a count with its noun in the right number."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def human_duration(seconds: float) -> str:
    seconds = max(seconds, 0)
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {sec} s"


def outcome_colour(success: bool, palette: QPalette) -> QColor:
    """Green for a tool call that worked, red for one that failed, readable on the message's
    tint in the light and the dark palette (dark green on the dark green tint was not)."""
    if is_dark(palette):
        return QColor("#a5d6a7" if success else "#ef9a9a")
    return QColor("#1b5e20" if success else "#b71c1c")
