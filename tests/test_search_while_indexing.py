"""Search while the index is built: newest messages first, answers from what is indexed (and
says how much), resumes after a kill, and the search panel's coverage line."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dotnet_files import SESSION_ID, make_dotnet_database, query_one
from orchestrator_desktop.data import fts, migrations, open_store
from orchestrator_desktop.data.fts_build import IndexBuild
from orchestrator_desktop.data.search import IndexState
from processes import APP, ROOT, kill_when

START = datetime(2024, 3, 1)


def add_dated(path: Path, count: int, text: str, *, first: int = 0) -> list[str]:
    """`count` messages a minute apart (message `first` + n at minute `first` + n), written
    as the .NET application writes them; their ids in time order."""
    ids = [f"dated-{first + n:06d}" for n in range(count)]
    con = sqlite3.connect(path)
    con.executemany(
        'INSERT INTO "Messages" VALUES (?,?,?,0,NULL,NULL,?,?,NULL,NULL)',
        [(mid, SESSION_ID, text.format(n=first + n),
          (START + timedelta(minutes=first + n)).strftime("%Y-%m-%d %H:%M:%S.%f0"), 0)
         for n, mid in enumerate(ids)])
    con.commit()
    con.close()
    return ids


def prepared(path: Path):
    """The file opened and given its schema steps, its search index still empty."""
    store = open_store(path)
    store.run_maintenance(should_stop=lambda: store.schema_version == migrations.LATEST_VERSION)
    assert store.meta("fts_state") == "building"
    return store


def test_a_search_during_the_build_answers_from_the_newest_messages(tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "big.db")
    old = add_dated(path, 6_000, "an old lighthouse log {n}")  # shuffled in time below
    new = add_dated(path, 4_000, "a new lighthouse log {n}", first=6_000)
    con = sqlite3.connect(path)  # rowid order is not time order: the newest have low rowids
    con.execute('UPDATE "Messages" SET "Timestamp" = \'2099-01-01 00:00:00\' || substr("Id", 7) '
                "WHERE \"Id\" IN (SELECT \"Id\" FROM \"Messages\" WHERE \"Id\" LIKE 'dated-%' "
                'ORDER BY "Id" LIMIT 10)')
    con.commit()
    con.close()
    newest_ten = set(old[:10])
    store = prepared(path)
    try:
        messages = store.counts()["messages"]
        early = store.search.search("lighthouse", limit=100)  # nothing indexed: newest read
        assert not early.ranked and early.total is None and len(early.hits) == 100
        assert early.coverage_text == (
            f"Searched the newest {messages:,} of {messages:,} messages; still indexing.")
        assert [h.message_id for h in early.hits[:10]] == sorted(newest_ten, reverse=True)
        assert [h.message_id for h in early.hits[10:]] == new[::-1][:90]
        more = store.search.search("lighthouse", limit=100, after=early.next_page)
        assert [h.message_id for h in more.hits] == new[::-1][90:190]
        with IndexBuild(store.path, 10) as build:
            for _ in range(3):
                assert build.step(rows=1_000)
        result = store.search.search("lighthouse")
        assert result.state is IndexState.BUILDING
        assert result.searched == 3_000 and result.messages == messages
        assert result.coverage_text == (
            f"Searched the newest 3,000 of {messages:,} messages; still indexing.")
        # the newest 3,000 in the threads' order: the ten moved to 2099, then the newest 2,990
        expected = newest_ten | set(new[-2_990:])
        assert result.total == 3_000 and len(result.hits) == 50
        seen, page = list(result.hits), result
        while page.next_page is not None:  # keyset pages (score, key) through all of them
            page = store.search.search("lighthouse", limit=700, after=page.next_page)
            seen.extend(page.hits)
        assert {h.message_id for h in seen} == expected and len(seen) == 3_000
        assert store.search.search('"old lighthouse" 3000').hits == ()  # not indexed yet
        assert store.search.search("old").total == 10
        assert store.search.state() == (IndexState.BUILDING, pytest.approx(3_000 / messages))

        store.run_maintenance()  # the rest, then the index is complete
        done = store.search.search("lighthouse")
        assert done.state is IndexState.READY and done.coverage_text == ""
        assert done.searched is None and done.total_text == "10,000 matches"
        assert [h.message_id for h in store.search.search('"old lighthouse" 3000').hits] == [
            old[3_000]]
        assert store.search.index_is_consistent() and store.search.check() == []
        assert store.meta("fts_cursor") is None  # a later rebuild starts at the newest again
    finally:
        store.close()


def test_messages_written_during_the_build_are_indexed_once(tmp_path: Path) -> None:
    """Another program's writes during the build go through the triggers; the walk skips
    what they indexed, and edits and deletes of messages not reached yet are right too."""
    path = make_dotnet_database(tmp_path / "w.db")
    ids = add_dated(path, 3_000, "walrus {n}")
    store = prepared(path)
    try:
        with IndexBuild(store.path, 10) as build:
            build.step(rows=500)
            con = sqlite3.connect(path)
            con.execute('UPDATE "Messages" SET "Content" = \'an edited narwhal\' WHERE "Id" = ?',
                        (ids[10],))  # not reached by the walk yet
            con.execute('DELETE FROM "Messages" WHERE "Id" = ?', (ids[11],))
            con.execute('INSERT INTO "Messages" VALUES (?,?,?,0,NULL,NULL,?,0,NULL,NULL)',
                        ("late-one", SESSION_ID, "a late walrus", "2030-01-01 00:00:00"))
            con.commit()
            con.close()
            while build.step(rows=500):
                pass
        assert store.search.state()[0] is IndexState.READY
        assert store.search.search("walrus").total == 2_999  # 3,000 - edited - deleted + late
        assert [h.message_id for h in store.search.search("narwhal").hits] == [ids[10]]
        assert store.search.index_is_consistent() and store.search.check() == []
    finally:
        store.close()


KILLED_BUILD = """
import sys
from orchestrator_desktop.data import fts_build, open_store
fts_build.TARGET_SECONDS, fts_build.FIRST_ROWS, fts_build.MAX_ROWS = 0.01, 200, 200
store = open_store(sys.argv[1])
reports = []

