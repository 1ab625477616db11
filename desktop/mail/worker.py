"""Turning fetched sources into storable messages, in worker processes (the parser is the wall).

`prepare` runs in a process pool so parsing uses the second core while the network thread fetches
and the DB thread writes. It only takes and returns plain picklable values.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import zlib
from datetime import datetime
from types import FrameType

from desktop.core.mail import IncomingMessage, ParsedMessage
from desktop.mail.parse import parse_message

RawItem = tuple[int, bytes, tuple[str, ...], datetime | None, int | None]
PARSE_SECONDS = 2.0  # a hostile message gets this much CPU, then it is stored raw and flagged


def _too_slow(_signum: int, _frame: FrameType | None) -> None:
    raise TimeoutError(f"parsing took longer than {PARSE_SECONDS:g} s")


def _parse(raw: bytes, internal: datetime | None) -> ParsedMessage:
    """parse_message with a wall-clock limit where a timer signal can be used (a worker's main thread)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return parse_message(raw, internal_date=internal)
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.setitimer(signal.ITIMER_REAL, PARSE_SECONDS)
    try:
        return parse_message(raw, internal_date=internal)  # never raises: a timeout becomes parse_error
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def prepare(uidvalidity: int, items: list[RawItem]) -> list[IncomingMessage]:
    out = []
    for uid, raw, flags, internal, modseq in items:
        parsed = _parse(raw, internal)
        out.append(IncomingMessage(
            uid=uid, uidvalidity=uidvalidity, flags=flags,
            internal_date=internal.strftime("%Y-%m-%dT%H:%M:%SZ") if internal else None, modseq=modseq,
            raw_compressed=zlib.compress(raw, 1), raw_sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
            parsed=parsed,
        ))
    return out
