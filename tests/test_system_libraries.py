"""The system libraries Qt needs on Linux, which pip cannot install: every one the offscreen
platform needs is found, and every one the X11 platform lacks here is named in the README."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None,
    reason="ldd and Qt's shared system libraries are a Linux matter")


def _pyside() -> Path:
    import PySide6

    return Path(PySide6.__file__).resolve().parent


def _missing(paths: list[Path]) -> dict[str, list[str]]:
    """For each file, the libraries ldd cannot find."""
    missing = {}
    for path in paths:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        names = sorted({line.split()[0] for line in out.stdout.splitlines()
                        if "not found" in line})
        if names:
            missing[path.name] = names
    return missing


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(title)
    return text[start:text.index("\n## ", start + 1)]


def test_every_library_qt_needs_offscreen_is_installed() -> None:
    root = _pyside()
    # the Python modules the application imports, Qt's own libraries under them, the offscreen
    # platform and the SVG icon plugins
    paths = [*(root.glob(f"{module}.*.so") for module in ("QtCore", "QtGui", "QtWidgets"))]
    paths = [p for found in paths for p in found]
    paths += [root / "Qt" / "plugins" / "platforms" / "libqoffscreen.so",
              *(root / "Qt" / "plugins").glob("*/libqsvg*.so")]
    assert len(paths) >= 5 and all(p.is_file() for p in paths), paths
    missing = _missing(paths)
    assert not missing, ("Qt cannot load: install what the README's 'System libraries' "
                         f"section lists; missing {missing}")


def test_the_readme_names_every_x11_library_missing_here() -> None:
    plugin = _pyside() / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        pytest.skip("this PySide6 has no X11 platform plugin")
    section = _readme_section("## System libraries")
    names = {name for names in _missing([plugin]).values() for name in names}
    # libxcb-cursor.so.0 is in the package libxcb-cursor0 (Debian) and xcb-util-cursor (Fedora)
    unnamed = [name for name in names if re.sub(r"\.so.*", "", name) not in section]
    assert not unnamed, f"the README does not say how to install {unnamed}"
