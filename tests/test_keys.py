"""Where the key lives: keyring allow-list and probe, passphrase wrapping, recovery key."""

from __future__ import annotations

import json
import time
from pathlib import Path

import keyring.backends.fail
import keyring.backends.null
import pytest

from desktop.core.errors import KeyUnavailable, UserFacingError, WorkspaceExists, WrongPassphrase, WrongRecoveryKey
from desktop.core.models import KeyMode
from desktop.core.recovery import format_recovery_key, parse_recovery_key
from desktop.paths import DB_NAME, WRAP_NAME
from desktop.secrets.keyring_store import KeyringStore
from desktop.secrets.passphrase import KdfParams, unwrap_key, wrap_key
from desktop.services.workspace import WorkspaceService
from tests.conftest import PASSPHRASE
from tests.helpers import HangingKeyring, MemoryKeyring, files_containing


def test_recovery_key_round_trip_and_typos() -> None:
    key = bytes(range(32))
    text = format_recovery_key(key)
    groups = text.split("-")
    assert len(groups) == 14 and all(len(g) == 4 for g in groups)
    assert parse_recovery_key(text) == key
    assert parse_recovery_key(text.lower().replace("-", " ")) == key  # forgiving about case and spacing
    typo = text[:5] + ("A" if text[5] != "A" else "B") + text[6:]
    with pytest.raises(WrongRecoveryKey, match="typo"):
        parse_recovery_key(typo)
    with pytest.raises(WrongRecoveryKey, match="not a Comptoir recovery key"):
        parse_recovery_key(text[:-5])


def test_passphrase_wrap_uses_rfc9106_argon2id_and_detects_a_wrong_passphrase() -> None:
    key = bytes(range(32))
    wrapped = wrap_key(key, PASSPHRASE, "ws1")
    assert wrapped["kdf"] == {"alg": "argon2id", "t": 3, "m_kib": 65536, "p": 4}
    assert key.hex() not in json.dumps(wrapped)
    assert unwrap_key(wrapped, PASSPHRASE, "ws1") == key
    with pytest.raises(WrongPassphrase):
        unwrap_key(wrapped, PASSPHRASE + "!", "ws1")
    with pytest.raises(WrongPassphrase):  # bound to its workspace: a swapped key.wrap does not open
        unwrap_key(wrapped, PASSPHRASE, "ws2")
    # stronger parameters can be chosen later and are read back from the file
    stronger = wrap_key(key, PASSPHRASE, "ws1", KdfParams(time_cost=4, memory_kib=65536, parallelism=4))
    assert unwrap_key(stronger, PASSPHRASE, "ws1") == key


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring(),
                                     MemoryKeyring()], ids=["fail", "null", "not-an-os-keyring"])
def test_untrusted_keyrings_are_refused(backend: object) -> None:
    status = KeyringStore(backend, timeout=2).probe()
    assert not status.usable
    assert status.reason


def test_a_hanging_keyring_returns_within_the_timeout() -> None:
    hanging = HangingKeyring()
    store = KeyringStore(hanging, timeout=1.0)
    # Trust it for this test so the probe actually calls it (a real Secret Service waiting on a prompt).
    started = time.monotonic()
    try:
        status = store.probe()
        assert not status.usable  # refused by the allow-list before any call...
        import desktop.secrets.keyring_store as ks

        trusted = ks._TRUSTED
        ks._TRUSTED = (*trusted, "tests.helpers")
        try:
            started = time.monotonic()
            status = store.probe()
            with pytest.raises(KeyUnavailable, match="did not answer in time"):
                store.load_key("ws")
        finally:
            ks._TRUSTED = trusted
    finally:
        hanging.release.set()
    elapsed = time.monotonic() - started
    assert not status.usable and "did not answer in time" in status.reason
    assert elapsed < 4.0


