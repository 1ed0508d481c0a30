"""Rotating backups made with SQLite's backup API, and restoring one into the live file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dotnet_files import SESSION_ID, table_dump
from orchestrator_desktop.data import DataError, connection, open_store
from orchestrator_desktop.data.backups import (
    KEEP,
    folder_for,
    is_due,
    list_backups,
    make_backup,
    restore,
    rotate,
)
from orchestrator_desktop.data.errors import DamagedDatabaseError, DatabaseLockedError
from orchestrator_desktop.data.schema import CONTRACT_TABLES

ALL_CONTRACT = (*CONTRACT_TABLES, "__EFMigrationsHistory")


def _names(path: Path) -> list[str]:
    with sqlite3.connect(path) as con:
        return [row[0] for row in con.execute('SELECT "Name" FROM "Sessions" ORDER BY "Name"')]


def test_a_backup_is_one_consistent_file_in_the_databases_own_folder(dotnet_store,
                                                                      tmp_path) -> None:
    root = tmp_path / "elsewhere"
    backup = make_backup(dotnet_store.path, root, "manual")
    assert backup.path.parent == folder_for(dotnet_store.path, root)
    assert backup.path.parent.name.startswith("dotnet-")
    assert [p.name for p in backup.path.parent.iterdir()] == [backup.path.name]
    with sqlite3.connect(backup.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert table_dump(backup.path, ALL_CONTRACT) == table_dump(dotnet_store.path, ALL_CONTRACT)
    assert list_backups(dotnet_store.path, root) == [backup]
    assert backup.description == "Made on request"


def test_backups_and_maintenance_work_where_sqlite3_names_no_result_codes(
        monkeypatch, dotnet_path, tmp_path) -> None:
    # Python 3.10's sqlite3 has no SQLITE_BUSY or SQLITE_LOCKED; its backup loop still reports
    # SQLite's numeric codes
    for name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        monkeypatch.delattr(sqlite3, name, raising=False)
    opened = open_store(dotnet_path)
    try:
        opened.run_maintenance()  # the first maintenance of a .NET file backs it up first
        backup = make_backup(opened.path, tmp_path / "backups", "manual")
    finally:
        opened.close()
    assert table_dump(backup.path, ALL_CONTRACT) == table_dump(dotnet_path, ALL_CONTRACT)


def test_the_result_codes_are_sqlites_own() -> None:
    if sys.version_info >= (3, 11):
        assert (connection.SQLITE_BUSY, connection.SQLITE_LOCKED) == (
            sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    assert (connection.SQLITE_BUSY, connection.SQLITE_LOCKED) == (5, 6)


def test_two_files_with_the_same_name_never_share_backups(tmp_path) -> None:
    root = tmp_path / "backups"
    first = open_store(tmp_path / "a" / "orchestrator.db")
    second = open_store(tmp_path / "b" / "orchestrator.db")
    make_backup(first.path, root)
    assert list_backups(second.path, root) == []
    assert folder_for(first.path, root) != folder_for(second.path, root)
    first.close()
    second.close()


def test_rotation_keeps_the_newest_of_each_kind(store, tmp_path) -> None:
    root = tmp_path / "backups"
    start = datetime(2026, 1, 1, 12, 0, 0)
    for day in range(KEEP["scheduled"] + 3):
        make_backup(store.path, root, "scheduled", now=start + timedelta(days=day))
    update = make_backup(store.path, root, "before-update", now=start)
    kept = list_backups(store.path, root)
    scheduled = [b for b in kept if b.reason == "scheduled"]
    assert len(scheduled) == KEEP["scheduled"]
    assert scheduled[0].created == start + timedelta(days=KEEP["scheduled"] + 2)
    assert scheduled[-1].created == start + timedelta(days=3)
    assert update in kept, "a scheduled backup never pushes out another kind"
    assert rotate(store.path, root) == []
    assert len(list(folder_for(store.path, root).iterdir())) == len(kept)


def test_backups_made_in_the_same_second_keep_distinct_names(store, tmp_path) -> None:
    now = datetime(2026, 5, 1, 9, 30, 0)
    made = [make_backup(store.path, tmp_path, "manual", now=now) for _ in range(3)]
    assert len({b.path for b in made}) == 3
    assert list_backups(store.path, tmp_path)[0] == made[-1]


def test_a_backup_is_due_once_a_day(store, tmp_path) -> None:
    assert is_due(store.path, tmp_path)
    made = make_backup(store.path, tmp_path)
    assert not is_due(store.path, tmp_path, now=made.created + timedelta(hours=23))
    assert is_due(store.path, tmp_path, now=made.created + timedelta(hours=24))


def test_restore_brings_back_the_contents_and_keeps_what_it_replaced(dotnet_store,
                                                                      tmp_path) -> None:
    root = tmp_path / "backups"
    before = table_dump(dotnet_store.path, ALL_CONTRACT)
    backup = make_backup(dotnet_store.path, root, "manual")
    dotnet_store.sessions.delete(SESSION_ID)
    after_delete = table_dump(dotnet_store.path, ALL_CONTRACT)
    path = dotnet_store.path
    dotnet_store.close()

    reports: list[tuple[str, float]] = []
    safety = restore(path, backup.path, root, lambda text, f: reports.append((text, f)))

    assert table_dump(path, ALL_CONTRACT) == before
    assert safety.reason == "before-restore"
    assert table_dump(safety.path, ALL_CONTRACT) == after_delete
    assert reports[-1] == ("Backup restored", 1.0)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reopened = open_store(path)
    assert reopened.sessions.get(SESSION_ID) is not None
    reopened.close()


def test_another_program_with_the_file_open_sees_the_restored_contents(store, tmp_path) -> None:
    root = tmp_path / "backups"
    store.sessions.create("Kept in the backup")
    backup = make_backup(store.path, root, "manual")
    store.sessions.create("Made after the backup")
    path = store.path
    store.close()
    other = sqlite3.connect(path)  # stays open across the restore, as the .NET app might
    assert len(other.execute('SELECT * FROM "Sessions"').fetchall()) == 2
    restore(path, backup.path, root)
    assert [r[0] for r in other.execute('SELECT "Name" FROM "Sessions"')] == [
        "Kept in the backup"]
    other.close()


@pytest.mark.parametrize("damage", ["text", "header"])
def test_a_damaged_backup_is_refused_and_the_file_left_alone(store, tmp_path, damage) -> None:
    root = tmp_path / "backups"
    backup = make_backup(store.path, root, "manual")
    raw = bytearray(backup.path.read_bytes())
    if damage == "text":
        backup.path.write_text("not a database")
    else:
        raw[100:4096] = b"\xff" * (4096 - 100)
        backup.path.write_bytes(bytes(raw))
    store.sessions.create("Current work")
    path = store.path
    store.close()
    before = table_dump(path, ALL_CONTRACT)
    with pytest.raises(DataError):
        restore(path, backup.path, root)
    assert table_dump(path, ALL_CONTRACT) == before
    assert [b.reason for b in list_backups(path, root)] == ["manual"], \
        "nothing was backed up or changed for a restore that could not start"


def test_restore_waits_for_a_writer_and_then_reports_a_locked_file(store, tmp_path,
                                                                   monkeypatch) -> None:
    root = tmp_path / "backups"
    backup = make_backup(store.path, root, "manual")
    store.sessions.create("Current work")
    path = store.path
    store.close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sqlite3, sys, time
        con = sqlite3.connect(sys.argv[1], isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        time.sleep(30)
    """), str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(connection, "BUSY_TIMEOUT_SECONDS", 0.5)
        with pytest.raises(DatabaseLockedError) as caught:
            restore(path, backup.path, root)
        assert "another program" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
    assert _names(path) == ["Current work"]


