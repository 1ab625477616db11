"""The database thread and the background pool.

One thread owns the single SQLCipher connection and runs every read and write, in order. A bounded
pool runs the rest of the slow work (network, keyring, parsing), so the UI thread never blocks.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
C = TypeVar("C")

log = logging.getLogger("comptoir.tasks")


class SingleThreadOwner(Generic[C]):
    """Runs callables on one dedicated thread that owns a resource (the DB connection).

    The resource is created on that thread by `factory` and closed there by `closer`, because
    SQLite connections must stay on the thread that made them.
    """

    def __init__(self, name: str, factory: Callable[[], C], closer: Callable[[C], None]) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closer = closer
        self._resource: C | None = None
        self._thread_ident: int | None = None
        self._closed = False
        self._lock = threading.Lock()

        def _create() -> None:
            self._thread_ident = threading.get_ident()
            self._resource = factory()

        try:
            self._executor.submit(_create).result()
        except BaseException:
            self._executor.shutdown(wait=True)
            raise

    def submit(self, fn: Callable[[C], T]) -> concurrent.futures.Future[T]:
        """Queue `fn(resource)` on the owner thread; returns a Future."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the database is closed")

            def _run() -> T:
                assert self._resource is not None
                return fn(self._resource)

            return self._executor.submit(_run)

    def call(self, fn: Callable[[C], T]) -> T:
        """Run `fn(resource)` on the owner thread and wait for it (never call from the UI thread)."""
        if threading.get_ident() == self._thread_ident:
            assert self._resource is not None
            return fn(self._resource)  # re-entrant call from inside a DB job
        return self.submit(fn).result()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True

        def _close() -> None:
            if self._resource is not None:
                self._closer(self._resource)
                self._resource = None

        try:
            self._executor.submit(_close).result()
        finally:
            self._executor.shutdown(wait=True)

    @property
    def closed(self) -> bool:
        return self._closed


class BackgroundPool:
    """A bounded pool for network, keyring and CPU work that must not run on the UI thread."""

    def __init__(self, max_workers: int = 4) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers,
                                                               thread_name_prefix="comptoir-bg")

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        return self._executor.submit(fn, *args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def call_with_timeout(fn: Callable[[], T], timeout: float, what: str) -> T:
    """Run `fn` on a daemon thread and give up after `timeout` seconds.

    Used for keyring calls: a locked Secret Service or an unanswered prompt blocks forever
    (jaraco/keyring PR #735 is still open), so the caller must be able to walk away. The stuck
    thread is a daemon and dies with the process.
    """
    box: dict[str, Any] = {}
    done = threading.Event()

    def _run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            done.set()

    thread = threading.Thread(target=_run, name=f"comptoir-timeout-{what}", daemon=True)
    thread.start()
    if not done.wait(timeout):
        raise TimeoutError(f"{what} did not answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]
