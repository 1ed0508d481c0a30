"""Killing a real process in the middle of a write, for the crash tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = [sys.executable, "-m", "orchestrator_desktop"]
"""The application as a process: its command line, or its window given no command."""


def kill_when(path: Path, script: str, marker: str, *args: str, wal: bool = True) -> list[str]:
    """Run `script` (given `path` and `args`) until it prints `marker` with its write
    transaction open and spilled into the WAL (unless `wal` is False: killed before it writes),
    SIGKILL it, and return what it printed before."""
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), str(path),
                                *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
    watchdog = threading.Timer(90, process.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line.strip())
            if line.strip() == marker:
                break
        assert lines and lines[-1] == marker, process.stderr.read()
        log = Path(f"{path}-wal")
        assert not wal or (log.exists() and log.stat().st_size > 0)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        watchdog.cancel()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    return lines[:-1]
