"""What form a file is in, read from its schema, and rows that satisfy it.

Three forms are known (see docs/upstream-files.md): the seed's, today's "upgraded" one (the
seed's tables made strict, plus Teams) and today's "fresh" one (also Plans). Later versions may
add tables and columns; those are reported and left alone. The form is told from the schema
itself (columns, tables, NOT NULL constraints), never from a version number.

`FileForm.complete()` turns the values a write means to store into a row the file accepts: every
NOT NULL column without a default gets a value even when this application does not map it
(`""` for text, 0 for numbers and flags), so the same code writes to every form.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from .schema import CONTRACT_TABLES, PLAN_TABLES, TEAM_TABLES
from .tables import TABLES

SEED, UPGRADED, FRESH = "seed", "upgraded", "fresh"
LABELS = {SEED: "the seed's form", UPGRADED: "today's form (upgraded)",
          FRESH: "today's form (made fresh)"}
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    **{t.name: (*t.names, *t.today_extra) for t in TABLES.values()},
    "__EFMigrationsHistory": ("MigrationId", "ProductVersion"),
}
# Tables the application keeps for itself; never reported as unknown.
_OWN_PREFIXES = ("desktop_", "sqlite_")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    not_null: bool
    has_default: bool
    primary_key: bool

    @property
    def filler(self) -> Any:
        """The value a NOT NULL column takes when a write has none for it."""
        return "" if "TEXT" in self.type or "CHAR" in self.type or not self.type else 0


@dataclass(frozen=True)
class FileForm:
    """The tables and columns of one file, as PRAGMA table_info reports them."""

    columns: dict[str, tuple[Column, ...]]

    # -- what the file is ---------------------------------------------------------------------

    def has_table(self, table: str) -> bool:
        return table in self.columns

    def has_column(self, table: str, column: str) -> bool:
        return any(c.name == column for c in self.columns.get(table, ()))

    def column_names(self, table: str) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns.get(table, ()))

    @property
    def strict(self) -> bool:
        """True when the file's string columns are NOT NULL (today's application)."""
        return any(c.name == "Name" and c.not_null for c in self.columns.get("Sessions", ()))

    @property
    def has_teams(self) -> bool:
        return all(self.has_table(t) for t in TEAM_TABLES)

    @property
    def has_plans(self) -> bool:
        return all(self.has_table(t) for t in PLAN_TABLES)

    @property
    def name(self) -> str:
        """seed, upgraded or fresh: the known form this file is closest to."""
        if self.has_plans:
            return FRESH
        if self.has_teams or self.strict or self.has_column("Agents", "IsDefault"):
            return UPGRADED
        return SEED

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def unknown_tables(self) -> list[str]:
        """Tables no known form has (a later version's), left exactly as they are."""
        return sorted(t for t in self.columns if t not in KNOWN_COLUMNS
                      and not t.startswith(_OWN_PREFIXES))

    def unknown_columns(self) -> list[str]:
        """`Table.Column` for every column of a known table that no known form has."""
        return sorted(f"{t}.{c.name}" for t, cols in self.columns.items()
                      if t in KNOWN_COLUMNS for c in cols if c.name not in KNOWN_COLUMNS[t])

    def describe(self) -> str:
        """One line for `db info` and the Check Database report."""
        text = self.label
        extra = self.unknown_tables() + self.unknown_columns()
        if extra:
            text += f", with {len(extra)} table(s) or column(s) of a later version: " + \
                ", ".join(extra[:5]) + ("…" if len(extra) > 5 else "")
        return text

    # -- writing rows it accepts --------------------------------------------------------------

    def complete(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        """The row to insert: `values` for the columns the file has, and a filler for every
        NOT NULL column (mapped or not) that has no value and no default."""
        row: dict[str, Any] = {}
        for column in self.columns[table]:
            value = values.get(column.name)
            if value is None and column.not_null and not column.has_default:
                value = column.filler
            if value is not None or column.name in values:
                row[column.name] = value
        return row

    def insert_sql(self, table: str, columns: list[str], verb: str = "INSERT") -> str:
        """An INSERT with `?` marks for these columns."""
        names = ", ".join(f'"{c}"' for c in columns)
        return f'{verb} INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'

    def filled_select(self, table: str, known: tuple[str, ...]) -> tuple[str, str]:
        """(column list, select list) copying `known` columns of a staged row into `table`,
        a NULL in a NOT NULL column replaced by its filler and unmapped NOT NULL columns filled."""
        targets, selects = [], []
        for column in self.columns[table]:
            needs = column.not_null and not column.has_default
            if column.name in known:
                expr = f'"{column.name}"'
                if needs:
                    expr = f"coalesce({expr}, {_sql_literal(column.filler)})"
            elif needs:
                expr = _sql_literal(column.filler)
            else:
                continue
            targets.append(f'"{column.name}"')
            selects.append(expr)
        return ", ".join(targets), ", ".join(selects)

    def none_for_update(self, table: str, column: str, value: Any) -> Any:
        """A value for UPDATE: None becomes the filler where the column is NOT NULL."""
        if value is not None:
            return value
        for c in self.columns.get(table, ()):
            if c.name == column and c.not_null:
                return c.filler
        return None


def _sql_literal(value: Any) -> str:
    return "''" if value == "" else str(value)


def read_form(con: sqlite3.Connection | Any) -> FileForm:
    """Read every table's columns from an open connection (sqlite3 or a DB-API cursor's)."""
    tables = [row[0] for row in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()]
    columns = {}
    for table in tables:
        quoted = table.replace('"', '""')
        columns[table] = tuple(
            Column(row[1], (row[2] or "").upper(), bool(row[3]), row[4] is not None, bool(row[5]))
            for row in con.execute(f'PRAGMA table_info("{quoted}")').fetchall())
    return FileForm(columns)


def contract_tables_present(form: FileForm) -> bool:
    return all(form.has_table(t) for t in CONTRACT_TABLES)
