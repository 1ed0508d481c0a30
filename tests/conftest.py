"""Shared fixtures: real database files in temporary folders; Qt runs offscreen."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep every test away from the real user's data, log, settings and state folders.
_HOME = tempfile.mkdtemp(prefix="orchestrator-desktop-tests-")
for _name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = os.path.join(_HOME, _name.lower())
os.environ["ORCHESTRATOR_DESKTOP_DB"] = os.path.join(_HOME, "default", "orchestrator.db")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from dotnet_files import make_dotnet_database  # noqa: E402

from desktop.data import Store, open_store  # noqa: E402


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
