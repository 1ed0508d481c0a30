"""tables.py is the one description of each table: it agrees with the DDL the .NET application
writes (the seed's and today's), and the records, entities and column maps are built from it."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

import pytest
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.agent_editing import _AGENT_COLUMNS, _CONFIG_COLUMNS
from orchestrator_desktop.data.agent_rules import AGENT_FIELDS, CONFIG_FIELDS
from orchestrator_desktop.data.schema import COLUMNS, CONTRACT_DDL, TODAY_DDL
from orchestrator_desktop.data.tables import CONTRACT, TABLES, TODAY_ONLY, Selection


def _sql_type(kind: type) -> str:
    if kind in (str, datetime, timedelta):
        return "TEXT"
    if kind is float:
        return "REAL"
    assert kind in (int, bool) or issubclass(kind, IntEnum), kind
    return "INTEGER"


def _table_info(ddl: tuple[str, ...]) -> dict[str, list[tuple]]:
    con = sqlite3.connect(":memory:")
    for statement in ddl:
        con.execute(statement)
    tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {t: con.execute(f'PRAGMA table_info("{t}")').fetchall() for t in tables}


@pytest.mark.parametrize("table", CONTRACT, ids=lambda t: t.name)
def test_each_contract_table_is_described_as_the_seeds_ddl_makes_it(table) -> None:
    info = _table_info(CONTRACT_DDL)[table.name]
    assert [(c.name, _sql_type(c.type), not c.nullable, c.key) for c in table.columns] == [
        (name, kind, bool(not_null), pk > 0) for _cid, name, kind, not_null, _d, pk in info]


@pytest.mark.parametrize("table", CONTRACT + TODAY_ONLY, ids=lambda t: t.name)
def test_todays_ddl_has_the_described_columns_and_only_the_known_extras(table) -> None:
    info = _table_info(TODAY_DDL)[table.name]
    names = [row[1] for row in info]
    assert sorted(names) == sorted(table.names + table.today_extra)
    assert [n for n in names if n in table.names] == list(table.names), "same order"
    kinds = {row[1]: row[2] for row in info}
    assert all(kinds[c.name] == _sql_type(c.type) for c in table.columns)
    if table in TODAY_ONLY:  # described as today's application makes them
        assert {c.name: not c.nullable for c in table.columns} == {
            row[1]: bool(row[3]) for row in info}


@pytest.mark.parametrize("table", CONTRACT + TODAY_ONLY, ids=lambda t: t.name)
def test_every_record_field_a_column_fills_is_a_field_of_the_record(table) -> None:
    fields = {f.name: f for f in dataclasses.fields(table.record_type)}
    filled = [c.field for c in table.columns if c.field] + [
        c.raw_field for c in table.columns if c.raw_field]
    assert set(filled) <= set(fields)
    required = {name for name, f in fields.items()
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    assert required <= set(filled), "a record can be built from its table's row alone"


def test_entities_and_column_lists_are_built_from_the_description(tmp_path) -> None:
    store = open_store(tmp_path / "x.db")
    try:
        for table in CONTRACT:
            entity = getattr(store.entities, table.entity)
            assert entity._table_ == table.name
            assert [a.column for a in entity._attrs_] == list(table.names)
            assert [a.name for a in entity._attrs_] == [c.attr for c in table.columns]
            assert [a.name for a in entity._pk_attrs_] == [c.attr for c in table.key]
            assert COLUMNS[table.name] == table.names
        assert store.memberships.key_columns == ["SessionId", "AgentId"]
    finally:
        store.close()


def test_the_agent_editor_writes_the_columns_the_description_names() -> None:
    assert _AGENT_COLUMNS == {"name": "Name", "type": "Type", "description": "Description",
                              "working_directory": "WorkingDirectory", "is_active": "IsActive"}
    assert set(_CONFIG_COLUMNS) == set(CONFIG_FIELDS) and set(_AGENT_COLUMNS) == set(AGENT_FIELDS)
    assert _CONFIG_COLUMNS["custom_settings"] == "CustomSettingsJson"
    assert _CONFIG_COLUMNS["enabled_tools"] == "EnabledToolsJson"


def test_a_selection_reads_rows_by_column_name_whatever_the_order(tmp_path) -> None:
    store = open_store(tmp_path / "x.db")
    try:
        session = store.sessions.create("Named", project_id="p")
        agents = TABLES["Agents"]
        picked = (Selection().value("n", "1 + 1")
                  .columns(TABLES["Sessions"], "s", names=("ProjectId", "Name", "Id"))
                  .columns(agents, "a", names=("Name",)))
        with store.reading():
            rows = store.select(f'SELECT {picked.sql} FROM "Sessions" s JOIN "Agents" a '
                                'ORDER BY a."Name" LIMIT 1')
        row = picked.read(rows[0])
        assert row["n"] == 2
        assert row["s"] == {"ProjectId": "p", "Name": "Named", "Id": session.id}
        assert set(row["a"]) == {"Name"}
        with pytest.raises(KeyError):
            Selection().columns(agents, names=("NoSuchColumn",))
    finally:
        store.close()


_SAMPLES = {  # stored values of each kind, the awkward ones included
    str: ("an id", "", None),
    datetime: ("2026-03-04 10:11:12.1234567", "2026-03-04 10:11:12", "2026-03-04T10:11:12Z",
               "2026-02-31 10:11:12", "not a date", None),
    timedelta: ("00:00:00.7312345", "1.02:03:04", "soon", None),
    int: (0, 3, 99, -1),
    bool: (0, 1),
    float: (0.7, 2),
}


def _sample(column, n: int):
    kind = int if issubclass(column.type, IntEnum) else column.type
    pool = _SAMPLES[kind]
    return pool[n % len(pool)]


@pytest.mark.parametrize("table", CONTRACT + TODAY_ONLY, ids=lambda t: t.name)
def test_a_positional_reader_builds_the_record_reading_by_name_builds(table) -> None:
    # columns in reverse order after an expression, so that positions differ from the table's
    picked = (Selection().value("extra", "1")
              .columns(table, "t", names=tuple(reversed(table.names))))
    build = picked.reader(table, "t")
    for n in range(7):
        row = (n,) + tuple(_sample(table.column(name), n + k)
                           for k, name in enumerate(reversed(table.names)))
        assert build(row) == table.record(picked.read(row)["t"]), row
    unknown = build((0,) + tuple(_sample(table.column(name), 2)
                                 for name in reversed(table.names)))
    assert all(getattr(value, "is_known", True) is False
               for value in dataclasses.astuple(unknown) if isinstance(value, IntEnum))


def test_a_reader_needs_every_column_its_record_has() -> None:
    sessions = TABLES["Sessions"]
    with pytest.raises(KeyError):
        Selection().columns(sessions, names=("Id", "Name")).reader(sessions)


def test_a_readers_keywords_fill_the_records_other_fields() -> None:
    messages = TABLES["Messages"]
    picked = Selection().columns(messages, "m")
    build = picked.reader(messages, "m")
    row = tuple(_sample(messages.column(name), 1) for name in messages.names)
    plain = messages.record(picked.read(row)["m"])
    assert build(row) == plain and build(row).position is None
    filled = build(row, position=7, agent_name="Claude")
    assert filled == dataclasses.replace(plain, position=7, agent_name="Claude")
    with pytest.raises(dataclasses.FrozenInstanceError):
        filled.position = 8  # type: ignore[misc]
    with pytest.raises(TypeError):
        build(row, no_such_field=1)


def test_a_reader_builds_only_frozen_slots_records() -> None:
    teams = TABLES["Teams"]
    loose = dataclasses.make_dataclass(  # the same fields, but a dict per record
        "Loose", [(f.name, Any) for f in dataclasses.fields(teams.record_type)], frozen=True)
    table = dataclasses.replace(teams, record_type=loose)
    with pytest.raises(TypeError):
        Selection().columns(table).reader(table)
