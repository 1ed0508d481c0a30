"""Window benchmarks: launch time and memory against a bare PySide6 window, and scrolling.

    .venv/bin/python -m benchmarks.gui [--size full|small] [--repeat 5]

Each launch is a fresh process (the parent times from start to the child's "ready" line);
the bare floor is a process that imports PySide6, shows an empty QWidget and reports. Memory
is the child's peak resident set (VmHWM on Linux, ru_maxrss elsewhere) at that moment.
Scrolling opens the biggest session and scrolls the thread to its end, sampling resident
memory as it goes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orchestrator_desktop.data import open_store

from benchmarks import generate as gen
from benchmarks.run import cached_database, default_cache_dir

ROOT = Path(__file__).resolve().parents[1]

# The child's own peak resident set in KiB: VmHWM where /proc has it. ru_maxrss is not that on
# Linux: it keeps the peak of the image before exec, a fork of this (big) benchmark process.
PEAK = """
def peak_kib():
    try:
        with open("/proc/self/status") as status:
            return int(next(line for line in status if line.startswith("VmHWM")).split()[1])
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

BARE = PEAK + """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
w = QWidget(); w.resize(1400, 860); w.show()
def poll():
    if w.isVisible():
        print("READY", peak_kib(), flush=True)
        app.quit()
t = QTimer(); t.timeout.connect(poll); t.start(5)
app.exec()
"""

# A reference, not the application: the least a window showing the file's sessions does (the
# same menus' titles, a filter field, a table of the 60 most recent sessions read with plain
# sqlite3, a status bar), with no application code. It tells how much of the distance from the
# bare window any such window has to go.
MINIMAL = PEAK + """
import sqlite3, sys
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (QApplication, QLineEdit, QMainWindow, QSplitter, QTableView,
                               QVBoxLayout, QWidget)
app = QApplication(sys.argv[:1])
COLUMNS = ("Name", "Status", "Type", "Project", "Last activity")
class Sessions(QAbstractTableModel):
    def __init__(self, rows):
        super().__init__()
        self.rows = rows
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)
    def columnCount(self, parent=QModelIndex()):
        return len(COLUMNS)
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return str(self.rows[index.row()][index.column()] or "")
        return None
    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None
w = QMainWindow(); w.resize(1440, 860)
for title in ("&File", "&Edit", "&View", "&Session", "&Agents", "&Help"):
    w.menuBar().addMenu(title)
left = QWidget(); box = QVBoxLayout(left); box.addWidget(QLineEdit()); table = QTableView()
box.addWidget(table)
split = QSplitter(); split.addWidget(left); split.addWidget(QWidget()); split.addWidget(QWidget())
w.setCentralWidget(split); w.statusBar().showMessage("Opening…")
w.show()
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
table.setModel(Sessions(con.execute(
    'SELECT "Name", "Status", "Type", "ProjectId", "LastActivityAt" FROM "Sessions" '
    'ORDER BY "LastActivityAt" DESC, "Id" DESC LIMIT 60').fetchall()))
def poll():
    if w.isVisible():
        app.processEvents()
        print("READY", peak_kib(), flush=True)
        app.quit()
t = QTimer(); t.timeout.connect(poll); t.start(5)
app.exec()
"""

APP = """
import time; T0 = time.perf_counter()
""" + PEAK + """
import sys
from orchestrator_desktop.gui import application
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
rss = peak_kib
state = {}
show_first = application.show_first
def shown(window, path):
    show_first(window, path)
    state["paint_rss"] = rss()
application.show_first = shown
preview = application.preview_first_page
def previewed(window, path):
    shown = preview(window, path)
    if shown:  # the rows are painted: what the person sees
        print("PAINTED", flush=True)
        state["painted"] = True
    return shown
application.preview_first_page = previewed
open_at_start = application.open_at_start
def opened(window, path):
    ok = open_at_start(window, path)
    def poll():
        if window.sessions.rowCount() > 0 and not window.sessions.is_loading:
            timer.stop()
            QApplication.processEvents()  # paint the page
            application.mark("first page painted")
            if not state.get("painted"):
                print("PAINTED", flush=True)
            for name, t in application.STARTUP_MARKS:
                print("MARK", f"{1000 * (t - T0):.2f}", name)
            print("READY", rss(), state["paint_rss"], flush=True)
            QApplication.quit()
    timer = QTimer(window); timer.timeout.connect(poll); timer.start(2)
    return ok
application.open_at_start = opened
sys.exit(application.run(sys.argv[1:2]))
"""

