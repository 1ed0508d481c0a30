"""Shared fixtures: real database files in temporary folders; Qt runs offscreen."""

from __future__ import annotations

import faulthandler
import os
import shutil
import sys
import tempfile
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep every test away from the real user's data, log, settings and state folders.
_HOME = tempfile.mkdtemp(prefix="orchestrator-desktop-tests-")
for _name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = os.path.join(_HOME, _name.lower())
os.environ["ORCHESTRATOR_DESKTOP_DB"] = os.path.join(_HOME, "default", "orchestrator.db")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from dotnet_files import make_dotnet_database  # noqa: E402
from orchestrator_desktop.data import Store, open_store  # noqa: E402

BACKSTOP_GRACE_SECONDS = 60
"""pytest-timeout's signal method fails a stuck test and the run goes on, but a signal cannot
stop a wait inside Qt's C++ (a modal loop nobody answers): this long after a test's timeout a
watchdog prints every thread's stack and ends the process, as the thread method would."""


def _end_stuck_run(item: pytest.Item) -> None:
    capture = item.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=True)
    sys.stderr.write(f"\n{'+' * 10} {item.nodeid} is still stuck "
                     f"{BACKSTOP_GRACE_SECONDS} s after its timeout: ending the run {'+' * 10}\n")
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    os._exit(1)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    marker = item.get_closest_marker("timeout")
    timeout = float(marker.args[0] if marker and marker.args
                    else item.config.getini("timeout") or 0)
    watchdog = None
    if timeout > 0:
        watchdog = threading.Timer(timeout + BACKSTOP_GRACE_SECONDS, _end_stuck_run, (item,))
        watchdog.daemon = True
        watchdog.start()
    try:
        yield
    finally:
        if watchdog is not None:
            watchdog.cancel()


PORTABLE_FILES = frozenset({
    # the data layer
    "test_agent_data.py", "test_backups.py", "test_encoding.py", "test_layers.py",
    "test_open_files.py", "test_operations.py", "test_samples.py", "test_schema_contract.py",
    "test_search.py", "test_snapshots.py", "test_dotnet_schema_changes.py",
    "test_file_faults.py", "test_errors.py", "test_tables.py", "test_layering.py",
    # the command line's parts (test_cli.py marks a few of its own), the Qt binding, one
    # launch of the window
    "test_cli_parts.py", "test_qt_binding.py", "test_app_launch.py",
})
"""Marked `portable`: what the other interpreters run (noxfile.py), a minute's worth."""

WIDGET_FILES = frozenset({"test_main_window.py", "test_snapshot_manager.py",
                          "test_link_safety.py", "test_door.py"})
"""Marked `widgets`: the window and its menus, which the lowest Qt also runs."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in PORTABLE_FILES:
            item.add_marker(pytest.mark.portable)
        if item.path.name in WIDGET_FILES:
            item.add_marker(pytest.mark.widgets)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The folders every test shares go when the run ends."""
    shutil.rmtree(_HOME, ignore_errors=True)


# -- modal dialogs ------------------------------------------------------------------------------
# A modal dialog nobody answers blocks the test (and the run) until its timeout. Every way the
# application can open one fails the test at once instead, naming the dialog; a test that
# expects a dialog replaces the orchestrator_desktop.gui.dialogs function it goes through, as
# before.

DIALOG_FUNCTION_PREFIXES = ("ask_", "choose_", "confirm", "show_")
"""The desktop.gui.dialogs functions that open a modal dialog."""

_QT_STATIC_DIALOGS = {
    "QMessageBox": ("about", "aboutQt", "critical", "information", "question", "warning"),
    "QFileDialog": ("getExistingDirectory", "getExistingDirectoryUrl", "getOpenFileName",
                    "getOpenFileNames", "getOpenFileUrl", "getOpenFileUrls", "getSaveFileName",
                    "getSaveFileUrl"),
    "QInputDialog": ("getDouble", "getInt", "getItem", "getMultiLineText", "getText"),
}
_QT_MODAL_CLASSES = ("QDialog", "QMessageBox", "QFileDialog", "QInputDialog", "QProgressDialog")


def _describe(args: tuple, kwargs: dict) -> str:
    words = [a for a in (*args, *kwargs.values()) if isinstance(a, str)]
    return " | ".join(repr(w) for w in words) or "(no title or text)"


def _describe_dialog(dialog) -> str:
    words = [dialog.windowTitle()]
    for getter in ("text", "informativeText", "labelText"):
        if hasattr(dialog, getter) and callable(getattr(dialog, getter)):
            words.append(getattr(dialog, getter)())
    return " | ".join(repr(w) for w in words if w) or "(no title or text)"


def _unexpected(kind: str, description: str) -> None:
    pytest.fail(f"unexpected modal dialog {kind}: {description} (a test that expects it "
                "replaces the orchestrator_desktop.gui.dialogs function that opens it)",
                pytrace=True)


@pytest.fixture(autouse=True)
def no_unexpected_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail, rather than block, on any modal dialog the test does not replace itself."""
    from orchestrator_desktop.gui import dialogs
    from PySide6 import QtWidgets

    for name in dir(dialogs):
        function = getattr(dialogs, name)
        if (name.startswith(DIALOG_FUNCTION_PREFIXES) and callable(function)
                and getattr(function, "__module__", None) == dialogs.__name__):
            def guard(*args, _name=name, **kwargs):
                _unexpected(f"dialogs.{_name}()", _describe(args, kwargs))
            monkeypatch.setattr(dialogs, name, guard)
    for class_name, methods in _QT_STATIC_DIALOGS.items():
        cls = getattr(QtWidgets, class_name)
        for method in (m for m in methods if hasattr(cls, m)):
            def static_guard(*args, _name=f"{class_name}.{method}", **kwargs):
                _unexpected(f"{_name}()", _describe(args, kwargs))
            monkeypatch.setattr(cls, method, staticmethod(static_guard))
    for class_name in _QT_MODAL_CLASSES:
        cls = getattr(QtWidgets, class_name)
        for method in ("exec", "exec_"):
            if method in vars(cls):
                def exec_guard(self, *_args, _name=f"{class_name}.{method}", **_kwargs):
                    _unexpected(f"{_name}()", _describe_dialog(self))
                monkeypatch.setattr(cls, method, exec_guard)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A new database made by the application, with its seeded agents."""
    opened = open_store(tmp_path / "orchestrator.db")
    yield opened
    opened.close()


@pytest.fixture
def dotnet_path(tmp_path: Path) -> Path:
    """A file as the .NET application leaves it, not yet opened by this application."""
    return make_dotnet_database(tmp_path / "dotnet.db")


@pytest.fixture
def dotnet_store(dotnet_path: Path) -> Store:
    """The .NET file opened and fully maintained (migrated, search index filled)."""
    opened = open_store(dotnet_path)
    opened.run_maintenance()
    yield opened
    opened.close()


@pytest.fixture(params=["seed", "upgraded", "fresh", "later"])
def form_path(request, tmp_path: Path) -> Path:
    """A file in each form the application meets: the seed's, today's upgraded and fresh
    ones, and a later one with a column and a table no form we know has. Its stem names it."""
    from dotnet_files import make_form_database

    return make_form_database(tmp_path / f"{request.param}.db", request.param)


@pytest.fixture
def form_store(form_path: Path) -> Store:
    """The file of `form_path` opened and maintained."""
    opened = open_store(form_path)
    opened.run_maintenance()
    opened.test_form = form_path.stem  # type: ignore[attr-defined]
    yield opened
    opened.close()
