"""The double-clickable application: the PyInstaller bundle built by packaging/build.py, run
as a person runs it; the Linux desktop entry and AppStream metadata; the icon files."""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest
from dotnet_files import make_dotnet_database
from orchestrator_desktop import APP_NAME, __version__
from orchestrator_desktop.resources import ICON_SIZES, RESOURCES, icon_png

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
DESKTOP_FILE = LINUX / "orchestrator-desktop.desktop"
METAINFO = next(LINUX.glob("*.metainfo.xml"))
LOG = Path("OrchestratorChat") / "orchestrator-desktop" / "log" / "orchestrator-desktop.log"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The application folder, built once for this module into a temporary folder."""
    folder = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--out", str(folder / "dist"),
         "--work", str(folder / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    print(f"\nbuilt the bundle in {time.monotonic() - started:.0f} s: {out.stdout.strip()}")
    return folder / "dist" / "orchestrator-desktop"


def executable(bundle: Path) -> Path:
    return bundle / ("orchestrator-desktop.exe" if sys.platform == "win32"
                     else "orchestrator-desktop")


def clean_env(home: Path) -> dict[str, str]:
    """A person's environment: no virtualenv or source tree on the path, own folders."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("PYTHONPATH", "VIRTUAL_ENV", "ORCHESTRATOR_DESKTOP_DB")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home))
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home / name.lower())
    return env


def log_text(home: Path) -> str:
    path = home / "xdg_state_home" / LOG
    return path.read_text(encoding="utf-8") if path.exists() else ""