# the steps `run()` marks (desktop/gui/application.py), in order; "sessions shown" only when
# the preview read before the store opens could paint them
PARTS = ("application created", "window modules imported", "window built", "first paint",
         "sessions shown", "window completed", "file opened", "first page painted")

SCROLL = """
import sys, time
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from orchestrator_desktop.gui.application import create_application
from orchestrator_desktop.gui.main_window import MainWindow
create_application()
page = __import__("os").sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * page / 2**20
w = MainWindow(QSettings(sys.argv[2], QSettings.Format.IniFormat))
w.resize(1400, 860); w.open_file(sys.argv[1], create=False); w.show()
limit = int(sys.argv[4])
state = {"start": None, "peak": 0.0}
def step():
    m = w.thread_model
    if w.sessions.rowCount() and m.session_id != sys.argv[3]:
        m.show_session(sys.argv[3]); return
    if m.session_id != sys.argv[3] or not m.rowCount():
        return
    if state["start"] is None:
        state["start"] = rss(); state["t"] = time.perf_counter()
    state["peak"] = max(state["peak"], rss())
    last = m.message(m.rowCount() - 1).sequence_number
    if (not m.has_after and not m.is_loading) or last >= limit:
        print("DONE", state["start"], state["peak"], rss(), last,
              time.perf_counter() - state["t"], flush=True)
        app.quit(); return
    w.thread.list.scrollToBottom()
t = QTimer(); t.timeout.connect(step); t.start(1)
app.exec()
"""


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               PYTHONPYCACHEPREFIX=str(home / "pycache"))  # compiled once, as when installed
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        env[name] = str(home / name.lower())
    return env


class Launch(tuple):
    """(seconds until the first sessions are painted, peak RSS MB when the store's first page
    is in) and, for the app, the seconds until then (`ready`), its marks (ms from the
    script's first line, by step) and the peak RSS at first paint."""

    ready: float = 0.0
    marks: dict[str, float] = {}
    paint_mb: float = 0.0


