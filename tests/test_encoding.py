"""Reading every .NET encoding, and writing exactly the .NET forms."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from orchestrator_desktop.data.encoding import (
    JsonText,
    format_datetime,
    format_timespan,
    parse_datetime,
    parse_timespan,
)
from orchestrator_desktop.data.enums import MessageRole, SessionStatus, StepStatus


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-01-30 09:05:00", datetime(2024, 1, 30, 9, 5)),
    ("2024-01-30 09:05:00.1", datetime(2024, 1, 30, 9, 5, 0, 100000)),
    ("2024-01-30 09:05:00.1234567", datetime(2024, 1, 30, 9, 5, 0, 123456)),
    ("2024-01-30T09:05:00.5Z", datetime(2024, 1, 30, 9, 5, 0, 500000)),
    ("2024-01-30 11:05:00+02:00", datetime(2024, 1, 30, 9, 5)),
    ("2024-01-30", datetime(2024, 1, 30)),
])
def test_reads_every_dotnet_datetime_form(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", [None, "", "yesterday", "2024-13-45 99:99:99"])
def test_unreadable_datetimes_are_none_not_errors(text) -> None:
    assert parse_datetime(text) is None


@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2024, 1, 30, 9, 5), "2024-01-30 09:05:00"),
    (datetime(2024, 1, 30, 9, 5, 0, 100000), "2024-01-30 09:05:00.1"),
    (datetime(2024, 1, 30, 9, 5, 0, 123456), "2024-01-30 09:05:00.123456"),
    (datetime(2024, 1, 30, 11, 5, tzinfo=timezone(timedelta(hours=2))), "2024-01-30 09:05:00"),
])
def test_writes_dotnet_datetime_form(value: datetime, expected: str) -> None:
    assert format_datetime(value) == expected


def test_unchanged_values_round_trip_byte_for_byte() -> None:
    for text in ("2024-01-30 09:05:00.1234567", "2024-01-30 09:05:00.0000001"):
        assert format_datetime(parse_datetime(text)) == text
    for text in ("1.02:03:04.0000001", "00:00:01.2500000"):
        assert format_timespan(parse_timespan(text)) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("00:00:01.2500000", timedelta(seconds=1.25)),
    ("1.02:03:04", timedelta(days=1, hours=2, minutes=3, seconds=4)),
    ("-00:00:05", timedelta(seconds=-5)),
    ("-1.00:00:00.5000000", -timedelta(days=1, microseconds=500000)),
    ("10675199.02:48:05.4775807", timedelta(days=10675199, seconds=10085, microseconds=477580)),
    ("99999999999.00:00:00", None),  # beyond timedelta: unreadable, not an error
    ("soon", None),
])
def test_reads_dotnet_timespans(text: str, expected) -> None:
    assert parse_timespan(text) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (timedelta(seconds=1.25), "00:00:01.2500000"),
    (timedelta(days=1, hours=2, minutes=3, seconds=4), "1.02:03:04"),
    (timedelta(seconds=-5), "-00:00:05"),
    (timedelta(0), "00:00:00"),
])
def test_writes_dotnet_c_format(value: timedelta, expected: str) -> None:
    assert format_timespan(value) == expected


def test_json_columns_never_raise() -> None:
    assert JsonText(None).is_absent and JsonText(None).value is None
    assert JsonText("").is_absent and JsonText("  ").is_valid
    broken = JsonText("{broken")
    assert not broken.is_valid and broken.value is None and broken.pretty() == "{broken"
    assert broken.mapping() == {} and broken.items() == []
    good = JsonText('{"A": [1, 2]}')
    assert good.is_valid and good.mapping() == {"A": [1, 2]}
    assert JsonText("[" * 100000).value is None  # deeply nested: no RecursionError escapes


def test_unknown_enum_values_read_as_unknown_members() -> None:
    status = SessionStatus(7)
    assert status.label == "Unknown (7)" and int(status) == 7 and not status.is_known
    assert SessionStatus(2) is SessionStatus.Completed and SessionStatus(2).is_known
    assert MessageRole.from_name("assistant") is MessageRole.Assistant
    with pytest.raises(ValueError, match="choose one of Pending"):
        StepStatus.from_name("Done")


@pytest.mark.parametrize("text", [
    "2024-01-02 03:04:05", "2024-01-02 03:04:05.1234567", "2024-01-02 03:04:05.12",
    "2024-01-02 03:04:05.123456789", "2024-12-31 23:59:59.9999999", "2024-13-02 03:04:05",
    "2024-02-30 03:04:05", "2024-01-02 03:04:05.", "2024-01-02 24:00:00",
    "２０24-01-02 03:04:05", "2024-01-02 03:04:05.12a", "2024-01-02T03:04:05",
    "2024-01-02 03:04:05Z", " 2024-01-02 03:04:05", "2024-01-02 03:04:5x"])
def test_the_dotnet_form_reads_as_the_general_parser_reads_it(text: str) -> None:
    from orchestrator_desktop.data import encoding

    value = encoding.parse_datetime(text)
    match = encoding._DATETIME_RE.match(text)
    if match is None:
        assert value is None
        return
    year, month, day, hour, minute, second, fraction, _zone = match.groups()
    try:
        expected = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                            int(second or 0), int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        assert value is None
        return
    assert value == expected and value.source_text == text
    assert encoding.format_datetime(value) == text


def test_a_value_computed_from_a_read_date_is_written_from_its_own_time() -> None:
    """The text kept from the file belongs to the value read, not to one computed from it."""
    from datetime import timedelta

    from orchestrator_desktop.data import encoding

    read = encoding.parse_datetime("2024-01-02 03:04:05.1234567")
    assert not hasattr(read, "__dict__")  # the kept text is a slot, not a dict per value
    later = read + timedelta(seconds=1)
    assert encoding.format_datetime(read) == "2024-01-02 03:04:05.1234567"
    assert encoding.format_datetime(later) == "2024-01-02 03:04:06.123456"
    assert encoding.format_datetime(read.replace(microsecond=0)) == "2024-01-02 03:04:05"
    span = encoding.parse_timespan("00:00:01.5000001")
    assert encoding.format_timespan(span) == "00:00:01.5000001"
    assert encoding.format_timespan(span + timedelta(seconds=1)) == "00:00:02.5000000"


@pytest.mark.parametrize("text", [
    "00:00:00", "00:00:01.2135945", "23:59:59.9999999", "99:99:99", "01:02:03.5",
    "1.02:03:04", "-00:00:01.5", " 00:00:01", "0:00:01", "00:00:01.12345678", "00:00:1x",
    "٠٠:٠٠:٠١"])
def test_the_quick_timespan_form_reads_as_the_general_parser_reads_it(text: str) -> None:
    from orchestrator_desktop.data import encoding

    value = encoding.parse_timespan(text)
    match = encoding._TIMESPAN_RE.match(text)
    if match is None:
        assert value is None
        return
    negative, days, hours, minutes, seconds, fraction = match.groups()
    expected = timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes),
                         seconds=int(seconds or 0),
                         microseconds=int((fraction or "0")[:6].ljust(6, "0")))
    assert value == (-expected if negative else expected)
    assert encoding.format_timespan(value) == text
