"""Passphrase mode: the random database key wrapped with a key derived from the merchant's passphrase.

KDF: Argon2id with the RFC 9106 "second recommended" parameters (t=3, p=4, m=64 MiB), stored beside
the wrapped key so they can be raised later. AEAD: AES-256-GCM with the workspace id as associated
data; a wrong passphrase fails the tag check. The file never holds the key in the clear.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.core.errors import UserFacingError, WrongPassphrase

WRAP_VERSION = 1
MIN_PASSPHRASE = 8


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters (RFC 9106 section 4, second recommended option by default)."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4

    def to_json(self) -> dict[str, Any]:
        return {"alg": "argon2id", "t": self.time_cost, "m_kib": self.memory_kib, "p": self.parallelism}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        if data.get("alg") != "argon2id":
            raise UserFacingError("The workspace key file uses an unknown key derivation.",
                                  "Update Comptoir, or open the workspace with your recovery key.")
        return cls(int(data["t"]), int(data["m_kib"]), int(data["p"]))


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"), salt, time_cost=params.time_cost, memory_cost=params.memory_kib,
        parallelism=params.parallelism, hash_len=32, type=Type.ID,
    )


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserFacingError(f"The passphrase is too short (at least {MIN_PASSPHRASE} characters).",
                              "A few unrelated words make a passphrase that is long and easy to remember.")


class KeyWrapper:
    """The key-encryption key derived from a passphrase and one key.wrap's salt and parameters.

    Kept in memory while a workspace is open so a new database key (after a per-customer erasure
    re-keys the database) can be wrapped for the same passphrase without asking the merchant again.
    It only ever unwraps the database key, which the open database holds in memory anyway.
    """

    def __init__(self, kek: bytes, salt: bytes, params: KdfParams) -> None:
        self._kek = kek
        self.salt = salt
        self.params = params

    def __repr__(self) -> str:  # never show the key-encryption key, even in a traceback's locals
        return "KeyWrapper(…)"

    @classmethod
    def new(cls, passphrase: str, params: KdfParams | None = None) -> KeyWrapper:
        """A wrapper with a fresh random salt (a new passphrase, a new workspace)."""
        check_passphrase(passphrase)
        params = params or KdfParams()
        salt = secrets.token_bytes(16)
        return cls(_derive(passphrase, salt, params), salt, params)

    @classmethod
    def derive(cls, passphrase: str, wrapped: dict[str, Any]) -> KeyWrapper:
        """The wrapper of an existing key.wrap (its salt and parameters). Costs one Argon2id derivation."""
        _check_format(wrapped)
        params = KdfParams.from_json(wrapped["kdf"])
        salt = base64.b64decode(wrapped["salt"])
        return cls(_derive(passphrase, salt, params), salt, params)

    def matches(self, wrapped: dict[str, Any]) -> bool:
        """True when `wrapped` was made with this salt and these parameters (so this KEK opens it)."""
        try:
            return (base64.b64decode(wrapped["salt"]) == self.salt
                    and KdfParams.from_json(wrapped["kdf"]) == self.params)
        except (KeyError, ValueError, TypeError, UserFacingError):
            return False

    def wrap(self, key: bytes, workspace_id: str) -> dict[str, Any]:
        """Return the JSON-ready wrapped form of `key` (a fresh nonce each time)."""
        nonce = secrets.token_bytes(12)
        ciphertext = AESGCM(self._kek).encrypt(nonce, key, _aad(workspace_id))
        return {
            "version": WRAP_VERSION,
            "kdf": self.params.to_json(),
            "salt": base64.b64encode(self.salt).decode(),
            "aead": "aes-256-gcm",
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(ciphertext).decode(),
        }

    def unwrap(self, wrapped: dict[str, Any], workspace_id: str) -> bytes:
        """Return the key, or raise WrongPassphrase if the tag does not verify."""
        _check_format(wrapped)
        try:
            return AESGCM(self._kek).decrypt(base64.b64decode(wrapped["nonce"]),
                                             base64.b64decode(wrapped["ciphertext"]), _aad(workspace_id))
        except InvalidTag:
            raise WrongPassphrase("That passphrase is not the one for this workspace.",
                                  "Check the keyboard layout and Caps Lock, or use your recovery key.") from None


def _check_format(wrapped: dict[str, Any]) -> None:
    if wrapped.get("version") != WRAP_VERSION or wrapped.get("aead") != "aes-256-gcm":
        raise UserFacingError("The workspace key file has a format this Comptoir does not know.",
                              "Update Comptoir, or open the workspace with your recovery key.")


def wrap_key(key: bytes, passphrase: str, workspace_id: str, params: KdfParams | None = None) -> dict[str, Any]:
    """Return the JSON-ready wrapped form of `key`."""
    return KeyWrapper.new(passphrase, params).wrap(key, workspace_id)


def unwrap_key(wrapped: dict[str, Any], passphrase: str, workspace_id: str) -> bytes:
    """Return the key, or raise WrongPassphrase if the tag does not verify."""
    return KeyWrapper.derive(passphrase, wrapped).unwrap(wrapped, workspace_id)


def _aad(workspace_id: str) -> bytes:
    return f"comptoir-keywrap-v{WRAP_VERSION}:{workspace_id}".encode()


def write_wrapped(path: Path, wrapped: dict[str, Any]) -> None:
    from desktop.paths import atomic_write  # local import keeps this module free of path policy

    atomic_write(path, json.dumps(wrapped, indent=2).encode())


def read_wrapped(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserFacingError("The workspace key file (key.wrap) is missing.",
                              "Open the workspace with your recovery key.") from None
    except (OSError, ValueError):
        raise UserFacingError("The workspace key file (key.wrap) is damaged.",
                              "Open the workspace with your recovery key.") from None
    return data


def new_key() -> bytes:
    """A fresh random 256-bit database key."""
    return os.urandom(32)
