"""Creating, unlocking and closing an encrypted workspace.

A workspace is a folder holding `workspace.json` (plaintext bootstrap: key mode, ids, language —
never a secret), `comptoir.db` (SQLCipher) and, in passphrase mode, `key.wrap`. The key is a random
32-byte raw key; it lives in the OS keyring when a probe proves one works, else wrapped with the
merchant's passphrase. A recovery key (the raw key, readable) is shown once at creation.

Every method here may block (keyring, Argon2id, disk): runs on a background thread, never the UI's.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.core.errors import (
    KeyUnavailable,
    UserFacingError,
    WorkspaceExists,
    WorkspaceMissing,
    WrongKey,
    WrongRecoveryKey,
)
from desktop.core.models import CreatedWorkspace, KeyMode, KeyringStatus, WorkspaceInfo
from desktop.core.recovery import format_recovery_key, parse_recovery_key
from desktop.paths import DB_NAME, WRAP_NAME, make_private_dir, read_bootstrap, write_bootstrap
from desktop.secrets.keyring_store import PENDING_SLOT, KeyringStore
from desktop.secrets.passphrase import KeyWrapper, check_passphrase, new_key, read_wrapped, write_wrapped
from desktop.store.database import Database, remove_rekey_leftovers

log = logging.getLogger("comptoir.workspace")

BOOTSTRAP_VERSION = 1
PENDING_WRAP_NAME = "key.wrap.next"  # passphrase mode: a new key while the database is being re-keyed


class KeyStorage:
    """Where an open workspace's key is kept, and how a new key replaces it (the re-key after a
    per-customer erasure). `stage` stores the new key beside the current one, `promote` makes it the
    current one; a crash between them is finished (or undone) by the next unlock.

    This base class is the workspace whose key cannot be stored again without the merchant (a
    passphrase workspace opened with its recovery key): `check` says what to do.
    """

    def check(self) -> None:
        """Raise UserFacingError, before anything is changed, when a new key could not be stored."""
        raise UserFacingError("Comptoir cannot store a new key for this workspace right now.",
                              "Open the workspace with your passphrase (not the recovery key), then try again.")

    def stage(self, key: bytes) -> None:
        self.check()

    def promote(self, key: bytes) -> None:
        self.check()

    def discard(self) -> None:
        """Forget a staged key that was never put in use."""


class _MemoryOnly(KeyStorage):
    """A throw-away workspace: the key lives only in memory, so there is nothing to store."""

    def check(self) -> None:
        return None

    def stage(self, key: bytes) -> None:
        return None

    def promote(self, key: bytes) -> None:
        return None


class _InKeyring(KeyStorage):
    """The key in the OS keyring: the new key goes to a second entry, then replaces the first."""

    def __init__(self, keystore: KeyringStore, workspace_id: str) -> None:
        self.keystore = keystore
        self.workspace_id = workspace_id

    def check(self) -> None:
        status = self.keystore.probe()
        if not status.usable:
            raise KeyUnavailable(f"The system keyring cannot store a new key right now ({status.reason}).",
                                 "Unlock your keyring and try again; nothing was changed.")

    def _save(self, key: bytes, slot: str) -> None:
        self.keystore.save_key(self.workspace_id, key, slot=slot)
        if self.keystore.load_key(self.workspace_id, slot=slot) != key:
            raise KeyUnavailable("The system keyring did not keep the new workspace key.",
                                 "Nothing was lost; try again.")

    def stage(self, key: bytes) -> None:
        self._save(key, PENDING_SLOT)

    def promote(self, key: bytes) -> None:
        self._save(key, "")
        self.discard()

    def discard(self) -> None:
        try:
            self.keystore.delete_key(self.workspace_id, slot=PENDING_SLOT)
        except Exception as exc:  # the entry may not exist; a leftover is discarded at the next unlock
            log.info("no pending keyring entry removed (%s)", type(exc).__name__)


class _Wrapped(KeyStorage):
    """Passphrase mode: the new key is wrapped with the key-encryption key derived at unlock (same
    passphrase, same salt and Argon2id parameters, a fresh nonce), so the merchant is not asked again."""

    def __init__(self, folder: Path, wrapper: KeyWrapper, workspace_id: str) -> None:
        self.folder = folder
        self.wrapper = wrapper
        self.workspace_id = workspace_id

    def check(self) -> None:
        return None

    def stage(self, key: bytes) -> None:
        write_wrapped(self.folder / PENDING_WRAP_NAME, self.wrapper.wrap(key, self.workspace_id))

    def promote(self, key: bytes) -> None:
        os.replace(self.folder / PENDING_WRAP_NAME, self.folder / WRAP_NAME)
        if os.name == "posix":
            fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def discard(self) -> None:
        (self.folder / PENDING_WRAP_NAME).unlink(missing_ok=True)


class Workspace:
    """An unlocked workspace: its description, its open database and where its key is kept."""

    def __init__(self, info: WorkspaceInfo, db: Database, *, ephemeral_dir: Path | None = None,
                 key_storage: KeyStorage | None = None) -> None:
        self.info = info
        self.db = db
        self.path = Path(info.path)
        self._ephemeral_dir = ephemeral_dir
        self.key_storage = key_storage or (_MemoryOnly() if ephemeral_dir is not None else KeyStorage())

    def close(self) -> None:
        if not self.db.closed:
            self.db.close()
        if self._ephemeral_dir is not None:
            shutil.rmtree(self._ephemeral_dir, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _info_from_bootstrap(folder: Path, data: dict[str, Any]) -> WorkspaceInfo:
    return WorkspaceInfo(
        path=str(folder),
        workspace_id=str(data["workspace_id"]),
        key_mode=KeyMode(data["key_mode"]),
        keyring_backend=str(data.get("keyring_backend", "")),
        demo=bool(data.get("demo", False)),
        ui_language=str(data.get("ui_language", "system")),
        created_at=str(data.get("created_at", "")),
    )


class WorkspaceService:
    """Workspace lifecycle. `keystore` is the OS keyring door (tests pass real backends through it)."""

    def __init__(self, keystore: KeyringStore | None = None, *, cache_mib: int = 64) -> None:
        self.keystore = keystore or KeyringStore()
        self.cache_mib = cache_mib

    # --- inspection -------------------------------------------------------------------------------

    def describe(self, folder: Path) -> WorkspaceInfo | None:
        """What the bootstrap file says, or None when the folder holds no (complete) workspace."""
        data = read_bootstrap(folder)
        if data is None:
            if (folder / DB_NAME).exists():
                raise UserFacingError(
                    "This folder holds a Comptoir database but its workspace.json file is missing.",
                    "Restore workspace.json from a backup; Comptoir will not overwrite the database.",
                )
            return None
        if data.get("damaged"):
            raise UserFacingError("The workspace file workspace.json is damaged.",
                                  "Restore it from a backup; the database itself was not touched.")
        if not data.get("complete", False):
            return None
        return _info_from_bootstrap(folder, data)

    def probe_keyring(self) -> KeyringStatus:
        return self.keystore.probe()

    # --- creation ---------------------------------------------------------------------------------

    def create(self, folder: Path, *, passphrase: str | None = None, prefer_passphrase: bool = False,
               demo: bool = False, ui_language: str = "system",
               keyring_status: KeyringStatus | None = None) -> tuple[Workspace, CreatedWorkspace]:
        """Create a new workspace in `folder` and return it open, with its one-time recovery key.

        Uses the OS keyring when a probe proves it works (unless `prefer_passphrase`), else needs a
        passphrase. Never overwrites an existing workspace.
        """
        existing = read_bootstrap(folder)
        if existing is not None and existing.get("complete", False):
            raise WorkspaceExists("A workspace already exists in this folder.",
                                  f"Open it instead, or choose another folder than {folder}.")
        if existing is None and (folder / DB_NAME).exists():
            raise WorkspaceExists("This folder already holds a Comptoir database.",
                                  "Comptoir never overwrites a database. Choose another folder.")
        if existing is not None:
            self._discard_incomplete(folder, existing)

        status = keyring_status or (KeyringStatus(False, "", "passphrase chosen") if prefer_passphrase
                                    else self.keystore.probe())
        use_keyring = status.usable and not prefer_passphrase
        if not use_keyring:
            if passphrase is None:
                raise UserFacingError(
                    "No system keyring can protect the workspace key on this computer, so a passphrase is needed.",
                    f"({status.reason}) Choose a passphrase you will type each time Comptoir opens.",
                )
            check_passphrase(passphrase)

        make_private_dir(folder)
        workspace_id = uuid.uuid4().hex
        boot: dict[str, Any] = {
            "version": BOOTSTRAP_VERSION,
            "workspace_id": workspace_id,
            "key_mode": str(KeyMode.KEYRING if use_keyring else KeyMode.PASSPHRASE),
            "keyring_backend": status.backend if use_keyring else "",
            "demo": demo,
            "ui_language": ui_language,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "complete": False,  # set once the key is safely stored; an incomplete one is redone
        }
        write_bootstrap(folder, boot)
        key = new_key()
        storage: KeyStorage
        if use_keyring:
            self.keystore.save_key(workspace_id, key)
            if self.keystore.load_key(workspace_id) != key:
                raise UserFacingError("The system keyring did not keep the workspace key.",
                                      "Try again, or choose a passphrase instead.")
            storage = _InKeyring(self.keystore, workspace_id)
        else:
            assert passphrase is not None
            wrapper = KeyWrapper.new(passphrase)
            write_wrapped(folder / WRAP_NAME, wrapper.wrap(key, workspace_id))
            storage = _Wrapped(folder, wrapper, workspace_id)
        db = Database(folder / DB_NAME, key, create=True, cache_mib=self.cache_mib)
        boot["complete"] = True
        write_bootstrap(folder, boot)
        info = _info_from_bootstrap(folder, boot)
        log.info("created workspace %s (%s mode)", workspace_id[:8], info.key_mode)
        return Workspace(info, db, key_storage=storage), CreatedWorkspace(info, format_recovery_key(key))

    def create_ephemeral(self, folder: Path, *, demo: bool = False) -> Workspace:
        """A throw-away workspace whose key only ever lives in memory; the folder is deleted on close."""
        make_private_dir(folder)
        if any(folder.iterdir()):
            raise WorkspaceExists("The folder for a throw-away workspace is not empty.", str(folder))
        key = new_key()
        db = Database(folder / DB_NAME, key, create=True, cache_mib=self.cache_mib)
        info = WorkspaceInfo(path=str(folder), workspace_id=uuid.uuid4().hex, key_mode=KeyMode.EPHEMERAL,
                             demo=demo, created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        return Workspace(info, db, ephemeral_dir=folder)

    def _discard_incomplete(self, folder: Path, boot: dict[str, Any]) -> None:
        """A creation that crashed before storing its key holds no merchant data: clear it."""
        log.warning("discarding an incomplete workspace creation in %s", folder)
        if boot.get("key_mode") == KeyMode.KEYRING and boot.get("workspace_id"):
            for slot in ("", PENDING_SLOT):
                try:
                    self.keystore.delete_key(str(boot["workspace_id"]), slot=slot)
                except Exception as exc:  # the entry may never have been written
                    log.info("no keyring entry to remove (%s)", type(exc).__name__)
        for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", WRAP_NAME,
                     PENDING_WRAP_NAME):
            (folder / name).unlink(missing_ok=True)
        remove_rekey_leftovers(folder / DB_NAME)

    # --- unlocking --------------------------------------------------------------------------------

    def unlock(self, folder: Path, *, passphrase: str | None = None, recovery_key: str | None = None) -> Workspace:
        """Open an existing workspace. Raises KeyUnavailable, WrongPassphrase, WrongRecoveryKey, WrongKey…

        The database file is never modified or recreated when the key is wrong or missing.
        """
        info = self.describe(folder)
        if info is None:
            raise WorkspaceMissing("There is no Comptoir workspace in this folder.",
                                   f"Create one, or check the folder ({folder}).")
        if recovery_key is not None:
            key = parse_recovery_key(recovery_key)
            try:
                db = Database(folder / DB_NAME, key, cache_mib=self.cache_mib)
            except WrongKey:
                raise WrongRecoveryKey("This recovery key does not open this workspace.",
                                       "Nothing was changed. Check you are using the key saved for this workspace."
                                       ) from None
            in_keyring = _InKeyring(self.keystore, info.workspace_id) if info.key_mode == KeyMode.KEYRING else None
            return Workspace(info, db, key_storage=in_keyring or KeyStorage())
        storage: KeyStorage
        current: bytes | None
        pending: bytes | None = None
        if info.key_mode == KeyMode.KEYRING:
            storage = _InKeyring(self.keystore, info.workspace_id)
            try:
                pending = self.keystore.load_key(info.workspace_id, slot=PENDING_SLOT)
            except KeyUnavailable:
                pending = None  # the usual case: no re-key was interrupted
            try:
                current = self.keystore.load_key(info.workspace_id)
            except KeyUnavailable as exc:
                if pending is None:
                    backend = self.keystore.backend_label
                    if info.keyring_backend and backend != info.keyring_backend:
                        raise KeyUnavailable(
                            f"The workspace key was stored in another keyring ({info.keyring_backend}); "
                            f"this session uses {backend}.",
                            "Open the workspace with your recovery key; nothing was changed.",
                        ) from exc
                    raise
                current = None
        else:
            if passphrase is None:
                raise UserFacingError("This workspace is protected by a passphrase.",
                                      "Type the passphrase, or use your recovery key.")
            wrapped = read_wrapped(folder / WRAP_NAME)
            wrapper = KeyWrapper.derive(passphrase, wrapped)
            current = wrapper.unwrap(wrapped, info.workspace_id)
            storage = _Wrapped(folder, wrapper, info.workspace_id)
            if (folder / PENDING_WRAP_NAME).exists():
                try:
                    staged = read_wrapped(folder / PENDING_WRAP_NAME)
                    same = wrapper if wrapper.matches(staged) else KeyWrapper.derive(passphrase, staged)
                    pending = same.unwrap(staged, info.workspace_id)
                except UserFacingError:  # damaged or foreign: it cannot be the key of a finished swap
                    pending = None
        db = self._open_current_or_pending(folder, current, pending, storage)
        return Workspace(info, db, key_storage=storage)

    def _open_current_or_pending(self, folder: Path, current: bytes | None, pending: bytes | None,
                                 storage: KeyStorage) -> Database:
        """Open with the key in use; after an interrupted re-key, with whichever key the file now needs.

        A staged key that opens the file means the new file was swapped in but the key not yet
        promoted: promote it now. One that does not open it was never put in use: discard it.
        """
        path = folder / DB_NAME
        if pending is not None and pending != current:
            try:
                db = Database(path, pending, cache_mib=self.cache_mib)
            except WrongKey:
                log.warning("discarding a new key that was never put in use (an interrupted re-key)")
                storage.discard()
                remove_rekey_leftovers(path)
            else:
                try:
                    storage.promote(pending)
                    log.warning("finished an interrupted re-key: the new key is now the workspace key")
                except Exception as exc:  # the file is open; the next unlock promotes it again
                    log.warning("could not promote the new key yet (%s)", type(exc).__name__)
                return db
        elif pending is not None:
            storage.discard()
        elif remove_rekey_leftovers(path):  # a copy whose key was never stored: nothing can read it
            log.warning("removed the unfinished copy of an interrupted re-key")
        if current is None:
            raise KeyUnavailable("The workspace key is not in this computer's keyring.",
                                 "Open the workspace with your recovery key; Comptoir will store the key again.")
        return Database(path, current, cache_mib=self.cache_mib)

    # --- after a recovery -------------------------------------------------------------------------

    def rewrap_after_recovery(self, workspace: Workspace, recovery_key: str, *,
                              new_passphrase: str | None = None) -> WorkspaceInfo:
        """Store the key again after a recovery unlock: in the keyring if one works, else under a new passphrase."""
        key = parse_recovery_key(recovery_key)
        folder = workspace.path
        boot = read_bootstrap(folder) or {}
        status = self.keystore.probe()
        if status.usable and new_passphrase is None:
            self.keystore.save_key(workspace.info.workspace_id, key)
            boot.update(key_mode=str(KeyMode.KEYRING), keyring_backend=status.backend)
            (folder / WRAP_NAME).unlink(missing_ok=True)
            workspace.key_storage = _InKeyring(self.keystore, workspace.info.workspace_id)
        else:
            if new_passphrase is None:
                raise UserFacingError("No system keyring works here, so choose a new passphrase.", status.reason)
            wrapper = KeyWrapper.new(new_passphrase)
            write_wrapped(folder / WRAP_NAME, wrapper.wrap(key, workspace.info.workspace_id))
            boot.update(key_mode=str(KeyMode.PASSPHRASE), keyring_backend="")
            workspace.key_storage = _Wrapped(folder, wrapper, workspace.info.workspace_id)
        write_bootstrap(folder, boot)
        workspace.info = _info_from_bootstrap(folder, boot)
        return workspace.info



def save_ui_language(workspace: Workspace, language: str) -> None:
    """Mirror the language setting into the bootstrap file, which is read before unlock."""
    if workspace.info.key_mode == KeyMode.EPHEMERAL:
        return
    boot = read_bootstrap(workspace.path)
    if boot and not boot.get("damaged"):
        boot["ui_language"] = language
        write_bootstrap(workspace.path, boot)
    workspace.info = replace(workspace.info, ui_language=language)