def launch(script: str, args: list[str], home: Path) -> Launch:
    """Seconds from process start to its PAINTED line (its READY line when it prints none),
    and its peak RSS at READY (MB); for the application also the milliseconds at each of
    `PARTS` and the peak RSS at first paint."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=_env(home), cwd=ROOT)
    marks: dict[str, float] = {}
    painted = None
    try:
        for line in child.stdout:  # type: ignore[union-attr]
            if line.startswith("PAINTED") and painted is None:
                painted = time.perf_counter() - start
            if line.startswith("MARK "):
                _, at, name = line.rstrip("\n").split(" ", 2)
                marks[name] = float(at)
            if line.startswith("READY"):
                words = line.split()
                ready = time.perf_counter() - start
                result = Launch((ready if painted is None else painted,
                                 int(words[1]) / 1024))
                result.ready, result.marks = ready, marks
                result.paint_mb = int(words[2]) / 1024 if len(words) > 2 else 0.0
                return result
        raise RuntimeError("the child ended without showing its window")
    finally:
        child.kill()
        child.wait()


def biggest_session(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute('SELECT "SessionId" FROM "Messages" GROUP BY "SessionId" '
                           'ORDER BY count(*) DESC LIMIT 1').fetchone()[0]
    finally:
        con.close()


def print_parts(runs: list[Launch], bare_t: float) -> None:
    """Where a launch's time goes: medians of each step's share, from the process's start."""
    med = statistics.median
    parts = [part for part in PARTS if all(part in r.marks for r in runs)]
    if not runs or "first page painted" not in parts:
        return
    print()
    print("| launch, by part (medians) | from the previous step | from the start |")
    print("|---|---:|---:|")
    # from process start to the script's first line: the interpreter, site, the venv
    python = med(r.ready * 1000 - r.marks["first page painted"] for r in runs)
    print(f"| Python starts (interpreter, site) | {python:,.0f} ms | {python:,.0f} ms |")
    for n, part in enumerate(parts):
        at = med(r.marks[part] for r in runs)
        step = med(r.marks[part] - (r.marks[parts[n - 1]] if n else 0.0) for r in runs)
        print(f"| {part} | {step:,.0f} ms | {python + at:,.0f} ms |")
    print(f"| (measured outside: sessions painted {med(r[0] for r in runs) * 1000:,.0f} ms, "
          f"the store's first page in {med(r.ready for r in runs) * 1000:,.0f} ms; bare "
          f"window {bare_t * 1000:,.0f} ms) | | |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gui", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=("small", "full"), default="full")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scroll-messages", type=int, default=100_000,
                        help="scroll the biggest thread this far (0: launches only)")
    args = parser.parse_args(argv)
    source, _ = cached_database(args.size, 8, default_cache_dir(),
                                lambda text: print(text, file=sys.stderr))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = folder / "big.db"
        shutil.copyfile(source, big)
        small = folder / "small.db"
        gen.generate(small, sessions=50, messages=500, big_session=100, snapshot_session=50)
        session = biggest_session(big)
        bare, minimal, first, small_runs, runs = [], [], [], [], []
        first.append(launch(APP, [str(big), str(folder / "s0.ini")], folder))
        # later launches are on a file the application has opened before: its indexes and
        # search index made, so no maintenance competes with the launch being measured
        print("maintaining the copy (indexes, search index)", file=sys.stderr)
        for prepared in (big, small):
            store = open_store(prepared)
            try:
                store.run_maintenance()
            finally:
                store.close()
        for n in range(args.repeat):
            bare.append(launch(BARE, [], folder))
            minimal.append(launch(MINIMAL, [str(big)], folder))
            runs.append(launch(APP, [str(big), str(folder / f"s{n}.ini")], folder))
            small_runs.append(launch(APP, [str(small), str(folder / f"t{n}.ini")], folder))
        done: list[str] = []
        if args.scroll_messages:
            out = subprocess.run([sys.executable, "-c", SCROLL, str(big), str(folder / "x.ini"),
                                  session, str(args.scroll_messages)], capture_output=True,
                                 text=True, env=_env(folder), cwd=ROOT, timeout=3600)
            done = [line for line in out.stdout.splitlines() if line.startswith("DONE")]
    med = statistics.median
    bare_t, bare_m = med(t for t, _ in bare), med(m for _, m in bare)
    app_t, app_m = med(t for t, _ in runs), med(m for _, m in runs)
    small_t = med(t for t, _ in small_runs)
    print("| measurement | app | bare PySide6 window | ratio | goal | met? |")
    print("|---|---:|---:|---:|---|---|")
    count = sqlite3.connect(source).execute('SELECT count(*) FROM "Messages"').fetchone()[0]
    print(f"| launch to a populated main window, {count:,}-message file (opened before) | "
          f"{app_t * 1000:,.0f} ms | "
          f"{bare_t * 1000:,.0f} ms | {app_t / bare_t:.2f}x | ≤ 1.5x | "
          f"{'yes' if app_t <= 1.5 * bare_t else '**no**'} |")
    print(f"| the same, very first launch on that file (before its maintenance: no app "
          f"indexes yet; the launch starts it) | "
          f"{first[0][0] * 1000:,.0f} ms | | | — (info) | — |")
    print(f"| the same, a 500-message database | {small_t * 1000:,.0f} ms | | | — (info) | — |")
    least_t, least_m = med(t for t, _ in minimal), med(m for _, m in minimal)
    print(f"| (reference) the least such window: menus, a table of 60 sessions read with "
          f"sqlite3, no application code | {least_t * 1000:,.0f} ms | {bare_t * 1000:,.0f} ms "
          f"| {least_t / bare_t:.2f}x | — (info) | — |")
    print(f"| peak memory at that point | {app_m:,.0f} MB | {bare_m:,.0f} MB | "
          f"{app_m / bare_m:.2f}x | ≤ 1.3x | {'yes' if app_m <= 1.3 * bare_m else '**no**'} |")
    print(f"| (reference) the least such window's peak memory | {least_m:,.0f} MB | "
          f"{bare_m:,.0f} MB | {least_m / bare_m:.2f}x | — (info) | — |")
    paint = med(r.paint_mb for r in runs)
    print(f"| peak memory at the first paint (before the file is opened) | {paint:,.0f} MB | "
          f"{bare_m:,.0f} MB | {paint / bare_m:.2f}x | — (info) | — |")
    print_parts(runs, bare_t)
    if done:
        _, start, peak, end, last, seconds = done[0].split()
        growth = float(peak) - float(start)
        print(f"| scrolling the thread to message {int(last):,} of the biggest session "
              f"({float(seconds):.0f} s) | +{growth:.0f} MB resident "
              f"({float(start):.0f} → peak {float(peak):.0f} MB) | | | < 50 MB | "
              f"{'yes' if growth < 50 else '**no**'} |")
    elif args.scroll_messages:
        print(f"| scrolling | failed: {out.stderr[-300:]!r} | | | < 50 MB | **no** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