def test_without_keyring_the_workspace_uses_a_passphrase_and_no_key_byte_is_on_disk(
        no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    with pytest.raises(UserFacingError, match="passphrase is needed"):
        no_keyring_service.create(data_dir)
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    try:
        assert created.info.key_mode == KeyMode.PASSPHRASE
        key = parse_recovery_key(created.recovery_key)
        workspace.db.write(lambda c: c.execute("INSERT INTO chats(title) VALUES ('hello')"))
        hits = files_containing(data_dir, {"hex": key.hex().encode(), "HEX": key.hex().upper().encode(),
                                           "raw": key, "recovery": created.recovery_key.encode()})
        assert hits == []
    finally:
        workspace.close()
    hits = files_containing(data_dir, {"hex": key.hex().encode(), "raw": key})
    assert hits == []
    boot = json.loads((data_dir / "workspace.json").read_text())
    assert boot["key_mode"] == "passphrase"
    assert set(boot) == {"version", "workspace_id", "key_mode", "keyring_backend", "demo", "ui_language",
                         "created_at", "complete"}  # nothing secret in the plaintext bootstrap file


def test_wrong_passphrase_and_wrong_recovery_key_change_nothing(
        no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    workspace.db.write(lambda c: c.execute("INSERT INTO chats(title) VALUES ('hello')"))
    workspace.close()
    db = data_dir / DB_NAME
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in data_dir.iterdir() if p.is_file()}
    with pytest.raises(WrongPassphrase) as err:
        no_keyring_service.unlock(data_dir, passphrase="not the passphrase")
    assert "not the one for this workspace" in err.value.message
    other = format_recovery_key(bytes(32))
    with pytest.raises(WrongRecoveryKey, match="does not open this workspace"):
        no_keyring_service.unlock(data_dir, recovery_key=other)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in data_dir.iterdir() if p.is_file()}
    assert after == before
    # the right ones open it
    with no_keyring_service.unlock(data_dir, passphrase=PASSPHRASE) as ws:
        assert ws.db.call(lambda c: c.execute("SELECT title FROM chats").fetchone()[0]) == "hello"
    with no_keyring_service.unlock(data_dir, recovery_key=created.recovery_key) as ws:
        assert ws.db.call(lambda c: c.execute("SELECT count(*) FROM chats").fetchone()[0]) == 1
    assert db.exists()


def test_recovery_key_resets_a_forgotten_passphrase(no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    workspace.close()
    with no_keyring_service.unlock(data_dir, recovery_key=created.recovery_key) as ws:
        no_keyring_service.rewrap_after_recovery(ws, created.recovery_key, new_passphrase="a brand new phrase")
    with pytest.raises(WrongPassphrase):
        no_keyring_service.unlock(data_dir, passphrase=PASSPHRASE)
    no_keyring_service.unlock(data_dir, passphrase="a brand new phrase").close()


def test_an_existing_workspace_is_never_overwritten(no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    workspace, _ = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    workspace.close()
    before = (data_dir / DB_NAME).read_bytes()
    with pytest.raises(WorkspaceExists):
        no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    (data_dir / "workspace.json").unlink()  # bootstrap lost, database still there
    with pytest.raises(UserFacingError, match=r"workspace\.json file is missing"):
        no_keyring_service.describe(data_dir)
    with pytest.raises(WorkspaceExists):
        no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    assert (data_dir / DB_NAME).read_bytes() == before
    assert (data_dir / WRAP_NAME).exists()


def test_an_interrupted_creation_is_redone(no_keyring_service: WorkspaceService, data_dir: Path) -> None:
    (data_dir / "workspace.json").write_text(json.dumps(
        {"version": 1, "workspace_id": "dead", "key_mode": "passphrase", "complete": False}))
    (data_dir / DB_NAME).write_bytes(b"half-written")
    assert no_keyring_service.describe(data_dir) is None  # not a workspace yet: the wizard shows
    workspace, created = no_keyring_service.create(data_dir, passphrase=PASSPHRASE)
    workspace.close()
    assert created.info.workspace_id != "dead"
    no_keyring_service.unlock(data_dir, passphrase=PASSPHRASE).close()
