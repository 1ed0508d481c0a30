"""The application's full-text index over message content (SQLite FTS5).

The index is keyed by `desktop_message_keys`, a table with an INTEGER PRIMARY KEY per message
id, not by `Messages.rowid`: the .NET tables have text keys, so `VACUUM` may renumber their
rowids, while an INTEGER PRIMARY KEY survives it (AUTOINCREMENT: a key is never used twice).
Triggers keep the index right whoever writes to `Messages` (this application or the .NET one).
An index made for an existing file is filled in the background, in chunks that each commit,
so it can resume after a crash.

What lives beside the .NET tables must never stop the .NET application from changing them:

- No view of ours names a .NET table: the index is contentless (it keeps no copy of the text,
  which would double the file's text) and reads no text through a view. EF Core rebuilds
  a table to alter it (create `ef_temp_Messages`, copy, drop `Messages`, rename), and SQLite
  refuses that rename while a view names the dropped table. The rebuild drops the triggers with
  the table; `SearchService.intact` notices, and maintenance puts them back and refills the index.
- `INSERT OR REPLACE` deletes the old row without firing a delete trigger: a BEFORE INSERT
  trigger sets the old text aside while the row is still there, and the insert trigger takes
  it out of the index before adding the new text, so the old text is never found again.
- A snippet is cut from `Messages` (search.py), since a contentless index has no text to cut.
"""

from __future__ import annotations

FTS_TABLE = "desktop_messages_fts"
KEYS_TABLE = "desktop_message_keys"
LEGACY_VIEW = "desktop_message_text"  # the index's content view up to schema step 3
TRIGGERS = ("desktop_messages_fts_insert", "desktop_messages_fts_delete",
            "desktop_messages_fts_update", "desktop_messages_fts_replace")

STASH_TABLE = "desktop_message_replaced"

# The index keeps no text (contentless), so taking a message out of it needs the text it was
# indexed with: a trigger's old."Content", or for `INSERT OR REPLACE`, which deletes the old
# row without a delete trigger, the text a BEFORE trigger set aside while the row was there.
_FORGET = ('INSERT INTO "{fts}" ("{fts}", rowid, "Content") SELECT \'delete\', k."Key", {text} '
           'FROM "{keys}" k WHERE k."MessageId" = {row}."Id";')
_FORGET_OLD = _FORGET.format(fts=FTS_TABLE, keys=KEYS_TABLE, text='old."Content"', row="old")
_FORGET_REPLACED = (
    f'INSERT INTO "{FTS_TABLE}" ("{FTS_TABLE}", rowid, "Content") SELECT \'delete\', s."Key", '
    f's."Content" FROM "{STASH_TABLE}" s JOIN "{KEYS_TABLE}" k ON k."Key" = s."Key" '
    'WHERE k."MessageId" = new."Id";\n'
    f'    DELETE FROM "{STASH_TABLE}" WHERE "Key" IN '
    f'(SELECT "Key" FROM "{KEYS_TABLE}" WHERE "MessageId" = new."Id");')
_ADD_NEW = (f'INSERT INTO "{KEYS_TABLE}" ("MessageId") VALUES (new."Id");\n'
            f'    INSERT INTO "{FTS_TABLE}" (rowid, "Content") VALUES (last_insert_rowid(), '
            'new."Content");')

TABLE_DDL = (
    f'CREATE TABLE IF NOT EXISTS "{KEYS_TABLE}" ("Key" INTEGER PRIMARY KEY AUTOINCREMENT, '
    '"MessageId" TEXT NOT NULL UNIQUE)',
    f"CREATE VIRTUAL TABLE IF NOT EXISTS \"{FTS_TABLE}\" USING fts5(\"Content\", content='', "
    "tokenize='unicode61 remove_diacritics 2')",
    f'CREATE TABLE IF NOT EXISTS "{STASH_TABLE}" ("Key" INTEGER PRIMARY KEY, "Content" TEXT)',
)
TRIGGER_DDL = (
    # fires only when a row with the id is already there: a REPLACE (or IGNORE) to come
    f"""CREATE TRIGGER IF NOT EXISTS "{TRIGGERS[3]}" BEFORE INSERT ON "Messages" WHEN EXISTS
    (SELECT 1 FROM "Messages" WHERE "Id" = new."Id") BEGIN
    INSERT OR REPLACE INTO "{STASH_TABLE}" ("Key", "Content") SELECT k."Key", m."Content"
        FROM "{KEYS_TABLE}" k JOIN "Messages" m ON m."Id" = k."MessageId"
        WHERE k."MessageId" = new."Id";
END""",
    f"""CREATE TRIGGER IF NOT EXISTS "{TRIGGERS[0]}" AFTER INSERT ON "Messages" BEGIN
    {_FORGET_REPLACED}
    DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" = new."Id";
    {_ADD_NEW}
END""",
    f"""CREATE TRIGGER IF NOT EXISTS "{TRIGGERS[1]}" AFTER DELETE ON "Messages" BEGIN
    {_FORGET_OLD}
    DELETE FROM "{STASH_TABLE}" WHERE "Key" IN
        (SELECT "Key" FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id");
    DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id";
END""",
    f"""CREATE TRIGGER IF NOT EXISTS "{TRIGGERS[2]}" AFTER UPDATE OF "Id", "Content" ON "Messages"
BEGIN
    {_FORGET_OLD}
    DELETE FROM "{STASH_TABLE}" WHERE "Key" IN
        (SELECT "Key" FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id");
    DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" IN (old."Id", new."Id");
    {_ADD_NEW}
END""",
)
FTS_DDL = (*TABLE_DDL, *TRIGGER_DDL)

