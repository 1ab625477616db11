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


def wrap_key(key: bytes, passphrase: str, workspace_id: str, params: KdfParams | None = None) -> dict[str, Any]:
    """Return the JSON-ready wrapped form of `key`."""
    check_passphrase(passphrase)
    params = params or KdfParams()
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _derive(passphrase, salt, params)
    ciphertext = AESGCM(kek).encrypt(nonce, key, _aad(workspace_id))
    return {
        "version": WRAP_VERSION,
        "kdf": params.to_json(),
        "salt": base64.b64encode(salt).decode(),
        "aead": "aes-256-gcm",
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(ciphertext).decode(),
    }


def unwrap_key(wrapped: dict[str, Any], passphrase: str, workspace_id: str) -> bytes:
    """Return the key, or raise WrongPassphrase if the tag does not verify."""
    if wrapped.get("version") != WRAP_VERSION or wrapped.get("aead") != "aes-256-gcm":
        raise UserFacingError("The workspace key file has a format this Comptoir does not know.",
                              "Update Comptoir, or open the workspace with your recovery key.")
    params = KdfParams.from_json(wrapped["kdf"])
    kek = _derive(passphrase, base64.b64decode(wrapped["salt"]), params)
    try:
        return AESGCM(kek).decrypt(base64.b64decode(wrapped["nonce"]), base64.b64decode(wrapped["ciphertext"]),
                                   _aad(workspace_id))
    except InvalidTag:
        raise WrongPassphrase("That passphrase is not the one for this workspace.",
                              "Check the keyboard layout and Caps Lock, or use your recovery key.") from None


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