def report(text, fraction):
    if text == "Building the search index":
        reports.append(fraction)
        if len(reports) == 1:
            print("building", flush=True)

store.run_maintenance(progress=report)
print("finished", flush=True)
"""


def test_a_build_killed_midway_is_completed_by_the_next_open(tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "k.db")
    count = 40_000
    add_dated(path, count, "zebra crossing {n}")
    kill_when(path, KILLED_BUILD, "building")
    keys = query_one(path, f'SELECT count(*) FROM "{fts.KEYS_TABLE}"')[0]
    total = query_one(path, 'SELECT count(*) FROM "Messages"')[0]
    assert 0 < keys < total  # killed with part of the index built
    assert query_one(path, "SELECT \"Value\" FROM desktop_meta WHERE \"Key\" = 'fts_state'") == (
        "building",)
    store = open_store(path)
    try:
        assert store.search.search("zebra").searched == keys  # what the killed run committed
        store.run_maintenance()
        assert store.search.state()[0] is IndexState.READY
        assert store.search.index_is_consistent() and store.search.check() == []
        # every message indexed once: one index entry per "zebra" message, no more
        assert query_one(path, f'SELECT count(*) FROM "{fts.FTS_TABLE}" WHERE '
                               f'"{fts.FTS_TABLE}" MATCH \'zebra\'') == (count,)
        assert [h.message_id for h in store.search.search('"zebra crossing 31337"').hits] == [
            "dated-031337"]
    finally:
        store.close()
    checked = subprocess.run([*APP, "--db", str(path), "db", "check"], capture_output=True,
                             text=True, cwd=ROOT, timeout=120, env=_env(tmp_path))
    assert checked.returncode == 0, checked.stderr
    assert "Search index: ready" in checked.stdout and "No problems found." in checked.stdout


def test_the_command_line_answers_from_the_newest_messages_and_says_so(tmp_path: Path) -> None:
    path = make_dotnet_database(tmp_path / "c.db")
    add_dated(path, 30_000, "a quokka sighting {n}")
    found = subprocess.run([*APP, "--db", str(path), "search", "quokka", "--limit", "3",
                            "--index-for", "0"], capture_output=True, text=True, cwd=ROOT,
                           timeout=120, env=_env(tmp_path))
    assert found.returncode == 0, found.stderr
    assert found.stdout.count("a quokka sighting 29") == 3  # the newest first
    assert "note: Searched the newest " in found.stderr and "still indexing." in found.stderr
    again = subprocess.run([*APP, "--db", str(path), "search", "quokka", "--limit", "1",
                            "--index-for", "600"], capture_output=True, text=True, cwd=ROOT,
                           timeout=300, env=_env(tmp_path))
    assert again.returncode == 0, again.stderr
    assert "Searched the newest" not in again.stderr and "a quokka sighting" in again.stdout


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


def test_the_panel_shows_its_coverage_until_the_index_is_complete(qtbot, tmp_path: Path) -> None:
    from orchestrator_desktop.gui.operations import Door
    from orchestrator_desktop.gui.search.search_panel import SearchPanel
    from orchestrator_desktop.gui.tasks import TaskRunner
    from PySide6.QtWidgets import QWidget

    path = make_dotnet_database(tmp_path / "p.db")
    add_dated(path, 5_000, "the harbour master's report {n}")
    store = prepared(path)
    owner = QWidget()
    qtbot.addWidget(owner)
    runner = TaskRunner("queries", owner)
    door = Door(runner, owner)
    panel = SearchPanel(door.reads())
    qtbot.addWidget(panel)
    panel.resize(420, 560)
    panel.show()
    try:
        door.set_store(store)
        panel.set_store(store)
        with IndexBuild(store.path, 10) as build:
            build.step(rows=1_200)
        panel.query.setText("harbour")  # searched after the field's pause
        qtbot.waitUntil(lambda: panel.status.text().startswith("1,200 matches"), timeout=15_000)
        assert panel.model.rowCount() == 50
        messages = store.counts()["messages"]
        assert panel.coverage.isVisible()
        assert panel.coverage.text() == (
            f"Searched the newest 1,200 of {messages:,} messages; still indexing.")
        assert panel.status.text().startswith("1,200 matches, best first")
        shown = [panel.model.hit(row) for row in range(panel.model.rowCount())]
        numbers = [int(re.search(r"report (\d+)", hit.snippet).group(1)) for hit in shown]
        assert min(numbers) >= 5_000 - 1_200  # all from the newest 1,200
        panel.grab().save(str(tmp_path / "building.png"))
        store.run_maintenance()
        panel.run_search(quiet=True)  # what the window does when its maintenance is done
        qtbot.waitUntil(lambda: panel.status.text().startswith("5,000 matches, best first"),
                        timeout=15_000)
        assert not panel.coverage.isVisible() and panel.coverage.text() == ""
        panel.grab().save(str(tmp_path / "complete.png"))
    finally:
        runner.shutdown(store.close)


WRITER = """
import sqlite3, sys, time
from pathlib import Path
con = sqlite3.connect(sys.argv[1], timeout=float(sys.argv[2]), isolation_level=None)
stop = Path(sys.argv[3])
done, failed, longest = 0, [], 0.0
print("writing", flush=True)
while not stop.exists():
    started = time.monotonic()
    try:
        con.execute('INSERT INTO "Messages" VALUES (?,?,?,0,NULL,NULL,?,0,NULL,NULL)',
                    (f"writer-{done}", sys.argv[4], f"a penguin {done}", "2031-01-01 00:00:00"))
        done += 1
    except sqlite3.OperationalError as error:
        failed.append(str(error))
    longest = max(longest, time.monotonic() - started)
    time.sleep(0.02)
