"""The generic operations every table offers: get, page, find, count, exists, add, update, delete.

Reads are plain SQL turned straight into records (no entity objects are built for a listing);
writes go through the Pony entity, which validates types and encodes values the .NET way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import records as r
from .connection import new_id
from .encoding import encode_value
from .errors import DataError, NotFoundError, ValidationError
from .snapshot_facts import FACTS_TABLE, has_facts_table
from .tables import (
    SESSION_SNAPSHOTS,
    SNAPSHOT_LISTED,
    TABLES,
    Selection,
    Table,
    snapshot_record,
)

if TYPE_CHECKING:
    from .database import Store

T = TypeVar("T")


def _snapshot_listing(store: Store) -> Selection:
    """Snapshot rows without their large JSON columns (never reading them), with the size and
    form their facts give."""
    listed = SNAPSHOT_LISTED
    if not has_facts_table(store.db.get_connection()):
        return Selection().columns(SESSION_SNAPSHOTS, names=listed).value("size", "0") \
            .value("form", "''")
    fact = (f'(SELECT f."{{}}" FROM "{FACTS_TABLE}" f WHERE f."SnapshotId" = '
            '"SessionSnapshots"."Id")')
    count = (f'CASE WHEN "MessageCount" = 0 THEN coalesce({fact.format("MessageCount")}, 0) '
             'ELSE "MessageCount" END')
    return (Selection().columns(SESSION_SNAPSHOTS, names=listed, sql={"MessageCount": count})
            .value("size", f'coalesce({fact.format("Bytes")}, 0)')
            .value("form", f"coalesce({fact.format('Form')}, '?')"))


class Repository(Generic[T]):
    """Generic operations over one entity's table, returning records of type T."""

    def __init__(self, store: Store, entity: Any) -> None:
        self.store = store
        self.entity = entity
        self.table: str = entity._table_
        self.description: Table = TABLES[self.table]
        self.attr_to_column = self.description.attr_to_column
        self.key_attrs = [c.attr for c in self.description.key]
        self.key_columns = [c.name for c in self.description.key]
        self.kind = self.description.kind

    # -- helpers -------------------------------------------------------------------------

    def _selection(self) -> Selection:
        if self.table == "SessionSnapshots":
            return _snapshot_listing(self.store)
        return Selection().columns(self.description)

    def _build(self, row: dict[str, Any]) -> T:
        """The record of a row read by `_selection()`."""
        if self.table == "SessionSnapshots":
            return snapshot_record(row[self.table], row["size"], row["form"])  # type: ignore
        return self.description.record(row[self.table])

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
            selection = self._selection()
            sql = (f'SELECT {selection.sql} FROM "{self.table}"{where}'
                   f'{self._order_sql(order_by)}' + (" LIMIT $limit OFFSET $offset"
                                                     if limit is not None else ""))
            return [self._build(selection.read(row))
                    for row in self.store.select(sql, **params)]

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
        with self.store.reading():
            selection = self._selection()
            sql = (f'SELECT {selection.sql} FROM "{self.table}"{where} '
                   f"ORDER BY {keys} LIMIT $limit")
            rows = [selection.read(row) for row in self.store.select(sql, **params)]
        items = tuple(self._build(row) for row in rows[:limit])
        cursor = None
        if len(rows) > limit:
            last = rows[limit - 1][self.table]
            values = tuple(last[c] for c in self.key_columns)
            cursor = values if len(values) > 1 else values[0]
        return r.Page(items, cursor)

    # -- writes --------------------------------------------------------------------------

    def add(self, **fields: Any) -> T:
        """Insert a row from snake_case fields (an `id` is made when absent); return its record.

        Values are checked by the entity's attribute types and written in the .NET encodings;
        every NOT NULL column of the file is filled, mapped or not (see `FileForm.complete`).
        """
        values = self.description.defaults()
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
