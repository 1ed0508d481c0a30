"""The application's full-text index over message content (SQLite FTS5).

The index is keyed by `desktop_message_keys`, a table with an INTEGER PRIMARY KEY per message
id, not by `Messages.rowid`: the .NET tables have text keys, so `VACUUM` may renumber their
rowids, while an INTEGER PRIMARY KEY survives it. Triggers keep the index right whoever writes
to `Messages` (this application or the .NET one). An index made for an existing file is filled
in the background, in chunks that each commit, so it can resume after a crash.
"""

from __future__ import annotations

FTS_TABLE = "desktop_messages_fts"
KEYS_TABLE = "desktop_message_keys"
TEXT_VIEW = "desktop_message_text"

FTS_DDL = (
    f'CREATE TABLE "{KEYS_TABLE}" ("Key" INTEGER PRIMARY KEY, "MessageId" TEXT NOT NULL UNIQUE)',
    f'CREATE VIEW "{TEXT_VIEW}" AS SELECT k."Key" AS "Key", m."Content" AS "Content" '
    f'FROM "{KEYS_TABLE}" k JOIN "Messages" m ON m."Id" = k."MessageId"',
    f"CREATE VIRTUAL TABLE \"{FTS_TABLE}\" USING fts5(\"Content\", content='{TEXT_VIEW}', "
    "content_rowid='Key', tokenize='unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER "desktop_messages_fts_insert" AFTER INSERT ON "Messages" BEGIN
    INSERT INTO "{KEYS_TABLE}" ("MessageId") VALUES (new."Id");
    INSERT INTO "{FTS_TABLE}" (rowid, "Content")
        SELECT "Key", new."Content" FROM "{KEYS_TABLE}" WHERE "MessageId" = new."Id";
END""",
    f"""CREATE TRIGGER "desktop_messages_fts_delete" AFTER DELETE ON "Messages" BEGIN
    INSERT INTO "{FTS_TABLE}" ("{FTS_TABLE}", rowid, "Content")
        SELECT 'delete', "Key", old."Content" FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id";
    DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id";
END""",
    f"""CREATE TRIGGER "desktop_messages_fts_update" AFTER UPDATE OF "Id", "Content" ON "Messages"
BEGIN
    INSERT INTO "{FTS_TABLE}" ("{FTS_TABLE}", rowid, "Content")
        SELECT 'delete', "Key", old."Content" FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id";
    UPDATE "{KEYS_TABLE}" SET "MessageId" = new."Id" WHERE "MessageId" = old."Id";
    INSERT INTO "{FTS_TABLE}" (rowid, "Content")
        SELECT "Key", new."Content" FROM "{KEYS_TABLE}" WHERE "MessageId" = new."Id";
END""",
)

# One chunk of the background fill: messages in a rowid range that have no key yet.
FILL_KEYS_SQL = (
    f'INSERT INTO "{KEYS_TABLE}" ("MessageId") SELECT m."Id" FROM "Messages" m '
    f'WHERE m.rowid > $start AND m.rowid <= $end AND NOT EXISTS '
    f'(SELECT 1 FROM "{KEYS_TABLE}" k WHERE k."MessageId" = m."Id")'
)
FILL_TEXT_SQL = (
    f'INSERT INTO "{FTS_TABLE}" (rowid, "Content") SELECT k."Key", m."Content" '
    f'FROM "{KEYS_TABLE}" k JOIN "Messages" m ON m."Id" = k."MessageId" WHERE k."Key" > $before'
)
CLEAR_SQL = (
    f"INSERT INTO \"{FTS_TABLE}\" (\"{FTS_TABLE}\") VALUES ('delete-all')",
    f'DELETE FROM "{KEYS_TABLE}"',
)
