"""With a real Secret Service (gnome-keyring on a private D-Bus session bus)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.errors import KeyUnavailable
from desktop.core.models import KeyMode
from desktop.paths import DB_NAME
from desktop.secrets.keyring_store import SERVICE, KeyringStore
from desktop.services.workspace import WorkspaceService
from tests.conftest import SecretService
from tests.helpers import cli, files_containing

pytestmark = pytest.mark.keyring


def test_key_lands_in_the_secret_service_and_reopens_without_prompt(
        secret_service: SecretService, data_dir: Path) -> None:
    backend = secret_service.backend()
    service = WorkspaceService(KeyringStore(backend, timeout=10))
    status = service.probe_keyring()
    assert status.usable, status.reason
    assert status.backend == "keyring.backends.SecretService.Keyring"
    workspace, created = service.create(data_dir)
    workspace.db.write(lambda c: c.execute("INSERT INTO chats(title) VALUES ('hello')"))
    workspace.close()
    assert created.info.key_mode == KeyMode.KEYRING
    stored = backend.get_password(SERVICE, f"workspace-{created.info.workspace_id}")  # type: ignore[attr-defined]
    assert stored is not None and len(bytes.fromhex(stored)) == 32
    assert files_containing(data_dir, {"hex": stored.encode(), "raw": bytes.fromhex(stored)}) == []
    assert not (data_dir / "key.wrap").exists()
    # reopen: no passphrase, no prompt
    with service.unlock(data_dir) as ws:
        assert ws.db.call(lambda c: c.execute("SELECT title FROM chats").fetchone()[0]) == "hello"


def test_lost_keyring_entry_asks_for_the_recovery_key_and_stores_the_key_again(
        secret_service: SecretService, data_dir: Path) -> None:
    backend = secret_service.backend()
    service = WorkspaceService(KeyringStore(backend, timeout=10))
    workspace, created = service.create(data_dir)
    workspace.close()
    service.keystore.delete_key(created.info.workspace_id)  # keyring reset, new computer…
    db = data_dir / DB_NAME
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    with pytest.raises(KeyUnavailable, match="not in this computer's keyring") as err:
        service.unlock(data_dir)
    assert "recovery key" in err.value.hint
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before  # never recreated (Signal-Desktop #5097)
    with service.unlock(data_dir, recovery_key=created.recovery_key) as ws:
        service.rewrap_after_recovery(ws, created.recovery_key)
    service.unlock(data_dir).close()  # the keyring holds it again


def test_cli_uses_the_secret_service(secret_service: SecretService, data_dir: Path) -> None:
    env = secret_service.subprocess_env()
    made = cli("init", "--json", data_dir=data_dir, env=env)
    assert made.returncode == 0, made.stderr
    info = json.loads(made.stdout)
    assert info["key_mode"] == "keyring"
    status = cli("status", "--json", data_dir=data_dir, env=env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["key_mode"] == "keyring"
    # Without the Secret Service (fail backend), the same workspace says what to do and changes nothing.
    mtime = (data_dir / DB_NAME).stat().st_mtime_ns
    blocked = cli("status", data_dir=data_dir, env={**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert blocked.returncode == 1
    assert "recovery key" in blocked.stderr
    assert (data_dir / DB_NAME).stat().st_mtime_ns == mtime
