"""Sizes and durations written for people; shared by the window and the command line."""

from __future__ import annotations


def human_size(count: int) -> str:
    """A byte count: `812 B`, `2.0 KB`, `3.4 MB`."""
    amount = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if amount < 1024 or unit == "GB":
            return f"{int(amount)} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{count} B"
