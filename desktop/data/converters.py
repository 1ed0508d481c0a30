"""Pony ORM converters for the contract's encodings, and the SQLite provider that uses them.

Pony's own SQLite converters store datetimes with six fraction digits and timedeltas as
fractions of a day; the .NET side uses other text forms, so this provider swaps in converters
that read every .NET form and write exactly the .NET one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from pony.orm.dbapiprovider import Converter
from pony.orm.dbproviders.sqlite import SQLitePool, SQLiteProvider

from .encoding import format_datetime, format_timespan, parse_datetime, parse_timespan


class NetDateTimeConverter(Converter):
    """`DateTime` columns: TEXT `yyyy-MM-dd HH:mm:ss.FFFFFFF`."""

    optimistic = False  # a 7th fraction digit would make Pony's optimistic check misfire

    def validate(self, val: Any, obj: Any = None) -> Any:
        if isinstance(val, datetime):
            return val
        parsed = parse_datetime(val)
        if parsed is None:
            raise TypeError(f"Attribute {self.attr}: expected a date and time, got {val!r}")
        return parsed

    def py2sql(self, val: Any) -> Any:
        return format_datetime(val)

    def sql2py(self, val: Any) -> Any:
        parsed = parse_datetime(val)
        return val if parsed is None else parsed

    def sql_type(self) -> str:
        return "TEXT"


class NetTimeSpanConverter(Converter):
    """`TimeSpan` columns: TEXT in .NET's "c" format."""

    optimistic = False

    def validate(self, val: Any, obj: Any = None) -> Any:
        if isinstance(val, timedelta):
            return val
        parsed = parse_timespan(val)
        if parsed is None:
            raise TypeError(f"Attribute {self.attr}: expected a duration, got {val!r}")
        return parsed

    def py2sql(self, val: Any) -> Any:
        return format_timespan(val)

    def sql2py(self, val: Any) -> Any:
        parsed = parse_timespan(val)
        return val if parsed is None else parsed

    def sql_type(self) -> str:
        return "TEXT"


class IntEnumConverter(Converter):
    """Enum columns: INTEGER; unknown values become "Unknown (n)" members."""

    def validate(self, val: Any, obj: Any = None) -> Any:
        if isinstance(val, str):
            return self.py_type.from_name(val)
        return self.py_type(int(val))

    def py2sql(self, val: Any) -> Any:
        return int(val)

    def sql2py(self, val: Any) -> Any:
        return self.py_type(int(val))

    def sql_type(self) -> str:
        return "INTEGER"


class ContractSQLiteProvider(SQLiteProvider):
    """Pony's SQLite provider with the contract's converters placed first."""

    converter_classes = [
        (IntEnum, IntEnumConverter),
        (datetime, NetDateTimeConverter),
        (timedelta, NetTimeSpanConverter),
        *SQLiteProvider.converter_classes,
    ]

    def get_pool(self, is_shared_memory_db: bool, filename: str, create_db: bool = False,
                 **kwargs: Any) -> SQLitePool:
        """Take the filename as given: Pony would make a `file:` URI relative to a module."""
        return SQLitePool(is_shared_memory_db, filename, create_db, **kwargs)