def test_restoring_the_oldest_backup_of_its_kind_never_rotates_it_away(store, tmp_path) -> None:
    root = tmp_path / "backups"
    store.sessions.create("In the oldest")
    start = datetime(2026, 2, 1, 8, 0, 0)
    oldest = make_backup(store.path, root, "before-restore", now=start)
    store.sessions.create("Later")
    for hour in range(1, KEEP["before-restore"]):
        make_backup(store.path, root, "before-restore", now=start + timedelta(hours=hour))
    path = store.path
    store.close()
    restore(path, oldest.path, root)  # its own safety backup makes one too many of the kind
    assert _names(path) == ["In the oldest"]
    assert oldest.path.exists()


def test_a_damaged_file_is_kept_aside_and_replaced_by_the_backup(store, tmp_path) -> None:
    root = tmp_path / "backups"
    store.sessions.create("Sound once")
    backup = make_backup(store.path, root, "manual")
    path = store.path
    store.close()
    damaged = bytearray(path.read_bytes())
    damaged[16:18] = b"\x00\x07"  # an impossible page size: SQLite cannot read it at all
    path.write_bytes(bytes(damaged))
    Path(f"{path}-wal").write_bytes(b"a stale log that must not be replayed")
    with pytest.raises(DamagedDatabaseError):
        open_store(path)

    kept = restore(path, backup.path, root)

    assert kept.reason == "damaged" and kept.path.suffix == ".bak"
    assert kept.path.read_bytes() == bytes(damaged), "the damaged file is kept byte for byte"
    assert Path(f"{kept.path}-wal").read_bytes() == b"a stale log that must not be replayed"
    assert not Path(f"{path}-wal").exists()
    assert _names(path) == ["Sound once"]
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert kept.path not in [b.path for b in list_backups(path, root)], \
        "a damaged copy is never offered for restoring"
