"""Background work for the window: a serial runner whose results arrive on the GUI thread.

Every database call from the GUI goes through a `TaskRunner`, so no query that grows with the
data ever runs on the GUI thread. One runner serves browsing (short queries, in order); a second
serves long maintenance (backup, migrations, index build) so browsing never waits for it.

The worker is a Python thread, not a QThreadPool thread: Python forgets the thread-local state
of a thread it did not start each time a Qt thread's task ends, and Pony keeps its connection
in thread-local state, so a pool thread would open a new connection for every task.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(str, float)


class Task:
    """One call to run off the GUI thread; its signals are delivered on the GUI thread."""

    def __init__(self, fn: Callable[..., Any], *, with_progress: bool = False) -> None:
        self.fn = fn
        self.with_progress = with_progress
        self.signals = _Signals()
        self.cancelled = threading.Event()
        self.abandoned = False  # its runner shut down: its results are no longer wanted

    def run(self) -> None:
        """Call the function, then emit its result or its exception."""
        try:
            if self.with_progress:
                result = self.fn(self.report, self.cancelled.is_set)
            else:
                result = self.fn()
        except Exception as exc:  # delivered to the GUI, which shows a message
            log.debug("task failed", exc_info=True)
            self.signals.failed.emit(exc)
            return
        self.signals.succeeded.emit(result)

    def report(self, text: str, fraction: float) -> None:
        """Progress from inside the task."""
        self.signals.progressed.emit(text, float(fraction))

    def cancel(self) -> None:
        """Ask a progress-aware task to stop at its next check."""
        self.cancelled.set()


class TaskRunner(QObject):
    """A single background thread running tasks in submission order."""

    busy_changed = Signal(bool)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._queue: queue.Queue[Task | None] = queue.Queue()
        self._pending: list[Task] = []
        self._thread: threading.Thread | None = None

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._queue = queue.Queue()
            self._thread = threading.Thread(target=self._work, args=(self._queue,),
                                            name=self.objectName(), daemon=True)
            self._thread.start()

    @staticmethod
    def _work(tasks: queue.Queue[Task | None]) -> None:
        while True:
            task = tasks.get()
            if task is None:
                return
            task.run()

    def submit(self, fn: Callable[..., Any], on_success: Callable[[Any], None] | None = None,
               on_failure: Callable[[Exception], None] | None = None, *,
               on_progress: Callable[[str, float], None] | None = None) -> Task:
        """Queue `fn`; the callbacks run on the GUI thread. With `on_progress`, `fn` is called
        as `fn(report, should_stop)`."""
        task = Task(fn, with_progress=on_progress is not None)

        def unless_abandoned(callback: Callable[..., None]) -> Callable[..., None]:
            # a result already on its way when the runner shut down (its window closing) or
            # was deleted with its window is dropped: what it would update is gone
            return lambda *value: None if task.abandoned or not shiboken6.isValid(self) \
                else callback(*value)

        if on_success:
            task.signals.succeeded.connect(unless_abandoned(on_success))
        if on_failure:
            task.signals.failed.connect(unless_abandoned(on_failure))
        if on_progress:
            task.signals.progressed.connect(unless_abandoned(on_progress))
        task.signals.succeeded.connect(unless_abandoned(lambda _r: self._finished(task)))
        task.signals.failed.connect(unless_abandoned(lambda _e: self._finished(task)))
        self._pending.append(task)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._ensure_thread()
        self._queue.put(task)
        return task

    def _finished(self, task: Task) -> None:
        if task in self._pending:
            self._pending.remove(task)
            if not self._pending:
                self.busy_changed.emit(False)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self, final: Callable[[], Any] | None = None,
                 timeout_s: float = 10.0) -> bool:
        """Drop queued tasks, ask the running one to stop, run `final` on the worker thread
        (to close its database connection), and wait for the thread to end."""
        for task in self._pending:
            task.abandoned = True
            task.cancel()
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        self._pending.clear()
        thread, self._thread = self._thread, None
        if thread is None or not thread.is_alive():
            return True
        if final is not None:
            self._queue.put(Task(final))
        self._queue.put(None)
        thread.join(timeout_s)
        return not thread.is_alive()
