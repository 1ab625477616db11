"""Where Comptoir keeps its files, and how it writes them (atomic, 0600 files in 0700 folders).

By default the folders come from platformdirs (per-user data, cache and log folders of each OS);
`--data-dir DIR` points all of them inside one folder, for tests, benchmarks and several workspaces.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from desktop import APP_NAME

BOOTSTRAP_NAME = "workspace.json"
DB_NAME = "comptoir.db"
WRAP_NAME = "key.wrap"


@dataclass(frozen=True)
class AppPaths:
    """The folders of one Comptoir data root."""

    data: Path
    cache: Path
    logs: Path

    @classmethod
    def default(cls) -> AppPaths:
        return cls(
            data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        root = root.expanduser().resolve()
        return cls(data=root, cache=root / "cache", logs=root / "logs")

    def ensure(self) -> AppPaths:
        for folder in (self.data, self.cache, self.logs):
            make_private_dir(folder)
        return self

    @property
    def workspace(self) -> Path:
        """The merchant's workspace folder."""
        return self.data

    @property
    def demo_workspace(self) -> Path:
        """The demo workspace lives beside, never inside, the merchant's data."""
        return self.data / "demo"


def make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        path.chmod(0o700)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: temp file (0600) in the same folder, fsync, rename."""
    make_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if os.name == "posix":
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if os.name == "posix":
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_bootstrap(workspace: Path) -> dict[str, Any] | None:
    """The plaintext bootstrap file of a workspace (key mode, language, ids; never a secret)."""
    path = workspace / BOOTSTRAP_NAME
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"damaged": True}
    return data


def write_bootstrap(workspace: Path, data: dict[str, Any]) -> None:
    atomic_write(workspace / BOOTSTRAP_NAME, json.dumps(data, indent=2, sort_keys=True).encode())
