"""Background operations and the bridge back to the UI thread.

Views never write threads by hand. They say:

    op(self, lambda job: session.threads()).on_success(self.show_threads).with_progress(self.tr("Loading")).run()

`fn` runs on the background pool with a `Job` (cancel token + progress); its result, progress and
errors come back on the UI thread through one queued signal. Errors are routed by audience:
`UserFacingError` → a message box with what to do, `Cancelled` → nothing, anything else → a crash
report the merchant can copy.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from desktop.core.errors import Cancelled, UserFacingError
from desktop.logs import redact
from desktop.tasks.cancel import CancelToken, Job, Progress
from desktop.tasks.executors import BackgroundPool

T = TypeVar("T")
log = logging.getLogger("comptoir.ui")


class _Relay(QObject):
    """Lives on the UI thread; closures emitted from any thread run there, in order."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self.on_call, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def on_call(self, fn: Callable[[], None]) -> None:
        fn()


_relay: _Relay | None = None
_pool: BackgroundPool | None = None
_running: set[Operation[Any]] = set()


def init_bridge() -> None:
    """Create the relay and the pool; call once on the UI thread after QApplication exists."""
    global _relay, _pool
    if _relay is None:
        _relay = _Relay()
    if _pool is None:
        _pool = BackgroundPool(max_workers=4)


def shutdown_bridge() -> None:
    global _pool
    for operation in list(_running):
        operation.token.cancel()
    if _pool is not None:
        _pool.shutdown()
        _pool = None


def on_ui_thread(fn: Callable[[], None]) -> None:
    """Queue `fn` to run on the UI thread (safe from any thread)."""
    assert _relay is not None, "init_bridge() was not called"
    _relay.call.emit(fn)


def running_operations() -> int:
    return len(_running)


class Operation(Generic[T]):
    """One background call with its callbacks. Build with `op(parent, fn)`."""

    def __init__(self, parent: QWidget | None, fn: Callable[[Job], T]) -> None:
        self.parent = parent
        self.fn = fn
        self.token = CancelToken()
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[UserFacingError], None] | None = None
        self._finally: Callable[[], None] | None = None
        self._progress_label: str | None = None
        self._progress_cb: Callable[[Progress], None] | None = None
        self._dialog: QProgressDialog | None = None

    def on_success(self, cb: Callable[[T], None]) -> Operation[T]:
        self._success = cb
        return self

    def on_failure(self, cb: Callable[[UserFacingError], None]) -> Operation[T]:
        """Handle merchant-facing errors yourself (e.g. show them inline) instead of a message box."""
        self._failure = cb
        return self

    def on_done(self, cb: Callable[[], None]) -> Operation[T]:
        self._finally = cb
        return self

    def on_progress(self, cb: Callable[[Progress], None]) -> Operation[T]:
        """Show progress inline (e.g. a status line) instead of a dialog; runs on the UI thread."""
        self._progress_cb = cb
        return self

    def with_progress(self, label: str) -> Operation[T]:
        """Show a progress dialog (after 400 ms) with a Cancel button."""
        self._progress_label = label
        return self

    def run(self) -> CancelToken:
        init_bridge()
        assert _pool is not None
        if self._progress_label is not None:
            cancel = QCoreApplication.translate("Operation", "Cancel")
            dialog = QProgressDialog(self._progress_label, cancel, 0, 0, self.parent)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(400)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.canceled.connect(self.token.cancel)
            self._dialog = dialog
        _running.add(self)
        job = Job(self.token, lambda p: on_ui_thread(lambda: self._show_progress(p)))
        _pool.submit(self._work, job)
        return self.token

    # --- background side ----------------------------------------------------------------------------

    def _work(self, job: Job) -> None:
        try:
            result = self.fn(job)
        except BaseException as exc:  # routed to the UI thread below
            error = exc
            tb = traceback.format_exc()
            on_ui_thread(lambda: self._finish_error(error, tb))
            return
        on_ui_thread(lambda: self._finish_ok(result))

    # --- UI side --------------------------------------------------------------------------------------

    def _show_progress(self, progress: Progress) -> None:
        if self.token.cancelled:
            return
        if self._progress_cb is not None:
            self._progress_cb(progress)
        if self._dialog is None:
            return
        self._dialog.setMaximum(max(progress.total, 0))
        self._dialog.setValue(min(progress.done, progress.total) if progress.total else 0)
        if progress.label:
            self._dialog.setLabelText(progress.label)

    def _close(self) -> None:
        _running.discard(self)
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self.token.cancel)
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        if self._finally is not None:
            self._finally()

    def _finish_ok(self, result: T) -> None:
        cancelled = self.token.cancelled
        self._close()
        if not cancelled and self._success is not None:
            self._success(result)

    def _finish_error(self, error: BaseException, tb: str) -> None:
        self._close()
        if isinstance(error, Cancelled):
            return
        if isinstance(error, UserFacingError):
            if self._failure is not None:
                self._failure(error)
            else:
                show_user_error(self.parent, error)
            return
        log.error("unexpected error in a background operation:\n%s", tb)
        show_crash_report(self.parent, tb)


def op(parent: QWidget | None, fn: Callable[[Job], T]) -> Operation[T]:
    """Start building a background operation."""
    return Operation(parent, fn)


def show_user_error(parent: QWidget | None, error: UserFacingError) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "Comptoir", error.message, QMessageBox.StandardButton.Ok, parent)
    if error.hint:
        box.setInformativeText(error.hint)
    box.setObjectName("userErrorBox")
    box.open()


def show_crash_report(parent: QWidget | None, tb: str) -> None:
    from desktop.ui.dialogs import CrashDialog

    dialog = CrashDialog(redact(tb), parent)
    dialog.open()


def later(ms: int, fn: Callable[[], None]) -> None:
    QTimer.singleShot(ms, fn)
