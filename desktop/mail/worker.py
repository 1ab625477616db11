"""Turning fetched sources into storable messages, in worker processes (the parser is the wall).

`prepare` runs in a process pool so parsing uses the second core while the network thread fetches
and the DB thread writes. It only takes and returns plain picklable values.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime

from desktop.core.mail import IncomingMessage
from desktop.mail.parse import parse_message

RawItem = tuple[int, bytes, tuple[str, ...], datetime | None, int | None]


def prepare(uidvalidity: int, items: list[RawItem]) -> list[IncomingMessage]:
    out = []
    for uid, raw, flags, internal, modseq in items:
        parsed = parse_message(raw, internal_date=internal)
        out.append(IncomingMessage(
            uid=uid, uidvalidity=uidvalidity, flags=flags,
            internal_date=internal.strftime("%Y-%m-%dT%H:%M:%SZ") if internal else None, modseq=modseq,
            raw_compressed=zlib.compress(raw, 1), raw_sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
            parsed=parsed,
        ))
    return out
