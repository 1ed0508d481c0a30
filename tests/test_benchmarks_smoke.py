"""The benchmark generator and runner at a tiny size: the file keeps the contract, the runner
prints its table. Nothing here looks at how long anything took."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from orchestrator_desktop.data import open_store
from orchestrator_desktop.data.backups import list_backups
from orchestrator_desktop.data.schema import CONTRACT_DDL, CONTRACT_TABLES, EF_MIGRATION_ID

from benchmarks import generate as gen
from benchmarks import run

SIZES = {"sessions": 12, "messages": 600, "big_session": 200, "snapshot_session": 100}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{0,6}[1-9])?$")
TIMESPAN = re.compile(r"^(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{7})?$")
DATE_COLUMNS = {
    "Sessions": ("CreatedAt", "LastActivityAt", "CompletedAt"),
    "Messages": ("Timestamp",),
    "Agents": ("CreatedAt", "LastUsedAt"),
    "SessionAgents": ("JoinedAt", "LeftAt"),
    "Attachments": ("UploadedAt",),
    "ToolCalls": ("ExecutedAt",),
    "SessionSnapshots": ("CreatedAt",),
    "OrchestrationPlans": ("CreatedAt", "StartedAt", "CompletedAt"),
    "OrchestrationSteps": ("StartedAt", "CompletedAt"),
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny generated database, as the .NET application would leave it."""
    path = tmp_path_factory.mktemp("bench") / "tiny.db"
    gen.generate(path, seed=3, **SIZES)
    return path


def _query(path: Path, sql: str, *params: object) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_generated_file_has_exactly_the_contract_schema(tiny: Path) -> None:
    objects = _query(tiny, "SELECT type, name, sql FROM sqlite_master")
    assert {sql for _type, _name, sql in objects if sql} == set(CONTRACT_DDL)
    assert not [name for _type, name, _sql in objects if name.startswith("desktop")]
    assert _query(tiny, "PRAGMA user_version") == [(0,)]
    assert _query(tiny, "PRAGMA journal_mode") == [("wal",)]
    assert _query(tiny, 'SELECT "MigrationId" FROM "__EFMigrationsHistory"') == [
        (EF_MIGRATION_ID,)]


def test_generated_rows_are_realistic(tiny: Path) -> None:
    counts = {t: _query(tiny, f'SELECT count(*) FROM "{t}"')[0][0] for t in CONTRACT_TABLES}
    assert counts["Sessions"] == SIZES["sessions"]
    assert counts["Messages"] == SIZES["messages"]
    sizes = [n for _sid, n in _query(
        tiny, 'SELECT "SessionId", count(*) FROM "Messages" GROUP BY 1 ORDER BY 2 DESC')]
    assert sizes[0] == SIZES["big_session"] > sizes[1]
    assert SIZES["snapshot_session"] in sizes
    assert {role for (role,) in _query(tiny, 'SELECT DISTINCT "Role" FROM "Messages"')} == {
        0, 1, 2, 3}
    with_calls = _query(tiny, 'SELECT count(DISTINCT "MessageId") FROM "ToolCalls"')[0][0]
    with_files = _query(tiny, 'SELECT count(DISTINCT "MessageId") FROM "Attachments"')[0][0]
    assert 0.04 * SIZES["messages"] <= with_calls <= 0.2 * SIZES["messages"]
    assert 0 < with_files <= 0.06 * SIZES["messages"]
    assert _query(tiny, """SELECT count(*) FROM "Messages" WHERE "Content" LIKE '%```%'""")[0][0]
    assert counts["OrchestrationPlans"] and counts["OrchestrationSteps"]
    assert counts["SessionSnapshots"]
    members = [n for (n,) in _query(
        tiny, 'SELECT count(*) FROM "SessionAgents" GROUP BY "SessionId"')]
    assert len(members) == SIZES["sessions"] and set(members) <= {1, 2, 3, 4}
    gaps = _query(tiny, 'SELECT "SessionId", min("SequenceNumber"), max("SequenceNumber"), '
                        'count(*) FROM "Messages" GROUP BY 1')
    assert all(low == 1 and high == n for _sid, low, high, n in gaps)


def test_generated_values_use_the_dotnet_encodings(tiny: Path) -> None:
    for table in ("Sessions", "Messages", "Attachments", "ToolCalls", "OrchestrationPlans",
                  "OrchestrationSteps"):
        ids = [value for (value,) in _query(tiny, f'SELECT "Id" FROM "{table}"')]
        assert ids and all(GUID.match(value) for value in ids), table
    for table, columns in DATE_COLUMNS.items():
        for column in columns:
            values = [v for (v,) in _query(tiny, f'SELECT "{column}" FROM "{table}"') if v]
            bad = [v for v in values if not DATETIME.match(v)]
            assert not bad, (table, column, bad[:3])
    fractions = _query(tiny, """SELECT count(*) FROM "Messages" WHERE "Timestamp" LIKE '%.%'""")
    assert fractions[0][0] > 0
    spans = [v for (v,) in _query(tiny, 'SELECT "ExecutionTime" FROM "ToolCalls" UNION ALL '
                                        'SELECT "Duration" FROM "OrchestrationSteps"') if v]
    assert spans and all(TIMESPAN.match(v) for v in spans)
    usage = _query(tiny, 'SELECT "Role", "TokenUsageJson" FROM "Messages"')
    assert all((role == 1) == (tokens is not None) for role, tokens in usage)
    for _role, tokens in usage:
        if tokens:
            data = json.loads(tokens)
            assert set(data) == {"InputTokens", "OutputTokens", "TotalTokens", "EstimatedCost"}
            assert data["TotalTokens"] == data["InputTokens"] + data["OutputTokens"]


