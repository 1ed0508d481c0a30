"""What `make test` claims to cover: every interpreter requires-python allows and both bounds of
PySide6, through noxfile.py; CI runs exactly the README's command."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


@functools.cache
def _noxfile():
    path = os.environ["PATH"]  # the noxfile adds pyenv's folders to it
    spec = importlib.util.spec_from_file_location("noxfile_under_test", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    finally:
        os.environ["PATH"] = path
    return module


def test_the_sessions_cover_every_interpreter_requires_python_allows() -> None:
    low, high = re.search(r'requires-python = ">=3\.(\d+),<3\.(\d+)"', PYPROJECT).groups()
    allowed = [f"3.{minor}" for minor in range(int(low), int(high))]
    noxfile = _noxfile()
    assert list(noxfile.SUPPORTED) == allowed
    covered = {*noxfile.OTHERS, noxfile.QT_LOWEST_PYTHON, noxfile.MAIN}
    assert covered == set(allowed) | {noxfile.MAIN}


def test_the_lowest_qt_session_uses_the_claimed_lower_bound() -> None:
    claimed = re.search(r'"PySide6-Essentials>=([0-9.]+),', PYPROJECT).group(1)
    assert claimed == _noxfile().QT_LOWEST


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
    assert "make test " in (ROOT / "README.md").read_text(encoding="utf-8")
