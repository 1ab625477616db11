"""Cancellation and progress for long jobs, shared by the CLI and the GUI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """A progress report: `done` of `total` (total 0 means unknown) and a short label."""

    done: int
    total: int
    label: str = ""


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """Set once by whoever wants a job to stop; checked by the job between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; return True (early) if cancelled meanwhile."""
        return self._event.wait(seconds)


class Job:
    """What a background function receives: its cancel token and a way to report progress."""

    def __init__(self, token: CancelToken | None = None, on_progress: ProgressCallback | None = None) -> None:
        self.token = token or CancelToken()
        self._on_progress = on_progress

    def progress(self, done: int, total: int = 0, label: str = "") -> None:
        """Report progress and honour cancellation (raises Cancelled if asked to stop)."""
        self.token.raise_if_cancelled()
        if self._on_progress is not None:
            self._on_progress(Progress(done, total, label))

    def check(self) -> None:
        self.token.raise_if_cancelled()
