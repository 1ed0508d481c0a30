"""Plain-text layout for people: aligned tables, label/value blocks, short dates and numbers."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ..data.encoding import JsonText
from ..units import human_size

ELLIPSIS = "…"
EMPTY = "-"


def one_line(value: Any) -> str:
    """The value as a single line: line breaks and runs of blanks become one space."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def truncate(text: str, width: int) -> str:
    """`text` cut to `width` characters, ending in an ellipsis when cut."""
    if width <= 0 or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + ELLIPSIS


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
          widths: dict[int, int] | None = None, right: Iterable[int] = ()) -> str:
    """An aligned table: a header line, then one line per row, columns two spaces apart.

    `widths` caps columns (by index) and truncates longer cells; `right` aligns numbers.
    """
    widths = widths or {}
    right = set(right)
    cells = [[truncate(one_line(value), widths.get(n, 0)) for n, value in enumerate(row)]
             for row in rows]
    sizes = [len(h) for h in headers]
    for row in cells:
        sizes = [max(size, len(cell)) for size, cell in zip(sizes, row, strict=True)]

    def line(values: Sequence[str]) -> str:
        parts = [value.rjust(size) if n in right else value.ljust(size)
                 for n, (value, size) in enumerate(zip(values, sizes, strict=True))]
        return "  ".join(parts).rstrip()

    return "\n".join([line([h.upper() for h in headers]), *(line(row) for row in cells)])


def fields(pairs: Iterable[tuple[str, Any]], indent: str = "") -> str:
    """`Label:  value` lines with the values aligned; None values show as "-"."""
    pairs = list(pairs)
    width = max((len(label) for label, _ in pairs), default=0) + 2
    lines = []
    for label, value in pairs:
        text = EMPTY if value is None or value == "" else str(value)
        lines.append(f"{indent}{(label + ':').ljust(width)}{text}")
    return "\n".join(lines)


def block(text: str | None, indent: str = "    ", width: int = 100) -> str:
    """Free text (message content, a prompt) indented, long lines wrapped, blank lines kept."""
    if not text:
        return ""
    out = []
    for paragraph in text.splitlines() or [""]:
        wrapped = textwrap.wrap(paragraph, width=width - len(indent), replace_whitespace=False,
                                break_long_words=False, break_on_hyphens=False)
        out.extend(indent + piece if piece.strip() else "" for piece in (wrapped or [""]))
    return "\n".join(out)


def when(value: datetime | None) -> str:
    """A stored UTC time in local time as `YYYY-MM-DD HH:MM`; "-" when absent."""
    if value is None:
        return EMPTY
    return value.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def duration(value: timedelta | None) -> str:
    """A duration as `1d 2h 3m`, `4m 5s` or `0.25s`."""
    if value is None:
        return EMPTY
    seconds = value.total_seconds()
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{sign}{seconds:g}s"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    elif hours:
        parts = [(hours, "h"), (minutes, "m")]
    else:
        parts = [(minutes, "m"), (secs, "s")]
    return sign + " ".join(f"{n}{unit}" for n, unit in parts)


def number(value: int | float | None) -> str:
    """A count with thousands separators."""
    return EMPTY if value is None else f"{value:,}"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def json_text(value: JsonText, width: int = 0) -> str:
    """A JSON column on one line: compact JSON, or the raw text marked as invalid."""
    if value.is_absent:
        return EMPTY
    if not value.is_valid:
        return truncate(one_line(value.raw), width) + "  (not valid JSON)"
    return truncate(json.dumps(value.value, ensure_ascii=False), width)


def size(count: int) -> str:
    """A byte count for people: `812 B`, `2.0 KB`, `3.4 MB`."""
    return human_size(count)


def count_of(count: int, noun: str) -> str:
    """`1 message`, `5 messages`, `0 tool calls` (`noun` singular, underscores as spaces)."""
    noun = noun.replace("_", " ")
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def listing(parts: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
