"""The log file: written from the start, rotated once the window is up (logsetup)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from orchestrator_desktop import logsetup


@pytest.fixture
def log_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    yield tmp_path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_orchestrator", False)]:
        root.removeHandler(handler)
        handler.close()


def test_a_launch_logs_at_once_and_rotates_the_file_once_shown(log_home: Path,
                                                               monkeypatch) -> None:
    monkeypatch.setattr(logsetup, "MAX_BYTES", 1_000)
    path = logsetup.configure(rotate=False)
    assert path is not None and path.is_relative_to(log_home)
    path.write_text("x" * 5_000 + "\n")  # a big log left by earlier launches
    logging.getLogger("test").info("before the window is shown")
    assert "before the window is shown" in path.read_text()
    assert not path.with_name(path.name + ".1").exists()  # not rotated yet
    logsetup.rotate_file()
    logging.getLogger("test").info("after it")
    old = path.with_name(path.name + ".1")
    assert old.exists() and "before the window is shown" in old.read_text()
    assert "after it" in path.read_text() and "before" not in path.read_text()
    logsetup.rotate_file()  # a second call changes nothing
    assert sum(getattr(h, "_orchestrator", False) for h in logging.getLogger().handlers) == 1


def test_an_unwritable_log_folder_logs_nowhere_without_failing(log_home: Path) -> None:
    (log_home / "OrchestratorChat").write_text("a file where the folder should be")
    assert logsetup.configure(rotate=False) is None
    logging.getLogger("test").info("goes nowhere")
    logsetup.rotate_file()
