"""The real entry point, as a person starts it: a process that shows the window and exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dotnet_files import make_dotnet_database
from processes import APP

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from orchestrator_desktop.app import main

def check():
    windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    title = windows[0].windowTitle() if windows else ""
    waited.append(title)
    if ".db" not in title and len(waited) < 100:
        return  # the file is still opening (an event loop turns meanwhile): up to 20 s
    poll.stop()
    print("TITLE", title, flush=True)
    # quit() is ignored until the application's own loop runs (after the file is open)
    ending.start(100)

app = QApplication(sys.argv[:1])  # the entry point adopts it
waited = []
poll, ending = QTimer(app), QTimer(app)
poll.timeout.connect(check)
ending.timeout.connect(QApplication.quit)
poll.start(200)
sys.exit(main(sys.argv[1:]))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        env[name] = str(tmp_path / name.lower())
    env.pop("ORCHESTRATOR_DESKTOP_DB", None)
    return env


def test_first_run_creates_and_seeds_the_default_database(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=_env(tmp_path),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "TITLE orchestrator.db" in out.stdout
    default = tmp_path / "xdg_data_home" / "OrchestratorChat" / "orchestrator-desktop"
    assert (default / "orchestrator.db").is_file()
    logs = tmp_path / "xdg_state_home" / "OrchestratorChat" / "orchestrator-desktop" / "log"
    assert "starting OrchestratorChat Desktop" in (logs / "orchestrator-desktop.log").read_text()
    assert "Traceback" not in out.stderr


def test_a_file_given_on_the_command_line_is_opened(tmp_path) -> None:
    path = make_dotnet_database(tmp_path / "team.db")
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], cwd=ROOT,
                         env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "TITLE team.db" in out.stdout


def test_without_a_display_it_says_so_instead_of_crashing(tmp_path) -> None:
    """Over SSH (no DISPLAY, no WAYLAND_DISPLAY) Qt would abort with a core dump."""
    if sys.platform in ("win32", "darwin"):
        return  # there is always a display there
    env = _env(tmp_path)
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    done = subprocess.run(APP, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "There is no display to open the window on" in done.stderr
    assert "orchestrator-desktop --help" in done.stderr
    assert "Traceback" not in done.stderr
    logs = list((tmp_path / "xdg_state_home").rglob("*.log"))
    assert logs and "no display" in logs[0].read_text()
