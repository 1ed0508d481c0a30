"""Read-only files and folders open read-only: browsing and search work, editing controls
are disabled with the reason, and nothing is written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from dotnet_files import MESSAGE_IDS, SESSION_ID, make_dotnet_database
from gui_helpers import open_window, select_session
from orchestrator_desktop import paths
from orchestrator_desktop.data.backups import list_backups


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.mark.parametrize(("locked", "wal", "reason"), [
    ("file", False, "The file is read-only."),
    ("folder", False, "The folder holding the file is read-only."),
    ("folder", True, "The folder holding the file is read-only."),  # no room for its -shm
])
def test_read_only_file_or_folder_is_browsable_and_searchable(qtbot, tmp_path, locked, wal,
                                                              reason) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = make_dotnet_database(folder / "orchestrator.db", wal=wal)
    for leftover in folder.glob("*-*"):  # a WAL file whose writer closed cleanly
        leftover.unlink()
    before = _fingerprint(folder)
    target = path if locked == "file" else folder
    target.chmod(0o444 if locked == "file" else 0o555)
    try:
        window = open_window(qtbot, path, tmp_path)
        select_session(qtbot, window, SESSION_ID)
        assert window.thread_model.rowCount() == 5
        assert window.read_only_label.text() == "Read-only"
        assert window.read_only_label.toolTip() == reason
        for action in (window.rename_action, window.delete_action, window.snapshot_action,
                       window.care.restore_action):
            assert not action.isEnabled() and action.toolTip() == reason
        window.find_action.trigger()
        qtbot.keyClicks(window.search.query, "tokenizer")
        qtbot.waitUntil(lambda: window.search.model.rowCount() == 2, timeout=5000)
        assert {window.search.model.hit(r).message_id for r in range(2)} == set(MESSAGE_IDS[:2])
        window.close()
    finally:
        target.chmod(0o644 if locked == "file" else 0o755)
    assert _fingerprint(folder) == before, "not a byte written, no file added"
    assert list_backups(path, paths.backup_dir()) == []
