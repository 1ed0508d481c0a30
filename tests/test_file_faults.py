"""The file changing identity, a full disk, a read-only mount someone else writes through, two
backups at once: each caused for real (a real rename by another process, a real tmpfs, real
processes racing), and what lands in the files and on screen checked."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dotnet_files import SESSION_ID, add_messages, make_dotnet_database, query
from gui_helpers import open_window
from orchestrator_desktop.data import DiskFullError, FileReplacedError, open_store
from orchestrator_desktop.data.backups import list_backups, make_backup
from orchestrator_desktop.gui import dialogs
from processes import APP

ROOT = Path(__file__).resolve().parents[1]
CLI = APP

REPLACER = textwrap.dedent("""
    import os, shutil, sqlite3, sys
    path, how = sys.argv[1], sys.argv[2]
    if how == "delete":
        os.remove(path)
    else:
        # another program writes a new file and renames it over the open one, as editors,
        # sync tools and "save as" do
        new = path + ".new"
        con = sqlite3.connect(new)
        src = sqlite3.connect(path)
        src.backup(con)
        src.close()
        con.execute('UPDATE "Sessions" SET "Name" = ? WHERE "Id" = ?', ("From the new file",
                                                                       sys.argv[3]))
        con.commit()
        con.close()
        os.replace(new, path)
    print("done")
