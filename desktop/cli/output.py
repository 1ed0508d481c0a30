"""What a command hands back, and how it reaches stdout and stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass(frozen=True)
class Outcome:
    """A command's result: one JSON-ready document, its human-readable text, and notes.

    `notes` go to stderr in both modes, so stdout stays one document (or one table).
    `written` says the command wrote stdout itself (an export streamed there).
    """

    data: Any
    text: str
    notes: tuple[str, ...] = field(default=())
    exit_code: int = 0
    written: bool = False


def emit(outcome: Outcome, *, as_json: bool, out: TextIO | None = None,
         err: TextIO | None = None) -> None:
    """Print the outcome: JSON (indented, UTF-8) or the text, then the notes on stderr."""
    out = out or sys.stdout
    err = err or sys.stderr
    if outcome.written:
        pass
    elif as_json:
        out.write(json.dumps(outcome.data, ensure_ascii=False, indent=2) + "\n")
    elif outcome.text:
        out.write(outcome.text.rstrip("\n") + "\n")
    out.flush()
    for note in outcome.notes:
        err.write(f"note: {note}\n")
    err.flush()


def error_line(message: str) -> str:
    """One line for stderr: `error: ` and the message with its line breaks folded."""
    return "error: " + " ".join(message.split())


def note(message: str) -> None:
    """Tell the person something on stderr right away (stdout stays clean for scripts)."""
    sys.stderr.write(f"note: {message}\n")
    sys.stderr.flush()


def progress_reporter(announce: str | None = None,
                      stream: TextIO | None = None) -> Callable[[str, float], None]:
    """A `(text, fraction)` callback: a live percentage on a terminal; elsewhere the
    `announce` line once (or nothing)."""
    stream = stream or sys.stderr
    live = stream.isatty()
    said: list[str] = []

    def report(text: str, fraction: float) -> None:
        if live:
            end = "\n" if fraction >= 1.0 else ""
            stream.write(f"\r\033[K{text}: {fraction:.0%}{end}")
            stream.flush()
        elif announce and not said:
            said.append(announce)
            stream.write(f"note: {announce}\n")
            stream.flush()

    return report