def wait_for_log(home: Path, text: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while text not in log_text(home):
        if process.poll() is not None:
            _out, err = process.communicate()
            pytest.fail(f"the application ended early ({process.returncode}):\n{err[-3000:]}")
        assert time.monotonic() < deadline, f"no {text!r} in the log:\n{log_text(home)}"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is how Linux and macOS log out")
def test_the_built_executable_opens_a_database_and_closes_cleanly(bundle, tmp_path) -> None:
    database = make_dotnet_database(tmp_path / "team.db")
    home = tmp_path / "home"
    home.mkdir()
    process = subprocess.Popen([str(executable(bundle)), str(database)], cwd=home,
                               env=clean_env(home), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_for_log(home, "main window shown", process)
        process.send_signal(signal.SIGTERM)  # what a desktop logout sends
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    log = log_text(home)
    assert process.returncode == 0, err[-3000:]
    assert f"starting {APP_NAME} {__version__}" in log
    assert "main window shown: team.db" in log
    assert f"resources in {bundle}" in log and "(missing)" not in log
    assert "closed cleanly (exit code 0)" in log
    assert "Traceback" not in err and "ERROR" not in log


@pytest.mark.slow
def test_the_built_executable_runs_the_command_line(bundle, tmp_path) -> None:
    database = make_dotnet_database(tmp_path / "team.db")
    out = subprocess.run([str(executable(bundle)), "--db", str(database), "--json", "session",
                          "list"], env=clean_env(tmp_path), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Refactor the parser" in out.stdout


@pytest.mark.slow
def test_the_bundle_carries_resources_and_leaves_unused_qt_out(bundle) -> None:
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*")}
    inside = next(f.split("/resources/")[0] for f in files if "/resources/icons/" in f)
    for name in ("resources/icons/orchestrator-desktop.svg",
                 "resources/icons/orchestrator-desktop-256.png",
                 "resources/samples/sample-sessions.json"):
        assert f"{inside}/{name}" in files
    names = " ".join(files)
    for unused in ("Qt6Qml", "Qt6Quick", "Qt6Pdf", "QtNetwork.abi3", "/translations/"):
        assert unused not in names
    assert "Qt6Svg" in names  # the icon is drawn from its SVG


def test_desktop_entry_opens_sqlite_files() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(DESKTOP_FILE, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Name"] == APP_NAME
    assert section["Exec"] == "orchestrator-desktop %f"
    assert section["Icon"] == "orchestrator-desktop" and section["Terminal"] == "false"
    mime = section["MimeType"].rstrip(";").split(";")
    assert mime == ["application/vnd.sqlite3", "application/x-sqlite3"]
    assert section["StartupWMClass"] == "orchestrator-desktop"  # QGuiApplication's desktop name
    if shutil.which("desktop-file-validate"):
        out = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True,
                             text=True)
        assert out.returncode == 0 and not out.stdout.strip(), out.stdout


def test_appstream_metadata_names_the_desktop_entry() -> None:
    root = ElementTree.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    component_id = root.findtext("id")
    assert METAINFO.name == f"{component_id}.metainfo.xml"
    assert root.findtext("name") == APP_NAME and root.findtext("summary")
    assert root.findtext("launchable") == DESKTOP_FILE.name
    assert root.find("launchable").get("type") == "desktop-id"
    assert root.findtext("provides/binary") == "orchestrator-desktop"
    assert root.findtext("metadata_license") and root.findtext("project_license") == "MIT"
    assert root.find("releases/release").get("version") == __version__
    if shutil.which("appstreamcli"):
        out = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


def test_icon_files_hold_every_size(qapp) -> None:
    from PySide6.QtGui import QImage, QImageReader

    for size in ICON_SIZES:
        image = QImage(str(icon_png(size)))
        assert (image.width(), image.height()) == (size, size)
        assert image.pixelColor(size // 2, size // 8).alpha() == 255  # drawn, not blank
    for name, count in (("orchestrator-desktop.ico", 7), ("orchestrator-desktop.icns", 10)):
        reader = QImageReader(str(RESOURCES / "icons" / name))
        assert reader.imageCount() == count
        sizes = set()
        for index in range(count):
            reader.jumpToImage(index)
            sizes.add(reader.read().width())
        assert 256 in sizes and 16 in sizes


def test_a_plain_wheel_install_carries_the_resources_and_desktop_files(tmp_path) -> None:
    """`pip install .` (not editable) installs resources/ and the Linux desktop files as data
    files, and the installed package finds them. Built with the environment's setuptools: no
    package index is needed."""
    offline = {**os.environ, "PIP_NO_INDEX": "1"}
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "--no-build-isolation", "--wheel-dir", str(tmp_path / "wheels"),
                            str(ROOT)], capture_output=True, text=True, timeout=600, env=offline)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (tmp_path / "wheels").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        licences = [n for n in names if ".dist-info/licenses/" in n]
        # one top-level module, named for the project (a `desktop` could be anybody's), with
        # every package of the source folder in it
        code = {n.split("/")[0] for n in names if n.endswith(".py")}
        assert code == {"orchestrator_desktop"}
        packages = {str(Path(n).parent) for n in names if n.endswith("/__init__.py")}
        sources = {str(Path("orchestrator_desktop", p.parent.relative_to(ROOT / "desktop")))
                   .removesuffix("/.") for p in (ROOT / "desktop").rglob("__init__.py")}
        assert packages == sources
        assert [Path(n).name for n in licences] == ["LICENSE"]
        assert archive.read(licences[0]).decode().startswith("MIT License")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")],
                   check=True, timeout=120)
    python = tmp_path / "venv" / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                                "--quiet", "--no-deps", str(wheel)],
                               capture_output=True, text=True, timeout=600, env=offline)
    assert installed.returncode == 0, installed.stderr[-3000:]
    share = tmp_path / "venv" / "share"
    assert (share / "applications" / "orchestrator-desktop.desktop").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" /
            "orchestrator-desktop.svg").is_file()
    assert list((share / "metainfo").glob("*.metainfo.xml"))
    found = subprocess.run([str(python), "-c", "from orchestrator_desktop.resources import "
                            "RESOURCES, SAMPLES, icon_png; print(RESOURCES); "
                            "print(SAMPLES.is_file(), icon_png(256).is_file())"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == [str(share / "orchestrator-desktop" / "resources"),
                                    "True", "True"]
