"""One door to the open file: every request of the window is an `Op` run through the `Door`.

In the spirit of Anki's QueryOp/CollectionOp:

    door.op(lambda store: store.sessions.rename(session_id, name)) \\
        .changes(SESSIONS, DETAILS).retry_when_locked("Cannot rename the session") \\
        .success(after).run()

The work runs on the door's database worker (the `queries` runner), never on the GUI thread.
What comes back is delivered only while it is still wanted: the door drops a result whose file
is no longer the open one, or, for an op marked `latest(key)`, one that a newer request of the
same kind has overtaken. A write marked `retry_when_locked` says so in the status bar while it
waits for another program's lock and, past the busy timeout, offers Try Again with the change
still in hand. A write says what it `changes`, and the door tells the window (`changed`), so
only those views read the file again.

Opening a file goes through the door too (`open_file`): the window's event loop keeps running
while SQLite waits for a lock the .NET application holds.

Models and panels that only read are given `door.reads()`: `reads.begin(key)` starts what they
show again (another session, a new search), and each page or refresh of it is an op marked
`within(key)`, answered until the next `begin`. So no module of the window keeps a staleness
guard of its own (tests/test_layering.py checks).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from ..data.errors import DatabaseLockedError, FileReplacedError
from . import dialogs
from .progress import TaskProgressDialog
from .tasks import Task, TaskRunner

if TYPE_CHECKING:
    from ..data import Store

# what a write may change, so that only the views showing it read the file again
SESSIONS = "sessions"  # the list of sessions, and the counts in the status bar
THREAD = "thread"  # the messages of the open thread
DETAILS = "details"  # the details of the current session
SEARCH = "search"  # search results
AGENTS = "agents"  # agents (the editor, the search panel's agent list)
SNAPSHOTS = "snapshots"  # snapshots (the manager, the restore menu)
EVERYTHING = frozenset({SESSIONS, THREAD, DETAILS, SEARCH, AGENTS, SNAPSHOTS})

WAITING_NOTICE_MS = 800
WAITING_FOR_LOCK = "Waiting for another program to finish writing to the file…"


def offer_try_again(parent: QWidget, title: str, error: Exception, kept: str) -> bool:
    """The one Try Again question after a locked file refused a change; `kept` says where the
    change still is."""
    return dialogs.confirm(parent, title, f"{error}\n\n{kept} Try again now?", "Try Again")


class Door(QObject):
    """The window's one way to the open file."""

    changed = Signal(object)  # the frozenset of what a write changed
    waiting = Signal(bool)  # a write waits for another program's write lock (False: no more)
    replaced = Signal(str)  # a write found the file replaced (the reason); writing stopped
    status = Signal(str, int)  # a status bar line and how long it shows (ms)

    def __init__(self, runner: TaskRunner, parent: QWidget,
                 long_runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.long_runner = long_runner or runner  # long work, so browsing never waits for it
        self.parent_widget = parent
        self.progress_dialog: TaskProgressDialog | None = None
        self.store: Store | None = None
        self._requests: dict[str, int] = {}

    def set_store(self, store: Store | None) -> None:
        """The file now open (None: none); results for the one before are dropped."""
        self.store = store
        self._requests.clear()

    def op(self, work: Callable[[Store], Any]) -> Op:
        """An operation on the open file: `work(store)` runs on the database worker."""
        return Op(self, work)

    def is_current(self, store: Store, key: str | None, number: int) -> bool:
        """Whether a result for `store` (and request `number` of `key`) is still wanted."""
        return store is self.store and (key is None or self._requests.get(key, 0) == number)

    def next_request(self, key: str) -> int:
        """Number a new request of kind `key`; earlier ones of that kind are no longer wanted."""
        self._requests[key] = self._requests.get(key, 0) + 1
        return self._requests[key]

    def current_request(self, key: str) -> int:
        """The number of the newest request of kind `key` (0: none yet)."""
        return self._requests.get(key, 0)

    @property
    def busy(self) -> bool:
        """Whether the database worker has work in hand."""
        return self.runner.busy

    def reads(self) -> Reads:
        """The door as a model or a panel sees it: reads only."""
        return Reads(self)

    def run_with_progress(self, work: Callable[[Any, Any], Any], done: Callable[[Any], None],
                          parent: QWidget | None, title: str, text: str, failure_title: str,
                          verb: str, *, cancellable: bool = True,
                          failed: Callable[[Exception], None] | None = None) -> Task:
        """Run `work(report, should_stop)` on the long-work runner with a window-modal
        progress dialog, whether or not a file is open (a backup restore closes it first);
        `failed` replaces the report of a failure."""
        from ..data.snapshots import Cancelled

        if self.progress_dialog is not None:
            self.progress_dialog.deleteLater()
        dialog = TaskProgressDialog(parent or self.parent_widget, title, text)
        dialog.cancel_button.setEnabled(cancellable)
        self.progress_dialog = dialog

        def succeeded(result: Any) -> None:
            dialog.finish()
            done(result)

        def went_wrong(error: Exception) -> None:
            dialog.finish()
            if isinstance(error, Cancelled):
                self.status.emit(f"{verb} cancelled; nothing was changed.", 8000)
            elif failed is not None:
                failed(error)
            else:
                dialogs.report_failure(self.parent_widget, error, failure_title)

        def progressed(step: str, fraction: float) -> None:
            if not cancellable:  # the step is all there is to say
                dialog.label.setText(step + "…")
            dialog.set_fraction(fraction)

        task = self.long_runner.submit(work, succeeded, went_wrong, on_progress=progressed)
        dialog.attach(task)
        dialog.show()
        return task

    def open_file(self, path: Path, *, create: bool) -> Store:
        """Open (or create) `path` on a worker of its own while the event loop keeps running,
        and return the store; raises the DataError that explains a failure."""
        opener = TaskRunner("opening", self)
        outcome: dict[str, Any] = {}
        loop = QEventLoop(self)

        def finish(key: str, value: Any) -> None:
            outcome[key] = value
            loop.quit()

        from ..data import open_store  # Pony and the rest of the data layer: not before this

        opener.submit(lambda: open_store(path, create=create),
                      lambda store: finish("store", store), lambda error: finish("error", error))
        if not outcome:
            loop.exec()
        store = outcome.get("store")
        opener.shutdown(store.close if store is not None else None)  # that worker's connection
        opener.deleteLater()
        if store is None:
            raise outcome["error"]
        return store


def _without_progress(_step: str | None, _fraction: float) -> None:
    """`in_background` without progress: the work is `work(store)`."""


class Op:
    """One request to the open file; configure it, then `run()` it."""

    def __init__(self, door: Door, work: Callable[[Store], Any]) -> None:
        self.door = door
        self.work = work
        self._on_success: Callable[[Any], None] | None = None
        self._on_failure: Callable[[Exception], None] | None = None
        self._key: str | None = None
        self._joins = False  # part of the current request of `_key`, not a newer one
        self._changes: frozenset[str] = frozenset()
        self._retry_title: str | None = None
        self._kept = "Your change has not been made yet."
        self._failure_title = "Something went wrong"
        self._parent: QWidget = door.parent_widget
        self._progress: tuple[str, str, str, bool, QWidget | None] | None = None
        self._background: Callable[[str | None, float], None] | None = None

    def over(self, parent: QWidget) -> Op:
        """Ask and tell over `parent` (another window of the application) instead."""
        self._parent = parent
        return self

    def success(self, fn: Callable[[Any], None]) -> Op:
        """Call `fn(result)` on the GUI thread, if the result is still wanted."""
        self._on_success = fn
        return self

    def failure(self, fn: Callable[[Exception], None] | str) -> Op:
        """Call `fn(error)` instead of showing the error; a string is the title the error is
        shown under."""
        if isinstance(fn, str):
            self._failure_title = fn
        else:
            self._on_failure = fn
        return self

    def latest(self, key: str) -> Op:
        """Only the newest request of this kind is answered (the person moved on)."""
        self._key, self._joins = key, False
        return self

    def within(self, key: str) -> Op:
        """Part of the newest request of this kind (the next page of what is shown): answered
        until a newer request of the kind starts, without overtaking the ones in flight."""
        self._key, self._joins = key, True
        return self

    def changes(self, *what: str | frozenset[str]) -> Op:
        """What a successful run changed in the file (SESSIONS, THREAD, … or EVERYTHING)."""
        parts: set[str] = set()
        for item in what:
            parts |= set(item) if isinstance(item, frozenset) else {item}
        self._changes = frozenset(parts)
        return self

    def retry_when_locked(self, title: str, kept: str | None = None) -> Op:
        """A write: say so while it waits for another program's lock, and past the busy
        timeout offer Try Again (`kept` says where the change still is)."""
        self._retry_title = title
        self._failure_title = title
        if kept is not None:
            self._kept = kept
        return self

    def with_progress(self, title: str, text: str, verb: str, *, cancellable: bool = True,
                      over: QWidget | None = None) -> Op:
        """Long work: `work(store, report, should_stop)` runs on the long-work runner with a
        progress dialog (window-modal over `over`) and Cancel; a cancelled run says "`verb`
        cancelled; nothing was changed."."""
        self._progress = (title, text, verb, cancellable, over)
        return self

    def in_background(self, progress: Callable[[str | None, float], None] | None = None
                      ) -> Op:
        """Long work nobody waits for (the file's maintenance, a backup): it runs on the
        long-work runner, so browsing never waits for it; with `progress`, as `work(store,
        report, should_stop)` telling `progress` how far it got (the status bar, not a
        dialog). `run()` returns its Task, to cancel."""
        self._background = progress if progress is not None else _without_progress
        return self

    def run(self) -> Task | None:
        """Submit the work; None when no file is open."""
        door, store = self.door, self.door.store
        if store is None:
            return None
        number = 0 if self._key is None else door.current_request(self._key) if self._joins \
            else door.next_request(self._key)
        finished = False

        def waiting() -> None:
            if not finished:
                door.waiting.emit(True)

        def settle() -> bool:
            nonlocal finished
            finished = True
            if self._retry_title is not None:
                door.waiting.emit(False)
            return door.is_current(store, self._key, number)

        def done(result: Any) -> None:
            if not settle():
                return
            if self._changes:
                door.changed.emit(self._changes)
            if self._on_success is not None:
                self._on_success(result)

        def failed(error: Exception) -> None:
            if not settle():
                return
            if self._retry_title is not None and isinstance(error, DatabaseLockedError) \
                    and offer_try_again(self._parent, self._retry_title, error, self._kept):
                self.run()
                return
            if isinstance(error, FileReplacedError):
                door.replaced.emit(store.replaced_reason or str(error))
                return
            if self._on_failure is not None:
                self._on_failure(error)
            else:
                dialogs.report_failure(self._parent, error, self._failure_title)

        if self._progress is not None:
            title, text, verb, cancellable, over = self._progress
            return door.run_with_progress(
                lambda report, should_stop: self.work(store, report, should_stop), done, over,
                title, text, self._failure_title, verb, cancellable=cancellable, failed=failed)
        if self._background is _without_progress:
            return door.long_runner.submit(lambda: self.work(store), done, failed)
        if self._background is not None:
            return door.long_runner.submit(
                lambda report, should_stop: self.work(store, report, should_stop), done, failed,
                on_progress=self._background)
        if self._retry_title is not None:
            QTimer.singleShot(WAITING_NOTICE_MS, waiting)
        return door.runner.submit(lambda: self.work(store), done, failed)


class ReadOp(Op):
    """An operation that only reads: it changes nothing, so it neither retries a write nor
    reports a change."""

    def changes(self, *what: str | frozenset[str]) -> Op:
        raise TypeError("a read changes nothing; write through the door itself")

    def retry_when_locked(self, title: str, kept: str | None = None) -> Op:
        raise TypeError("a read does not wait to write; write through the door itself")

    def with_progress(self, title: str, text: str, verb: str, *, cancellable: bool = True,
                      over: QWidget | None = None) -> Op:
        raise TypeError("long work goes through the door itself")

    def in_background(self, progress: Callable[[str | None, float], None] | None = None
                      ) -> Op:
        raise TypeError("long work goes through the door itself")


class Reads:
    """A read-only face of the door for the models and panels: they read the open file with
    `op(...)`, and `begin(key)` says that what they show now starts again (a session chosen, a
    new search), so that answers to the requests before it are dropped."""

    def __init__(self, door: Door) -> None:
        self._door = door

    def op(self, work: Callable[[Store], Any]) -> ReadOp:
        """A read of the open file: `work(store)` runs on the database worker."""
        return ReadOp(self._door, work)

    def begin(self, key: str) -> None:
        """Start a new request of kind `key`; answers to the ones before it are dropped."""
        self._door.next_request(key)

    @property
    def busy(self) -> bool:
        """Whether the database worker has work in hand."""
        return self._door.busy