print(done, len(failed), round(longest, 3), failed[:1], flush=True)
"""


def test_a_writer_with_a_busy_timeout_never_fails_during_the_build(tmp_path: Path) -> None:
    """The .NET application writes with a 30 s busy timeout; a writer allowing only 5 s, one
    insert every 20 ms, gets every insert in while the whole index is built."""
    path = make_dotnet_database(tmp_path / "busy.db")
    add_dated(path, 60_000, "an albatross {n}")
    store = prepared(path)
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "5", str(stop),
                               SESSION_ID], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT)
    try:
        assert writer.stdout.readline().strip() == "writing"
        store.run_maintenance()
        assert store.search.state()[0] is IndexState.READY
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
        store.close()
    done, failed, longest, _first = out.split(maxsplit=3)
    print(f"writer: {done} inserts, longest wait {longest} s")  # reported, not a threshold
    assert int(failed) == 0, out + err
    again = open_store(path)
    try:
        assert again.search.search("penguin").total == int(done) > 0
        assert again.search.search("albatross").total_text == "more than 10,000 matches"
        assert again.search.index_is_consistent() and again.search.check() == []
    finally:
        again.close()


def test_before_the_index_has_anything_a_search_reads_the_newest(tmp_path: Path,
                                                                  monkeypatch) -> None:
    from orchestrator_desktop.data import search as search_module

    monkeypatch.setattr(search_module, "SCAN_NEWEST", 1_000)
    path = make_dotnet_database(tmp_path / "n.db")
    ids = add_dated(path, 3_000, "a kestrel hovering {n}")
    store = open_store(path)  # not even the schema steps yet: what the backup's time looks like
    try:
        result = store.search.search("KESTREL hovering", limit=300)
        assert result.state is IndexState.BUILDING and not result.ranked
        assert result.coverage_text == (
            "Searched the newest 1,000 of 3,005 messages; still indexing.")
        seen = list(result.hits)
        while result.next_page is not None:
            result = store.search.search("KESTREL hovering", limit=300, after=result.next_page)
            seen.extend(result.hits)
        assert [h.message_id for h in seen] == ids[::-1][:1_000]  # newest first
        assert seen[0].highlights and seen[0].number == "#3005"
    finally:
        store.close()


def test_messages_whose_timestamps_are_not_text_are_indexed_too(tmp_path: Path) -> None:
    """Another program may leave a timestamp as a number or bytes: the walk (text timestamps,
    newest first) leaves them, and the sweep after it indexes them; the build ends."""
    path = make_dotnet_database(tmp_path / "odd.db")
    ids = add_dated(path, 1_500, "an ibis {n}")
    con = sqlite3.connect(path)
    con.execute('UPDATE "Messages" SET "Timestamp" = 20240301 WHERE "Id" = ?', (ids[7],))
    con.execute('UPDATE "Messages" SET "Timestamp" = x\'3230\' WHERE "Id" = ?', (ids[8],))
    con.commit()
    con.close()
    store = prepared(path)
    try:
        with IndexBuild(store.path, 10) as build:
            steps = 0
            while build.step(rows=400):
                steps += 1
                assert steps < 50
        assert store.search.state()[0] is IndexState.READY
        assert store.search.search("ibis").total == 1_500
        assert [h.message_id for h in store.search.search('"ibis 7"').hits] == [ids[7]]
        assert store.search.index_is_consistent() and store.search.check() == []
    finally:
        store.close()
