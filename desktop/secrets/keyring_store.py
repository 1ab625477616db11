"""The OS keyring, used only after a probe proves it is a real, working backend.

Allowed: macOS Keychain, Windows Credential Locker, Secret Service / libsecret, KWallet. Refused:
the `fail` and `null` backends, anything from keyrings.alt (plaintext or weakly encrypted files),
and any backend whose set/get/delete round trip errors or does not answer within the timeout. Every
call runs on a helper thread with a timeout, because a locked Secret Service or an unanswered
unlock prompt blocks forever (jaraco/keyring PR #735).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import keyring
import keyring.backend
import keyring.errors

from desktop.core.errors import KeyUnavailable
from desktop.core.models import KeyringStatus
from desktop.tasks.executors import call_with_timeout

log = logging.getLogger("comptoir.secrets")

SERVICE = "Comptoir"
PENDING_SLOT = "next"  # a new key while the database is being re-keyed (see services/erase.py)
DEFAULT_TIMEOUT = 5.0

# Module prefixes of backends that keep secrets in a real OS store.
_TRUSTED = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
)


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _trusted_members(backend: Any) -> list[Any]:
    """The trusted backends inside `backend` (itself, or the members of a chainer)."""
    members = getattr(backend, "backends", None)
    candidates = list(members) if members is not None and "chainer" in type(backend).__module__ else [backend]
    return [b for b in candidates if backend_name(b).startswith(_TRUSTED)]


class KeyringStore:
    """Store, read and delete the workspace key in a probed OS keyring.

    Args:
        backend: the keyring backend to use; default is what `keyring` selects (honouring
            `PYTHON_KEYRING_BACKEND`). Tests pass real backends through here.
        timeout: seconds after which any keyring call is abandoned.
    """

    def __init__(self, backend: Any | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._backend = backend
        self.timeout = timeout

    def _get_backend(self) -> Any:
        if self._backend is None:
            # keyring.get_keyring() itself can hang (jaraco/keyring#531), so it runs under the timeout too.
            self._backend = call_with_timeout(keyring.get_keyring, self.timeout, "keyring discovery")
        return self._backend

    def probe(self) -> KeyringStatus:
        """Prove the backend is real: a set/get/delete round trip within the timeout."""
        try:
            backend = self._get_backend()
        except TimeoutError:
            return KeyringStatus(False, "unknown", "The system keyring did not answer in time.")
        except Exception as exc:
            return KeyringStatus(False, "unknown", f"The system keyring could not be loaded ({type(exc).__name__}).")
        name = backend_name(backend)
        if not _trusted_members(backend):
            return KeyringStatus(False, name, "No system keyring is available on this computer.")
        probe_user = f"probe-{secrets.token_hex(8)}"
        probe_value = secrets.token_hex(16)

        def _round_trip() -> bool:
            backend.set_password(SERVICE, probe_user, probe_value)
            try:
                return bool(backend.get_password(SERVICE, probe_user) == probe_value)
            finally:
                backend.delete_password(SERVICE, probe_user)

        try:
            ok = call_with_timeout(_round_trip, self.timeout, "keyring probe")
        except TimeoutError:
            return KeyringStatus(False, name, "The system keyring did not answer in time (is it locked?).")
        except Exception as exc:
            return KeyringStatus(False, name, f"The system keyring refused to store a secret ({type(exc).__name__}).")
        if not ok:
            return KeyringStatus(False, name, "The system keyring did not give back what was stored.")
        return KeyringStatus(True, name)

    def save_key(self, workspace_id: str, key: bytes, *, slot: str = "") -> None:
        """Store `key`; `slot` names a second entry (PENDING_SLOT: a new key not yet in use)."""
        backend = self._get_backend()
        call_with_timeout(lambda: backend.set_password(SERVICE, _user(workspace_id, slot), key.hex()),
                          self.timeout, "keyring write")

    def load_key(self, workspace_id: str, *, slot: str = "") -> bytes:
        """Return the key, or raise KeyUnavailable with what to do next."""
        try:
            backend = self._get_backend()
            value = call_with_timeout(lambda: backend.get_password(SERVICE, _user(workspace_id, slot)),
                                      self.timeout, "keyring read")
        except TimeoutError:
            raise KeyUnavailable("The system keyring did not answer in time.",
                                 "Unlock your keyring, or open the workspace with your recovery key.") from None
        except Exception as exc:
            raise KeyUnavailable(f"The system keyring could not be read ({type(exc).__name__}).",
                                 "Open the workspace with your recovery key.") from None
        if not value:
            raise KeyUnavailable("The workspace key is not in this computer's keyring.",
                                 "Open the workspace with your recovery key; Comptoir will store the key again.")
        try:
            key = bytes.fromhex(value)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise KeyUnavailable("The keyring entry for this workspace is damaged.",
                                 "Open the workspace with your recovery key.")
        return key

    def delete_key(self, workspace_id: str, *, slot: str = "") -> bool:
        """Delete the workspace key (or the entry of `slot`); True if it was there."""
        backend = self._get_backend()

        def _delete() -> bool:
            try:
                backend.delete_password(SERVICE, _user(workspace_id, slot))
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return call_with_timeout(_delete, self.timeout, "keyring delete")

    @property
    def backend_label(self) -> str:
        try:
            return backend_name(self._get_backend())
        except Exception:
            return "unknown"


def _user(workspace_id: str, slot: str = "") -> str:
    return f"workspace-{workspace_id}" + (f".{slot}" if slot else "")