# Schema step 6: a session's messages may be indexed after they are committed. A restore or
# revert names its session in DEFERRED_TABLE inside its transaction; for that session the
# triggers then only forget (keys are removed, so an entry whose key is gone is never found
# again, and a search joins every match to its key) and add nothing; the index is completed
# afterwards in short transactions (`SearchService.fill_deferred`), resumably. A 300,000-message
# restore would otherwise hold the write lock for a minute tokenizing its text.
DEFERRED_TABLE = "desktop_fts_deferred"
LATER_TRIGGERS = ("desktop_messages_fts_insert_later", "desktop_messages_fts_delete_later")
_LATER = f'EXISTS (SELECT 1 FROM "{DEFERRED_TABLE}" d WHERE d."SessionId" = {{row}}."SessionId")'
# A statement that names the FTS table costs about 0.1 ms a row even when it changes nothing,
# so a deferred session's rows fire triggers that never name it (a REPLACE over a message that
# is in the index still forgets its old entry).
DEFERRING_DDL = (
    f'CREATE TABLE IF NOT EXISTS "{DEFERRED_TABLE}" ("SessionId" TEXT PRIMARY KEY)',
    f'DROP TRIGGER IF EXISTS "{TRIGGERS[0]}"',
    f'DROP TRIGGER IF EXISTS "{TRIGGERS[1]}"',
    f"""CREATE TRIGGER IF NOT EXISTS "{TRIGGERS[0]}" AFTER INSERT ON "Messages"
WHEN NOT {_LATER.format(row="new")} BEGIN
    {_FORGET_REPLACED}
    DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" = new."Id";
    {_ADD_NEW}
END""",
    f"""CREATE TRIGGER IF NOT EXISTS "{LATER_TRIGGERS[0]}" AFTER INSERT ON "Messages"
WHEN {_LATER.format(row="new")} AND EXISTS
    (SELECT 1 FROM "{KEYS_TABLE}" WHERE "MessageId" = new."Id") BEGIN
    {_FORGET_REPLACED}
    DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" = new."Id";
END""",
    f"""CREATE TRIGGER IF NOT EXISTS "{TRIGGERS[1]}" AFTER DELETE ON "Messages"
WHEN NOT {_LATER.format(row="old")} BEGIN
    {_FORGET_OLD}
    DELETE FROM "{STASH_TABLE}" WHERE "Key" IN
        (SELECT "Key" FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id");
    DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id";
END""",
    # the entry stays, its key goes: no search finds it again (searches join keys)
    f"""CREATE TRIGGER IF NOT EXISTS "{LATER_TRIGGERS[1]}" AFTER DELETE ON "Messages"
WHEN {_LATER.format(row="old")} BEGIN
    DELETE FROM "{STASH_TABLE}" WHERE "Key" IN
        (SELECT "Key" FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id");
    DELETE FROM "{KEYS_TABLE}" WHERE "MessageId" = old."Id";
END""",
)
# One chunk of completing a deferred session: its messages that have no key yet.
FILL_DEFERRED_KEYS_SQL = (
    f'INSERT INTO "{KEYS_TABLE}" ("MessageId") SELECT m."Id" FROM "Messages" m '
    f'WHERE m."SessionId" = $sid AND m.rowid > $after AND m.rowid <= $end AND NOT EXISTS '
    f'(SELECT 1 FROM "{KEYS_TABLE}" k WHERE k."MessageId" = m."Id")')

# Schema step 4: the index of steps up to 3 read its text through a view (see above).
REPLACE_LEGACY_DDL = (
    *(f'DROP TRIGGER IF EXISTS "{name}"' for name in TRIGGERS),
    f'DROP TABLE IF EXISTS "{FTS_TABLE}"',
    f'DROP VIEW IF EXISTS "{LEGACY_VIEW}"',
    f'DROP TABLE IF EXISTS "{KEYS_TABLE}"',
    f'DROP TABLE IF EXISTS "{STASH_TABLE}"',
    *FTS_DDL,
)

MISSING_SQL = (
    "SELECT count(*) FROM sqlite_master WHERE (type = 'trigger' AND tbl_name = 'Messages' "
    f"AND name IN ({', '.join(repr(n) for n in TRIGGERS)})) "
    f"OR (type = 'table' AND name IN ('{FTS_TABLE}', '{KEYS_TABLE}', '{STASH_TABLE}'))"
)
EXPECTED_OBJECTS = len(TRIGGERS) + 3


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
# Emptying the index: dropping and re-creating it is far cheaper than deleting every row.
CLEAR_SQL = (
    f'DROP TABLE IF EXISTS "{FTS_TABLE}"',
    TABLE_DDL[1],
    f'DELETE FROM "{KEYS_TABLE}"',
    f'DELETE FROM "{STASH_TABLE}"',
)
CLEAR_DEFERRED_SQL = f'DELETE FROM "{DEFERRED_TABLE}"'  # a full refill covers them
