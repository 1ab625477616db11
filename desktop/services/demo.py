"""The demo workspace: a fictional shop so a newcomer sees Comptoir work without any setup.

With a working OS keyring the demo is kept (key in the keyring, like a real workspace); without
one it is a throw-away workspace whose key lives only in memory and which is rebuilt each time.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from desktop.core.models import CreatedWorkspace, KeyringStatus
from desktop.services.workspace import Workspace, WorkspaceService
from desktop.store.connection import Connection
from desktop.store.database import transaction

log = logging.getLogger("comptoir.demo")


def fill(workspace: Workspace) -> dict[str, int]:
    from desktop.services.demo_data import populate_demo

    def _fill(conn: Connection) -> dict[str, int]:
        with transaction(conn):
            return populate_demo(conn)

    return workspace.db.call(_fill)


def open_demo(service: WorkspaceService, folder: Path, *,
              keyring_status: KeyringStatus | None = None) -> Workspace:
    """Open the demo workspace in `folder`, creating it (or, without a keyring, a fresh throw-away one)."""
    status = keyring_status or service.probe_keyring()
    if status.usable:
        info = service.describe(folder)
        if info is not None and info.demo:
            return service.unlock(folder)
        if info is None:
            workspace, _ = service.create(folder, demo=True, keyring_status=status)
            fill(workspace)
            return workspace
    # No keyring (or the folder is not a demo): an in-memory-key demo in a fresh sub-folder.
    scratch = folder / "session"
    if scratch.exists():
        shutil.rmtree(scratch)  # a leftover throw-away demo whose key died with its process
    workspace = service.create_ephemeral(scratch, demo=True)
    fill(workspace)
    return workspace


def create_demo(service: WorkspaceService, folder: Path, *, passphrase: str | None = None
                ) -> tuple[Workspace, CreatedWorkspace]:
    """`comptoir demo`: a persistent demo workspace (keyring, or passphrase when there is none)."""
    workspace, created = service.create(folder, passphrase=passphrase, demo=True)
    fill(workspace)
    return workspace, created
