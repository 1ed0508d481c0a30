"""The test harness itself: an unexpected modal dialog or a stuck test fails that test and the
run goes on; the run leaves no temporary folder behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from orchestrator_desktop.gui import dialogs
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

ROOT = Path(__file__).resolve().parents[1]


def _message_box() -> None:
    QMessageBox(QMessageBox.Icon.Warning, "Box title", "Box text").exec()


def _plain_dialog() -> None:
    dialog = QDialog()
    dialog.setWindowTitle("Dialog title")
    dialog.exec()


@pytest.mark.timeout(30)  # without the guard each of these waits for a person for ever
@pytest.mark.parametrize(("opens", "says"), [
    (lambda: dialogs.show_error(None, "Cannot open", "The file is locked"),
     "dialogs.show_error(): 'Cannot open' | 'The file is locked'"),
    (lambda: dialogs.confirm(None, "Delete?", "Delete 3 sessions"), "'Delete 3 sessions'"),
    (lambda: dialogs.report_failure(None, RuntimeError("x"), "Backup failed"), "Backup failed"),
    (lambda: QMessageBox.warning(None, "Warned", "Careful"), "QMessageBox.warning(): 'Warned'"),
    (_message_box, "QDialog.exec(): 'Box title' | 'Box text'"),
    (_plain_dialog, "QDialog.exec(): 'Dialog title'"),
    (lambda: QFileDialog.getOpenFileName(None, "Pick a file", "", "*.db"), "'Pick a file'"),
    (lambda: QInputDialog.getText(None, "Name it", "Name:"), "'Name it' | 'Name:'"),
], ids=["show_error", "confirm", "report_failure", "warning", "box exec", "dialog exec",
        "file dialog", "input dialog"])
def test_an_unexpected_modal_dialog_fails_the_test_at_once_naming_it(qapp, opens, says) -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        opens()
    assert says in str(failure.value)
    assert "unexpected modal dialog" in str(failure.value)


def test_a_test_that_expects_a_dialog_answers_it_itself(monkeypatch) -> None:
    monkeypatch.setattr(dialogs, "confirm", lambda _parent, _title, _text, action="": True)
    assert dialogs.confirm(None, "Delete?", "Delete it") is True


INNER_TESTS = '''
import time

import pytest
from PySide6.QtCore import QTimer

from orchestrator_desktop.gui import dialogs


def test_a_dialog_from_the_event_loop(qtbot):
    QTimer.singleShot(0, lambda: dialogs.show_error(None, "From a slot", "Nobody answers"))
    qtbot.wait(300)


@pytest.mark.timeout(2)
def test_stuck():
    time.sleep(120)


def test_after_them():
    assert True
'''


def test_a_stuck_test_or_dialog_fails_alone_and_nothing_is_left_behind(tmp_path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER_TESTS, encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
         "--basetemp", str(tmp_path / "base"), str(tmp_path / "test_inner.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "2 failed, 1 passed" in out.splitlines()[-1], out
    assert "dialogs.show_error(): 'From a slot' | 'Nobody answers'" in out
    assert "Timeout" in out
    assert list(temp.iterdir()) == []  # the shared folder made by conftest.py is gone
