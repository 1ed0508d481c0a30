"""Value encodings of the database contract: .NET DateTime and TimeSpan text, and JSON columns.

Reading is lenient (anything the .NET side writes, plus ISO 8601 variants); writing produces
exactly the .NET forms. Values parsed from the file remember their original text, so writing an
unchanged value back is byte-for-byte lossless even where Python's microseconds cannot hold
.NET's seventh fraction digit.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from typing import Any

_DATETIME_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_CANONICAL_SPAN_RE = re.compile(r"(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?", re.ASCII)
_TIMESPAN_RE = re.compile(
    r"^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*$"
)


class NetDateTime(datetime):
    """A naive UTC datetime that remembers the exact text it was read from (`source_text`,
    set by the parser; a slot, not a dict per value: 16 bytes instead of 300 or so, and half
    the time to read a date)."""

    __slots__ = ("source_text",)


class NetTimeSpan(timedelta):
    """A timedelta that remembers the exact text it was read from (`source_text`, a slot)."""

    __slots__ = ("source_text",)


def parse_datetime(text: str | None) -> NetDateTime | None:
    """Parse a .NET DateTime column value; None for NULL, empty or unreadable text."""
    if type(text) is str:
        if _CANONICAL_RE.fullmatch(text) is not None:  # the .NET form itself, the quick way
            try:  # the C parser; before 3.11 it reads only three or six fraction digits
                value = NetDateTime.fromisoformat(
                    text if _ANY_FRACTION or len(text) == 19
                    else f"{text[:19]}.{text[20:26].ljust(6, '0')}")
            except ValueError:  # day 31 of a 30-day month, hour 24, …
                return None
            value.source_text = text
            return value
    elif text is None:
        return None
    elif isinstance(text, NetDateTime):
        return text
    elif isinstance(text, datetime):
        return _as_net_datetime(text)
    match = _DATETIME_RE.match(str(text))
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        value = NetDateTime(
            int(year), int(month), int(day),
            int(hour or 0), int(minute or 0), int(second or 0), micro,
        )
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        shifted = value - sign * offset
        value = _as_net_datetime(shifted)
    value.source_text = str(text)
    return value


_CANONICAL_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,7})?", re.ASCII)
_ANY_FRACTION = sys.version_info >= (3, 11)  # fromisoformat reads 1 to 7 fraction digits


def _as_net_datetime(value: datetime) -> NetDateTime:
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return NetDateTime(
        value.year, value.month, value.day,
        value.hour, value.minute, value.second, value.microsecond,
    )


def format_datetime(value: datetime | None) -> str | None:
    """Write a datetime as .NET does: `yyyy-MM-dd HH:mm:ss.FFFFFFF`, UTC, trailing zeros dropped."""
    if value is None:
        return None
    source = getattr(value, "source_text", None)  # unset on a value computed from one read
    if isinstance(value, NetDateTime) and source is not None:
        return source
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}0".rstrip("0")
    return text


def utc_now() -> datetime:
    """The current time as a naive UTC datetime, the seed's `DateTime.UtcNow`."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def now_text() -> str:
    """The current UTC time in the .NET column form."""
    return format_datetime(utc_now())  # type: ignore[return-value]


def parse_timespan(text: str | None) -> NetTimeSpan | None:
    """Parse a .NET TimeSpan in "c" form (`[-][d.]hh:mm:ss[.fffffff]`); None when unreadable."""
    if type(text) is str:  # the form .NET writes for under a day, the quick way
        match = _CANONICAL_SPAN_RE.fullmatch(text)
        if match is not None:
            hours, minutes, seconds, fraction = match.groups()
            value = NetTimeSpan(0, int(hours) * 3600 + int(minutes) * 60 + int(seconds),
                                int(fraction[:6].ljust(6, "0")) if fraction else 0)
            value.source_text = text
            return value
    if text is None:
        return None
    if isinstance(text, NetTimeSpan):
        return text
    if isinstance(text, timedelta):
        return NetTimeSpan(days=text.days, seconds=text.seconds, microseconds=text.microseconds)
    match = _TIMESPAN_RE.match(str(text))
    if not match:
        return None
    negative, days, hours, minutes, seconds, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        value = NetTimeSpan(
            days=int(days or 0), hours=int(hours), minutes=int(minutes),
            seconds=int(seconds or 0), microseconds=micro,
        )
    except OverflowError:
        return None
    if negative:
        value = NetTimeSpan(seconds=0) - value
        value = NetTimeSpan(days=value.days, seconds=value.seconds, microseconds=value.microseconds)
    value.source_text = str(text)
    return value


def format_timespan(value: timedelta | None) -> str | None:
    """Write a timedelta in .NET's "c" form: `[-][d.]hh:mm:ss[.fffffff]`."""
    if value is None:
        return None
    source = getattr(value, "source_text", None)
    if isinstance(value, NetTimeSpan) and source is not None:
        return source
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{value.days}." if value.days else sign
    text += f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if value.microseconds:
        text += f".{value.microseconds:06d}0"
    return text


def text_or_none(value: str | None) -> str | None:
    """The contract reads NULL and empty strings alike as "absent"."""
    return value if value else None


@dataclass(frozen=True, slots=True)
class JsonText:
    """A JSON column as stored, decoded on demand; NULL, empty and invalid text never raise."""

    raw: str | None

    @property
    def is_absent(self) -> bool:
        """True for NULL or an empty/blank string."""
        return self.raw is None or not self.raw.strip()

    @property
    def is_valid(self) -> bool:
        """True when absent or valid JSON; invalid text is shown raw and flagged."""
        return self.is_absent or self._decoded()[0]

    @property
    def value(self) -> Any:
        """The decoded value, or None when absent or invalid."""
        if self.is_absent:
            return None
        ok, value = self._decoded()
        return value if ok else None

    def _decoded(self) -> tuple[bool, Any]:
        try:
            return True, json.loads(self.raw, parse_constant=_reject)  # type: ignore[arg-type]
        except (TypeError, ValueError, RecursionError):
            return False, None

    def pretty(self) -> str:
        """Indented JSON for display, or the raw text when it is not valid JSON."""
        if self.is_absent:
            return ""
        ok, value = self._decoded()
        return json.dumps(value, indent=2, ensure_ascii=False) if ok else (self.raw or "")

    def mapping(self) -> dict[str, Any]:
        """The value when it is a JSON object, else an empty dict."""
        value = self.value
        return value if isinstance(value, dict) else {}

    def items(self) -> list[Any]:
        """The value when it is a JSON array, else an empty list."""
        value = self.value
        return value if isinstance(value, list) else []


def _reject(name: str) -> Any:
    """NaN and Infinity are Python's extension, not JSON: System.Text.Json rejects them too."""
    raise ValueError(f"{name} is not JSON")


def dump_json(value: Any) -> str | None:
    """Serialise like System.Text.Json's defaults: compact, non-ASCII escaped, None as NULL."""
    if value is None:
        return None
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def encode_value(value: Any) -> Any:
    """A Python value in the form its column stores (enums and bools as integers, dates as text)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, IntEnum):
        return int(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, timedelta):
        return format_timespan(value)
    return value