def test_generation_is_deterministic_and_refuses_to_overwrite(tiny: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    gen.generate(again, seed=3, **SIZES)

    def digest(path: Path) -> str:
        rows = _query(path, 'SELECT * FROM "Messages" ORDER BY rowid')
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    assert digest(again) == digest(tiny)
    assert gen.main([str(again), "--small"]) == 2  # exists, no --force


def test_generated_file_opens_and_maintains_in_the_application(tiny: Path,
                                                               tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    run.copy_database(tiny, copy)
    store = open_store(copy)
    try:
        assert store.schema_version == 0
        store.run_maintenance(backup_dir=tmp_path)
        assert not store.needs_maintenance()
        assert [b.reason for b in list_backups(copy, tmp_path)] == ["before-update"]
        big = _query(copy, 'SELECT "SessionId" FROM "Messages" GROUP BY 1 '
                           'ORDER BY count(*) DESC LIMIT 1')[0][0]
        page = store.sessions.messages_page(big, limit=50)
        assert len(page.messages) == 50 and page.has_after
        assert store.search.search(gen.COMMON_WORD).hits
        assert store.sessions.summaries(limit=5).items
    finally:
        store.close()


def test_runner_prints_every_row_of_the_table(tiny: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = run.main(["--db", str(tiny), "--size", "small", "--repeat", "1", "--import-rows",
                     "20", "--quiet", "--work-dir", str(tmp_path / "work")])
    assert code == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert rows[0] == "| operation | app median | raw median | ratio | goal | met? |"
    operations = [row.split(" | ")[0][2:] for row in rows[1:]]
    for expected in ("open_store, never-opened file", "first maintenance: search index build",
                     "first page (50) of the 200-message session",
                     "last page (50) of the 200-message session",
                     "session list, first 100 by last activity, 12 sessions",
                     f'search "{gen.COMMON_WORD}"', "snapshot create, 100 messages",
                     "snapshot restore, 100 messages", "bulk import, 20 messages"):
        assert any(op.startswith(expected) for op in operations), expected
    for row in rows[1:]:
        cells = row.strip("|").split(" | ")
        assert len(cells) == 6, row
        assert cells[5].strip() in ("yes", "**no**", "—")
    # the file given with --db is benchmarked through a copy and left as it was
    assert _query(tiny, "PRAGMA user_version") == [(0,)]
    assert not _query(tiny, "SELECT name FROM sqlite_master WHERE name LIKE 'desktop%'")


def test_highlight_benchmark_prints_its_table(qapp, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import highlight as bench

    assert bench.main(["--messages", "4", "--repeat", "1"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0][2:] for row in rows[1:]] == [
        "no colouring", "keyword list (before)", "Pygments, cold cache",
        "Pygments, warm cache"]


def test_launch_benchmark_reports_each_part(tiny: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import gui

    copy = tmp_path / "tiny.db"  # the window prepares the file it opens: never the shared one
    shutil.copyfile(tiny, copy)
    launched = gui.launch(gui.APP, [str(copy)], tmp_path)
    bare = gui.launch(gui.BARE, [], tmp_path)
    seconds, peak = launched
    assert list(launched.marks) == list(gui.PARTS)  # every step `run()` marks, in order
    times = list(launched.marks.values())
    assert times == sorted(times) and times[0] > 0
    # the sessions were painted (from the preview) before the store's first page was in
    assert times[-1] < launched.ready * 1000 and seconds < launched.ready
    assert seconds * 1000 > launched.marks["sessions shown"] and 0 < launched.paint_mb <= peak
    assert bare[0] > 0 and bare[1] > 0
    gui.print_parts([launched], bare[0])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    parts = [row.split(" | ")[0][2:] for row in rows[1:-1]]
    assert parts == ["Python starts (interpreter, site)", *gui.PARTS]


def test_the_indexing_benchmark_prints_its_table(tiny: Path, tmp_path: Path, capsys) -> None:
    from benchmarks import indexing

    assert indexing.main(["--db", str(tiny), "--repeat", "1", "--work-dir",
                          str(tmp_path / "work")]) == 0
    table = capsys.readouterr().out
    assert "| first answering search after open |" in table
    assert "| full build, wall |" in table and "x |" in table
    assert _query(tiny, "PRAGMA user_version") == [(0,)]  # the source is never changed
