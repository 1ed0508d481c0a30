"""The command line's parts, in-process: recognising a command, help text, layout, failures."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from orchestrator_desktop import cli
from orchestrator_desktop.cli import jsonform, tables
from orchestrator_desktop.cli.commands import sessions
from orchestrator_desktop.data.encoding import JsonText

LEAVES = [("session", "list"), ("session", "show"), ("session", "stats"), ("search",),
          ("agent", "list"), ("agent", "show"), ("agent", "stats"), ("agent", "set"),
          ("snapshot", "create"), ("snapshot", "list"), ("snapshot", "restore"),
          ("snapshot", "revert"), ("db", "info"), ("db", "check"), ("db", "backup")]


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """Log folder and default database in tmp_path; the log handlers removed afterwards."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("ORCHESTRATOR_DESKTOP_DB", str(tmp_path / "default.db"))
    yield tmp_path
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_orchestrator", False):
            root.removeHandler(handler)
            handler.close()


@pytest.mark.parametrize(("args", "expected"), [
    ([], False),
    (["some.db"], False),
    (["--verbose"], False),
    (["--verbose", "some.db"], False),
    (["-platform", "offscreen"], False),
    (["sessions"], True),  # a mistyped command: argparse's usage error, not a window
    (["sesion", "list"], True),
    (["--json", "sesion", "list"], True),
    (["missing.db"], False),  # a path: the window says it cannot be found
    (["folder/orchestrator"], False),
    (["session", "list"], True),
    (["--db", "session", "some.db"], False),  # "session" is the --db value here
    (["--db", "x.db", "--json", "agent", "list"], True),
    (["--db=x.db", "--verbose", "db", "info"], True),
    (["--wait", "3", "search", "x"], True),
    (["--", "snapshot", "list", "s"], True),
    (["--help"], True),
    (["-h"], True),
    (["--version"], True),
])
def test_is_command(args, expected, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.is_command(args) is expected


def test_a_word_naming_an_existing_file_opens_it(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sesion").write_bytes(b"")
    assert cli.is_command(["sesion"]) is False
    assert cli.is_command(["sesion", "list"]) is False


@pytest.mark.parametrize("words", LEAVES, ids=" ".join)
def test_every_command_has_help_with_examples(words, capsys, cli_env) -> None:
    assert cli.main([*words, "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"orchestrator-desktop {' '.join(words)}" in out
    assert "--json" in out and "--db PATH" in out


def test_unexpected_errors_are_logged_not_shown(cli_env, capsys, monkeypatch) -> None:
    def broken(_options):
        raise RuntimeError("a bug")

    monkeypatch.setattr(sessions, "list_sessions", broken)
    assert cli.main(["session", "list"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected problem (details in ") and err.count("\n") == 1
    log_file = next((cli_env / "state").rglob("*.log"))
    assert "RuntimeError: a bug" in log_file.read_text() and "Traceback" in log_file.read_text()


def test_options_work_after_the_command_too(cli_env, capsys) -> None:
    assert cli.main(["agent", "list", "--json", "--db", str(cli_env / "default.db")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["agent", "list", "--json"]) == 0  # the default database is created
    assert capsys.readouterr().out.lstrip().startswith("[")


def test_table_aligns_truncates_and_flattens() -> None:
    text = tables.table(["id", "name", "count"],
                        [("a", "short", 5), ("bb", "a name\nwith a line break", 12_000)],
                        widths={1: 10}, right={2})
    assert text.splitlines() == [
        "ID  NAME        COUNT",
        "a   short           5",
        "bb  a name wi…  12000",
    ]


def test_small_formats() -> None:
    assert tables.duration(timedelta(seconds=1.25)) == "1.25s"
    assert tables.duration(timedelta(minutes=4, seconds=5)) == "4m 5s"
    assert tables.duration(timedelta(days=1, hours=2, minutes=3)) == "1d 2h 3m"
    assert tables.size(2048) == "2.0 KB" and tables.size(12) == "12 B"
    assert tables.json_text(JsonText("{oops"), 20) == "{oops  (not valid JSON)"
    assert jsonform.iso(datetime(2024, 1, 30, 9, 5, 1, 123456)) == "2024-01-30T09:05:01.123456Z"
    assert jsonform.json_column(JsonText("")) is None
    assert jsonform.json_column(JsonText("[1]")) == [1]
    assert jsonform.json_column(JsonText("x")) == {"raw": "x", "valid": False}
