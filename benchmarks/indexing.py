"""Search while the index is built: the first open of a never-opened file, measured.

For each repetition, on fresh copies of the same generated file, alternately:

- raw: a contentless FTS5 table (the application's tokenizer) filled by one
  `INSERT … SELECT rowid, "Content" FROM "Messages"` in one transaction, plain `sqlite3`;
- app: `open_store()`, then `run_maintenance()` on a worker thread (as the window runs it)
  while the main thread searches every 0.2 s until a search answers with hits, then every 2 s:
  the time from opening to the first search that answers with hits, how much it covered,
  what searches cost while the index grows, and the build's own time (`Store._fill_search_index`).

    python -m benchmarks.indexing [--db FILE | --size full|small] [--repeat N] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from orchestrator_desktop.data import open_store

from . import generate as gen
from .run import cached_database, copy_database, default_cache_dir

WORD = gen.COMMON_WORD
PROBE_SECONDS = 0.2  # until a search answers with hits; then now and then
LATER_PROBE_SECONDS = 2.0


def raw_build(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of raw FTS5 indexing every message's text."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        con.execute("CREATE VIRTUAL TABLE raw_fts USING fts5(Content, content='', "
                    "tokenize='unicode61 remove_diacritics 2')")
        con.execute("BEGIN")
        con.execute('INSERT INTO raw_fts (rowid, Content) SELECT rowid, "Content" FROM "Messages"')
        con.execute("COMMIT")
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        con.close()


def app_first_open(path: Path, work: Path) -> dict[str, Any]:
    """Open a never-opened file, maintain it on a thread, search meanwhile."""
    facts: dict[str, Any] = {"phases": {}, "searches": []}
    started = time.perf_counter()
    store = open_store(path)
    facts["open"] = time.perf_counter() - started
    fill = store._fill_search_index

    def clocked(*args: Any, **kwargs: Any) -> Any:
        begun, cpu = time.perf_counter(), time.thread_time()
        try:
            return fill(*args, **kwargs)
        finally:
            facts["build"] = time.perf_counter() - begun
            facts["build_cpu"] = time.thread_time() - cpu
            facts["build_started"] = begun - started

    store._fill_search_index = clocked  # type: ignore[method-assign]

    def progress(text: str, _fraction: float) -> None:
        facts["phases"].setdefault(text.split(":")[0], time.perf_counter() - started)

    worker = threading.Thread(target=lambda: store.run_maintenance(
        progress=progress, backup_dir=work / "backups"))
    worker.start()
    while worker.is_alive():
        begun = time.perf_counter()
        result = store.search.search(WORD)
        took = time.perf_counter() - begun
        facts["searches"].append((begun - started, took, len(result.hits), result.searched,
                                  result.messages, result.state.value))
        if result.hits and "first_answer" not in facts:
            facts["first_answer"] = time.perf_counter() - started
            facts["first_searched"] = result.searched
        time.sleep(LATER_PROBE_SECONDS if "first_answer" in facts else PROBE_SECONDS)
    worker.join()
    facts["total"] = time.perf_counter() - started
    ready = [store.search.search(WORD) for _ in range(3)]
    timings = []
    for _ in range(5):
        begun = time.perf_counter()
        store.search.search(WORD)
        timings.append(time.perf_counter() - begun)
    facts["ready_search"] = statistics.median(timings)
    facts["ready_total"] = ready[0].total_text
    store.close()
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.indexing", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="a generated file to copy (never changed)")
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--work-dir", type=Path)
    options = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    source = options.db or cached_database(options.size, options.seed, default_cache_dir(), log)[0]
    work = Path(options.work_dir or tempfile.mkdtemp(prefix="bench-indexing-"))
    work.mkdir(parents=True, exist_ok=True)
    raws, apps = [], []
    try:
        for rep in range(options.repeat):
            target = work / "copy.db"
            copy_database(source, target)
            log(f"[{rep + 1}] raw FTS5")
            raws.append(raw_build(target))
            log(f"    {raws[-1][0]:.1f} s (cpu {raws[-1][1]:.1f} s)")
            copy_database(source, target)
            shutil.rmtree(work / "backups", ignore_errors=True)
            log(f"[{rep + 1}] app: first open, maintenance, searches meanwhile")
            apps.append(app_first_open(target, work))
            facts = apps[-1]
            log(f"    first answer {facts.get('first_answer', float('nan')):.2f} s "
                f"(newest {facts.get('first_searched')}), build {facts['build']:.1f} s "
                f"(cpu {facts['build_cpu']:.1f} s), total {facts['total']:.1f} s, "
                f"phases {facts['phases']}")
    finally:
        if not options.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    report(raws, apps)
    return 0


def report(raws: list[tuple[float, float]], apps: list[dict[str, Any]]) -> None:
    med = statistics.median
    raw_wall, raw_cpu = med(r[0] for r in raws), med(r[1] for r in raws)
    build, build_cpu = med(a["build"] for a in apps), med(a["build_cpu"] for a in apps)
    first = med(a.get("first_answer", float("nan")) for a in apps)
    during = [s[1] for a in apps for s in a["searches"] if s[2]]
    messages = next((s[4] for a in apps for s in a["searches"] if s[4]), None)
    print(f"runs: {len(apps)}; messages: {messages}")
    print("| measurement | app | raw | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| first answering search after open | {first:.2f} s | | |")
    for a in apps:
        phases = ", ".join(f"{k} at {v:.2f} s" for k, v in a["phases"].items())
        print(f"|  (run) first answer {a.get('first_answer', float('nan')):.2f} s, newest "
              f"{a.get('first_searched')} | {phases}; build started at "
              f"{a['build_started']:.2f} s | | |")
    print(f"| full build, wall | {build:.1f} s | {raw_wall:.1f} s | {build / raw_wall:.2f}x |")
    print(f"| full build, CPU | {build_cpu:.1f} s | {raw_cpu:.1f} s | "
          f"{build_cpu / raw_cpu:.2f}x |")
    if during:
        print(f"| search during the build (median of {len(during)}) | "
              f"{med(during) * 1000:.0f} ms | | |")
    print(f"| search, index complete | {med(a['ready_search'] for a in apps) * 1000:.0f} ms "
          f"({apps[0]['ready_total']}) | | |")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
