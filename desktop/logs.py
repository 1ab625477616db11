"""Logging: named loggers per subsystem, a 0600 log file, and a redaction filter as a safety net.

The code never logs secrets on purpose; the filter catches what slips through (hex keys, recovery
keys, `password=…` pairs, bearer tokens) before any handler sees it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

_PATTERNS = [
    (re.compile(r"\b[0-9a-fA-F]{64}\b"), "[redacted-key]"),
    (re.compile(r"\b(?:[0-9A-Z]{4}-){13}[0-9A-Z]{4}\b"), "[redacted-recovery-key]"),
    (re.compile(r"(?i)\b(password|passphrase|secret|token|api[_-]?key)(\s*[=:]\s*)\S+"), r"\1\2[redacted]"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted]"),
    (re.compile(r"\bshp(?:at|ss|ca|pa)_[0-9a-fA-F]+"), "[redacted-shopify-token]"),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"), "[redacted-api-key]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(log_dir: Path | None, *, verbose: bool = False) -> None:
    """Configure the `comptoir` logger: stderr for warnings, a rotating 0600 file for the rest."""
    root = logging.getLogger("comptoir")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stream = logging.StreamHandler()
    stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
    stream.setFormatter(fmt)
    stream.addFilter(RedactingFilter())
    root.addHandler(stream)
    if log_dir is not None:
        path = log_dir / "comptoir.log"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.close(fd)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(fmt)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.propagate = False


def close_logging() -> None:
    root = logging.getLogger("comptoir")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
