"""Pony ORM entities mapped onto the contract's ten tables, built from `tables.py`.

Entities are defined per `Database` (`define_entities(db)`), so every opened file, and every
test, binds its own. Foreign keys are plain id attributes rather than Pony relationships: the
file's own `ON DELETE CASCADE` clauses do the cascading, where Pony would load and update every
child row in Python. Nullable text columns use `nullable=True` so NULL stays NULL.
"""

from __future__ import annotations

import types
from types import SimpleNamespace
from typing import Any

from pony.orm import Database, Optional, PrimaryKey, Required
from pony.orm.core import Attribute

from .tables import CONTRACT, Column, Table


def _attribute(column: Column, composite_key: bool) -> Attribute:
    options: dict[str, Any] = {"column": column.name}
    for name in ("index", "size"):
        if getattr(column, name) is not None:
            options[name] = getattr(column, name)
    if column.unique:
        options["unique"] = True
    if column.lazy:
        options["lazy"] = True
    if column.key and not composite_key:
        return PrimaryKey(column.type, **options)
    if not column.nullable:
        return Required(column.type, **options)
    if column.type is str:
        options["nullable"] = True
    return Optional(column.type, **options)


def _entity(db: Database, table: Table) -> type:
    keys = table.key
    composite = len(keys) > 1

    def body(namespace: dict[str, Any]) -> None:
        namespace["_table_"] = table.name
        for column in table.columns:
            namespace[column.attr] = _attribute(column, composite)
        if composite:
            # PrimaryKey(a, b) registers itself in the namespace of the frame that calls it
            exec("PrimaryKey(*key)", {"PrimaryKey": PrimaryKey,
                                      "key": [namespace[c.attr] for c in keys]}, namespace)

    return types.new_class(table.entity or table.name, (db.Entity,), exec_body=body)


def define_entities(db: Database) -> SimpleNamespace:
    """Declare the entities on `db` and return them by name."""
    return SimpleNamespace(**{t.entity: _entity(db, t) for t in CONTRACT if t.entity})
