"""A canary written through the app never appears in the clear in any file of the data folder."""

from __future__ import annotations

import secrets
from pathlib import Path

from desktop.paths import AppPaths
from desktop.services.session import Session
from desktop.services.workspace import WorkspaceService
from tests.conftest import PASSPHRASE
from tests.helpers import cli, encodings_of, files_containing


def test_canary_is_not_in_any_file_while_running_and_after_close(
        no_keyring_service: WorkspaceService, tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "root").ensure()
    canary = f"CANARY-{secrets.token_hex(6)}-Zébulon"
    patterns = encodings_of(canary)
    workspace, _ = no_keyring_service.create(paths.workspace, passphrase=PASSPHRASE)
    session = Session(workspace)
    try:
        session.add_message(subject=f"Order question {canary}", body_text=f"Hello, my secret is {canary}.\n" * 20,
                            from_addr="ann@example.fr", from_name="Ann", date="2026-11-20T10:00:00Z")
        session.set_setting("assistant.extra_instructions", f"Always sign with {canary}")
        chat = session.add_chat_message(None, "user", f"Summarise what {canary} asked")
        session.add_chat_message(chat, "assistant", canary * 50)
        # The data really is there, readable through the app...
        assert session.get_setting("assistant.extra_instructions").endswith(canary)
        assert [t.subject for t in session.threads(query=canary.split("-")[1])] == [f"Order question {canary}"]
        # ...and while the app runs (WAL holding fresh pages), no file shows it.
        assert (paths.workspace / "comptoir.db-wal").exists()
        assert files_containing(paths.data, patterns) == []
    finally:
        workspace.close()
    assert files_containing(paths.data, patterns) == []
    # A setting changed from the CLI (another process) lands encrypted too.
    done = cli("--passphrase-env", "PP", "settings", "set", "assistant.extra_instructions", f"again {canary}",
               data_dir=paths.data, env={"PP": PASSPHRASE})
    assert done.returncode == 0, done.stderr
    assert files_containing(paths.data, patterns) == []
    shown = cli("--passphrase-env", "PP", "settings", "get", "assistant.extra_instructions",
                data_dir=paths.data, env={"PP": PASSPHRASE})
    assert canary in shown.stdout
