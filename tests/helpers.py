"""Test helpers: real keyring backends for edge cases, file scanning, and running the CLI."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from pathlib import Path

from keyring.backend import KeyringBackend

REPO = Path(__file__).resolve().parents[1]


class HangingKeyring(KeyringBackend):
    """A keyring backend that never answers, like a Secret Service waiting on an unlock prompt."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(120)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(120)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(120)


class MemoryKeyring(KeyringBackend):
    """A working keyring that keeps secrets in memory: real enough to pass a round trip, but not an OS
    keyring, so Comptoir must refuse to trust it (the allow-list test)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


def encodings_of(secret: str) -> dict[str, bytes]:
    """The byte patterns under which `secret` could sit in a file: UTF-8, UTF-16LE and base64.

    For base64 the encoding depends on the alignment inside the encoded stream, so the pattern is
    the stable middle of the encoding at each of the three offsets.
    """
    raw = secret.encode()
    out = {"utf-8": raw, "utf-16le": secret.encode("utf-16-le")}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        # drop the characters that mix in the padding bytes and the ragged end
        start = (shift * 4 + 2) // 3 + (1 if shift else 0)
        out[f"base64+{shift}"] = encoded[start : len(encoded) - 4]
    return out


def files_containing(root: Path, patterns: dict[str, bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for name, pattern in patterns.items():
            if pattern and pattern in data:
                hits.append(f"{path.relative_to(root)} ({name})")
    return hits


def cli(*args: str, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 120
        ) -> subprocess.CompletedProcess[str]:
    """Run `python main.py --data-dir DIR ARGS…` as the merchant would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=full_env, timeout=timeout, check=False,
    )
