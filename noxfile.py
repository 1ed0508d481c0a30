"""The other supported interpreters and the lowest supported Qt, run by `make test` after the
whole suite has passed on the main interpreter (the one `make` builds .venv with).

Each session installs the application with its test extras into its own virtualenv under
.nox/ (pip's wheel cache makes the second run an offline one) and runs the tests marked
`portable` (see tests/conftest.py): the data layer, the command line, the Qt binding checks
and one launch of the window; the lowest Qt also runs the window's tests (`widgets`). pytest's
header names the Python and PySide6 of each session. Sessions for interpreters this machine
lacks are skipped; pyenv's interpreters are found without being activated.
"""

from __future__ import annotations

import glob
import os
import re
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")

SUPPORTED = ("3.10", "3.11", "3.12", "3.13", "3.14")
"""Every minor version in requires-python (tests/test_matrix.py checks)."""
_bound = re.search(r'"PySide6-Essentials>=([0-9.]+),<([0-9.]+)"', PYPROJECT)
assert _bound, "pyproject.toml names no PySide6-Essentials bounds"
QT_LOWEST = _bound.group(1)
QT_LOWEST_PYTHON = SUPPORTED[0]
"""The oldest Python with the oldest Qt: that session covers this interpreter too."""

MAIN = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHERS = [version for version in SUPPORTED if version not in (MAIN, QT_LOWEST_PYTHON)]
"""The main interpreter has run the whole suite already, with the newest Qt allowed."""

nox.options.sessions = ["portable", "qt_lowest"]
nox.options.reuse_venv = "yes"  # reused, but installed into again: a changed pyproject counts
nox.options.error_on_missing_interpreters = False  # test what this machine has


def _pyenv_interpreters() -> None:
    """Put pyenv's interpreters on PATH: its shims run only the active version."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    folders = []
    for version in SUPPORTED:
        found = [path for path in glob.glob(os.path.join(root, "versions", f"{version}.*", "bin"))
                 if re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", Path(path).parent.name)]
        found.sort(key=lambda path: [int(part) for part in
                                     re.findall(r"\d+", Path(path).parent.name)], reverse=True)
        folders += found[:1]
    os.environ["PATH"] = os.pathsep.join([*folders, os.environ.get("PATH", "")])


_pyenv_interpreters()


def _run_tests(session: nox.Session, markers: str) -> None:
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "-n", "auto", "--dist",
                "loadfile", "-m", markers, *session.posargs)


@nox.session(python=OTHERS)
def portable(session: nox.Session) -> None:
    """The portable tests on another interpreter, with the newest Qt allowed."""
    session.install("-e", ".[test]")
    _run_tests(session, "portable")


@nox.session(python=QT_LOWEST_PYTHON)
def qt_lowest(session: nox.Session) -> None:
    """The portable tests and the window's, with the lowest PySide6 the project claims, on the
    lowest Python."""
    session.install("-e", ".[test]", f"PySide6-Essentials=={QT_LOWEST}")
    _run_tests(session, "portable or widgets")
