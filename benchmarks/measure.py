"""Timing helpers and the markdown table the benchmark prints."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Goal:
    """A goal from the issue: a ceiling on app/raw and, optionally, on the app's own time."""

    max_ratio: float
    max_app_ms: float | None = None

    def text(self) -> str:
        """The goal as the table shows it."""
        text = f"≤ {self.max_ratio:g}x raw"
        if self.max_app_ms is not None:
            text += f", < {self.max_app_ms:g} ms"
        return text

    def met(self, app: float, raw: float | None) -> bool:
        """True when the medians (seconds) meet the goal."""
        if raw is None or raw <= 0:
            return False
        if app / raw > self.max_ratio:
            return False
        return self.max_app_ms is None or app * 1000 < self.max_app_ms


@dataclass
class Row:
    """One line of the table: medians in seconds; `raw_side` says what the floor does."""

    operation: str
    app: float
    raw: float | None = None
    goal: Goal | None = None
    raw_side: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.app / self.raw if self.raw else None

    @property
    def met(self) -> bool | None:
        return self.goal.met(self.app, self.raw) if self.goal else None


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of `fn` takes (garbage collected beforehand, not during)."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(app: Callable[[], Any], raw: Callable[[], Any] | None, repeat: int,
            warm_up: bool = True) -> tuple[float, float | None]:
    """Medians (seconds) of `app` and `raw`, called alternately `repeat` times each after one
    untimed warm-up call of each, so both see the same cache state."""
    if warm_up:
        app()
        if raw is not None:
            raw()
    app_times, raw_times = [], []
    for _ in range(max(repeat, 1)):
        app_times.append(timed(app))
        if raw is not None:
            raw_times.append(timed(raw))
    return statistics.median(app_times), (statistics.median(raw_times) if raw_times else None)


def format_seconds(seconds: float | None) -> str:
    """A duration for the table: milliseconds below 10 s, else seconds."""
    if seconds is None:
        return "—"
    if seconds >= 10:
        return f"{seconds:,.1f} s"
    ms = seconds * 1000
    if ms >= 100:
        return f"{ms:,.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def render_table(rows: list[Row]) -> str:
    """The markdown table: operation | app median | raw median | ratio | goal | met?"""
    lines = ["| operation | app median | raw median | ratio | goal | met? |",
             "|---|---:|---:|---:|---|---|"]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "—"
        goal = row.goal.text() if row.goal else "— (info)"
        met = "—" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.operation} | {format_seconds(row.app)} | "
                     f"{format_seconds(row.raw)} | {ratio} | {goal} | {met} |")
    return "\n".join(lines)


def render_notes(rows: list[Row]) -> str:
    """What the raw side of each row does, and any note, as a markdown list."""
    lines = []
    for row in rows:
        parts = [p for p in (f"raw: {row.raw_side}" if row.raw_side else "", row.note) if p]
        if parts:
            lines.append(f"- **{row.operation}** — {'; '.join(parts)}")
    return "\n".join(lines)
