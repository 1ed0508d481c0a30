"""The generic operations every table offers: get, page, find, count, exists, add, update, delete.

Reads are plain SQL turned straight into records (no entity objects are built for a listing);
writes go through the Pony entity, which validates types and encodes values the .NET way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import records as r
from .connection import new_id
from .encoding import encode_value, utc_now
from .errors import DataError, NotFoundError, ValidationError
from .schema import COLUMNS
from .snapshot_facts import FACTS_TABLE, has_facts_table

if TYPE_CHECKING:
    from .database import Store

T = TypeVar("T")

BUILDERS: dict[str, Callable[..., Any]] = {
    "Sessions": r.session_from_row,
    "Messages": r.message_from_row,
    "Agents": r.agent_from_row,
    "AgentConfigurations": r.configuration_from_row,
    "SessionAgents": r.session_agent_from_row,
    "Attachments": r.attachment_from_row,
    "ToolCalls": r.tool_call_from_row,
    "SessionSnapshots": r.snapshot_from_row,
    "OrchestrationPlans": r.plan_from_row,
    "OrchestrationSteps": r.step_from_row,
}

# How errors name a row of each table.
KINDS = {
    "Sessions": "session", "Messages": "message", "Agents": "agent",
    "AgentConfigurations": "agent configuration", "SessionAgents": "session membership",
    "Attachments": "attachment", "ToolCalls": "tool call", "SessionSnapshots": "snapshot",
    "OrchestrationPlans": "orchestration plan", "OrchestrationSteps": "orchestration step",
}

# Values the seed's classes would give a new object; callables are evaluated per add().
DEFAULTS: dict[str, dict[str, Any]] = {
    "Sessions": {"type": 0, "status": 0, "created_at": utc_now, "last_activity_at": utc_now},
    "Messages": {"role": 0, "timestamp": utc_now, "sequence_number": 0},
    "Agents": {"type": 3, "is_active": True, "created_at": utc_now, "total_sessions": 0,
               "total_messages": 0, "total_tokens_used": 0},
    "AgentConfigurations": {"temperature": 0.7, "max_tokens": 4096, "require_approval": False},
    "SessionAgents": {"joined_at": utc_now},
    "Attachments": {"size": 0, "uploaded_at": utc_now},
    "ToolCalls": {"success": False, "execution_time": "00:00:00", "executed_at": utc_now},
    "SessionSnapshots": {"created_at": utc_now, "message_count": 0},
    "OrchestrationPlans": {"strategy": 0, "created_at": utc_now, "success": False},
    "OrchestrationSteps": {"order": 0, "status": 0},
}

# Records snapshot rows without their large JSON columns (and without reading them).
def _snapshot_listing(store: Store) -> str:
    if not has_facts_table(store.db.get_connection()):
        return '"Id", "SessionId", "Name", "Description", "CreatedAt", "MessageCount", 0, \'\''
    fact = (f'(SELECT f."{{}}" FROM "{FACTS_TABLE}" f WHERE f."SnapshotId" = '
            '"SessionSnapshots"."Id")')
    return ('"Id", "SessionId", "Name", "Description", "CreatedAt", CASE WHEN "MessageCount" '
            f'= 0 THEN coalesce({fact.format("MessageCount")}, 0) ELSE "MessageCount" END, '
            f'coalesce({fact.format("Bytes")}, 0), coalesce({fact.format("Form")}, \'?\')')


class Repository(Generic[T]):
    """Generic operations over one entity's table, returning records of type T."""

    def __init__(self, store: Store, entity: Any) -> None:
        self.store = store
        self.entity = entity
        self.table: str = entity._table_
        self.attr_to_column = {a.name: a.column for a in entity._attrs_ if a.column}
        self.key_attrs = [a.name for a in entity._pk_attrs_]
        self.key_columns = [self.attr_to_column[name] for name in self.key_attrs]
        self.kind = KINDS.get(self.table, self.table.lower())
        self.build = BUILDERS[self.table]

    # -- helpers -------------------------------------------------------------------------

    def _columns_sql(self) -> str:
        if self.table == "SessionSnapshots":
            return _snapshot_listing(self.store)
        return ", ".join(f'"{c}"' for c in COLUMNS[self.table])

    def _where(self, filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        clauses, params = [], {}
        for index, (name, value) in enumerate(sorted(filters.items())):
            column = self.attr_to_column.get(name)
            if column is None:
                raise ValidationError(name, f"{self.kind} has no attribute {name!r}")
            if value is None:  # the contract reads NULL and "" alike as absent
                clauses.append(f'("{column}" IS NULL OR "{column}" = \'\')')
            else:
                clauses.append(f'"{column}" = $p{index}')
                params[f"p{index}"] = encode_value(value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _key_filter(self, key: Any) -> dict[str, Any]:
        values = key if isinstance(key, tuple) else (key,)
        if len(values) != len(self.key_attrs):
            raise ValidationError("id", f"{self.kind} keys have {len(self.key_attrs)} parts")
        return dict(zip(self.key_attrs, values, strict=True))

    def _order_sql(self, order_by: str | None) -> str:
        if not order_by:
            return " ORDER BY " + ", ".join(f'"{c}"' for c in self.key_columns)
        descending = order_by.startswith("-")
        name = order_by.lstrip("-")
        column = self.attr_to_column.get(name)
        if column is None:
            raise ValidationError(name, f"{self.kind} has no attribute {name!r}")
        return f' ORDER BY "{column}"{" DESC" if descending else ""}'

    # -- reads ---------------------------------------------------------------------------

    def get(self, key: Any) -> T | None:
        """The record with this primary key, or None."""
        found = self.find(limit=1, **self._key_filter(key))
        return found[0] if found else None

    def require(self, key: Any) -> T:
        """The record with this primary key; NotFoundError when there is none."""
        record = self.get(key)
        if record is None:
            raise NotFoundError(self.kind, str(key))
        return record

    def exists(self, key: Any) -> bool:
        """True when a row has this primary key."""
        where, params = self._where(self._key_filter(key))
        with self.store.reading():
            return self.store.scalar(f'SELECT EXISTS(SELECT 1 FROM "{self.table}"{where})',
                                     **params) == 1

    def count(self, **filters: Any) -> int:
        """How many rows match the equality filters (all rows without filters)."""
        where, params = self._where(filters)
        with self.store.reading():
            return int(self.store.scalar(f'SELECT count(*) FROM "{self.table}"{where}', **params))

    def find(self, *, order_by: str | None = None, limit: int | None = None,
             offset: int = 0, **filters: Any) -> list[T]:
        """Records whose attributes equal the given values; `order_by="-name"` sorts descending."""
        where, params = self._where(filters)
        if limit is not None:
            params.update(limit=int(limit), offset=int(offset))
        with self.store.reading():
            sql = (f'SELECT {self._columns_sql()} FROM "{self.table}"{where}'
                   f'{self._order_sql(order_by)}' + (" LIMIT $limit OFFSET $offset"
                                                     if limit is not None else ""))
            return [self.build(row) for row in self.store.select(sql, **params)]

    def page(self, after: Any = None, limit: int = 200) -> r.Page:
        """One page of all rows in key order; pass the returned `next_cursor` as `after`."""
        keys = ", ".join(f'"{c}"' for c in self.key_columns)
        params: dict[str, Any] = {"limit": int(limit) + 1}
        where = ""
        if after is not None:
            values = after if isinstance(after, tuple) else (after,)
            marks = ", ".join(f"$k{i}" for i in range(len(values)))
            where = f" WHERE ({keys}) > ({marks})"
            params.update({f"k{i}": v for i, v in enumerate(values)})
        sql = (f'SELECT {self._columns_sql()} FROM "{self.table}"{where} '
               f"ORDER BY {keys} LIMIT $limit")
        with self.store.reading():
            rows = self.store.select(sql, **params)
        items = tuple(self.build(row) for row in rows[:limit])
        cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            positions = [COLUMNS[self.table].index(c) for c in self.key_columns]
            values = tuple(last[p] for p in positions)
            cursor = values if len(values) > 1 else values[0]
        return r.Page(items, cursor)

    # -- writes --------------------------------------------------------------------------

    def add(self, **fields: Any) -> T:
        """Insert a row from snake_case fields (an `id` is made when absent); return its record.

        Values are checked by the entity's attribute types and written in the .NET encodings;
        every NOT NULL column of the file is filled, mapped or not (see `FileForm.complete`).
        """
        values = {name: (value() if callable(value) else value)
                  for name, value in DEFAULTS[self.table].items()}
        if "id" in self.attr_to_column and not fields.get("id"):
            fields["id"] = new_id()
        values.update(fields)
        self._check_names(values)
        row = {self.attr_to_column[name]: self._encoded(name, value)
               for name, value in values.items()}
        key = tuple(values[name] for name in self.key_attrs)
        with self.store.writing():
            self.store.insert_row(self.table, row)
        return self.require(key if len(key) > 1 else key[0])

    def update(self, key: Any, **changes: Any) -> T:
        """Change the given attributes of one row, and only their columns; return the record."""
        self._check_names(changes)
        if set(changes) & set(self.key_attrs):
            raise ValidationError("id", "a row's key cannot be changed")
        where, params = self._where(self._key_filter(key))
        sets = []
        for index, (name, value) in enumerate(changes.items()):
            column = self.attr_to_column[name]
            params[f"c{index}"] = self.store.form.none_for_update(
                self.table, column, self._encoded(name, value))
            sets.append(f'"{column}" = $c{index}')
        with self.store.writing():
            if not self.exists(key):
                raise NotFoundError(self.kind, str(key))
            if sets:
                self.store.execute(f'UPDATE "{self.table}" SET {", ".join(sets)}{where}',
                                   **params)
        return self.require(key)

    def _encoded(self, name: str, value: Any) -> Any:
        """The value checked against the attribute's type and in its column's encoding."""
        attr = getattr(self.entity, name)
        try:
            checked = attr.validate(value, None, self.entity, from_db=False)
        except (TypeError, ValueError) as exc:
            raise ValidationError(self.kind, str(exc)) from exc
        return encode_value(checked)

    def delete(self, key: Any) -> bool:
        """Delete one row (the file's cascades remove its children); False when absent."""
        where, params = self._where(self._key_filter(key))
        with self.store.writing():
            cursor = self.store.execute(f'DELETE FROM "{self.table}"{where}', **params)
            return cursor.rowcount > 0

    def _check_names(self, fields: dict[str, Any]) -> None:
        unknown = [name for name in fields if name not in self.attr_to_column]
        if unknown:
            raise ValidationError(unknown[0], f"{self.kind} has no attribute {unknown[0]!r}")


__all__ = ["Repository", "DataError"]