""")


def _replace(path: Path, how: str = "rename") -> None:
    done = subprocess.run([sys.executable, "-c", REPLACER, str(path), how, SESSION_ID],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the open file replaced, moved or deleted ------------------------------------------------

def test_a_store_stops_writing_once_its_file_is_replaced(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    store = open_store(path)
    try:
        store.sessions.update(SESSION_ID, name="Written before")  # leaves frames in the -wal
        _replace(path)
        with pytest.raises(FileReplacedError, match="replaced by another file"):
            store.sessions.update(SESSION_ID, name="Written after")
        assert store.read_only and "replaced" in store.read_only_reason
        with pytest.raises(FileReplacedError):
            store.snapshots.create(SESSION_ID, "after the rename")
    finally:
        store.close()
    # the new file is whole and holds only its own change
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, 'SELECT "Name" FROM "Sessions" WHERE "Id" = ?', SESSION_ID) == [
        ("From the new file",)]
    assert query(path, 'SELECT count(*) FROM "SessionSnapshots" WHERE "Name" = ?',
                 "after the rename") == [(0,)]


def test_a_deleted_file_is_noticed_before_the_next_write(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    store = open_store(path)
    try:
        _replace(path, "delete")
        assert "moved or deleted" in (store.check_file() or "")
        with pytest.raises(FileReplacedError):
            store.sessions.update(SESSION_ID, name="Into the void")
    finally:
        store.close()
    assert not path.exists()


def test_the_window_says_the_file_was_replaced_and_stops_editing(qtbot, tmp_path,
                                                                 monkeypatch) -> None:
    shown = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, title, text: shown.append((title,
                                                                                     text)))
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    window = open_window(qtbot, path, tmp_path)
    qtbot.waitUntil(lambda: not window.maintenance.busy, timeout=15000)
    _replace(path)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)  # by the next poll, unasked
    [(title, text)] = shown
    assert title == "The file was replaced"
    assert "Nothing more is written to either file" in text
    assert window.read_only_label.text() == "Read-only: file replaced"
    assert not window.rename_action.isEnabled() and not window.delete_action.isEnabled()
    window.close()
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, 'SELECT "Name" FROM "Sessions" WHERE "Id" = ?', SESSION_ID) == [
        ("From the new file",)]


# -- read-only is not immutable --------------------------------------------------------------

def test_a_rollback_journal_file_in_a_read_only_folder_shows_other_writers(tmp_path) -> None:
    folder = tmp_path / "mount"
    folder.mkdir()
    path = make_dotnet_database(folder / "orchestrator.db", wal=False)
    folder.chmod(0o555)
    try:
        store = open_store(path)
        try:
            assert store.read_only
            before = store.counts()["messages"]
            # someone else writes the same file by another path (root ignores the mode bits,
            # as a writer through a bind mount or a share would)
            add_messages(path, SESSION_ID, 398, first_sequence=100)
            assert store.counts()["messages"] == before + 398
        finally:
            store.close()
    finally:
        folder.chmod(0o755)


# -- a full disk -----------------------------------------------------------------------------

@pytest.fixture
def full_disk(tmp_path):
    """A real 3 MB tmpfs holding a database, then filled to within 96 KB."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        path = make_dotnet_database(mount / "orchestrator.db", wal=True)
        add_messages(path, SESSION_ID, 1, first_sequence=50, text="big " * 100_000)
        store = open_store(path)
        store.run_maintenance(backup_dir=tmp_path / "backups")
        store.close()
        con = sqlite3.connect(path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError:
            pass  # no space left on device: the disk is full
        finally:
            os.close(filler)
        # room for SQLite's shared-memory file (which any reader of a WAL file needs), not
        # for any real write
        size = (mount / "filler").stat().st_size
        os.truncate(mount / "filler", max(size - 96 * 1024, 0))
        yield path
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_told_in_words_and_harms_nothing(full_disk, tmp_path) -> None:
    before = query(full_disk, 'SELECT count(*) FROM "SessionSnapshots"')
    store = open_store(full_disk)
    try:
        with pytest.raises(DiskFullError, match="no room left on the disk"):
            store.snapshots.create(SESSION_ID, "the big message does not fit")
    finally:
        store.close()
    assert query(full_disk, "PRAGMA integrity_check") == [("ok",)]
    assert query(full_disk, 'SELECT count(*) FROM "SessionSnapshots"') == before
    env = {**os.environ, "ORCHESTRATOR_DESKTOP_DB": str(full_disk)}
    for command in (["snapshot", "create", SESSION_ID, "--name", "from the command line"],
                    ["db", "backup", str(full_disk.parent / "copy.db")]):
        done = subprocess.run([*CLI, "--db", str(full_disk), *command], capture_output=True,
                              text=True, cwd=ROOT, env=env, timeout=120)
        assert done.returncode == 1, (command, done.stderr)
        assert "no room left on the disk" in done.stderr
        assert "unexpected" not in done.stderr.lower()
    assert not list(full_disk.parent.glob("copy.db*"))  # no half-written copy left behind
    assert query(full_disk, "PRAGMA integrity_check") == [("ok",)]


# -- two backups at once ---------------------------------------------------------------------

BACKUP_RACER = textwrap.dedent("""
    import sys
    from datetime import datetime
    from pathlib import Path
    from orchestrator_desktop.data.backups import make_backup
    when = datetime(2026, 12, 1, 12, 0, 0)
    for _ in range(int(sys.argv[3])):
        make_backup(Path(sys.argv[1]), Path(sys.argv[2]), "manual", now=when)
    print("ok")
""")


def test_backups_made_in_the_same_second_by_two_processes_never_collide(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    root = tmp_path / "backups"
    racers = [subprocess.Popen([sys.executable, "-c", BACKUP_RACER, str(path), str(root), "6"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT) for _ in range(3)]
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0 and out.strip() == "ok", err
    made = list_backups(path, root)
    assert made  # rotation keeps the newest few; every one left is whole
    for backup in made:
        assert query(backup.path, "PRAGMA integrity_check") == [("ok",)]
    folder = made[0].path.parent
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial")]


def test_a_backup_taken_while_another_runs_gets_its_own_name(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "orchestrator.db")
    root = tmp_path / "backups"
    from datetime import datetime

    when = datetime(2026, 12, 1, 12, 0, 0)
    first = make_backup(path, root, "manual", now=when)
    second = make_backup(path, root, "manual", now=when)
    assert first.path != second.path and first.path.exists() and second.path.exists()
    assert _digest(first.path) == _digest(second.path)
    shutil.rmtree(root)
