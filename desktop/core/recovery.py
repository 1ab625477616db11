"""The recovery key: the raw 32-byte database key written so a person can copy it on paper.

Crockford base32 (no I, L, O, U; case-insensitive; 0/O and 1/I/L read alike), in groups of four,
followed by a four-character checksum group so a typo is caught before we even try the database.
"""

from __future__ import annotations

import hashlib

from desktop.core.errors import WrongRecoveryKey

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)}
_DECODE.update({"O": 0, "I": 1, "L": 1})
KEY_BYTES = 32


def _b32(data: bytes) -> str:
    bits = int.from_bytes(data, "big")
    n = (len(data) * 8 + 4) // 5
    bits <<= n * 5 - len(data) * 8
    return "".join(_ALPHABET[(bits >> (5 * (n - 1 - i))) & 31] for i in range(n))


def _checksum(key: bytes) -> str:
    return _b32(hashlib.sha256(b"comptoir-recovery-v1" + key).digest()[:3])[:4]


def format_recovery_key(key: bytes) -> str:
    """Return the readable form of a 32-byte key, e.g. `7Q2M-…-K3FZ`."""
    if len(key) != KEY_BYTES:
        raise ValueError("a recovery key is made from a 32-byte key")
    text = _b32(key) + _checksum(key)
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """Return the 32-byte key from its readable form; raise WrongRecoveryKey with a hint if malformed."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    body_len = (KEY_BYTES * 8 + 4) // 5  # 52 characters
    if len(cleaned) != body_len + 4:
        raise WrongRecoveryKey(
            "This is not a Comptoir recovery key.",
            f"It has {body_len + 4} letters and digits in groups of four; check that you copied all of it.",
        )
    bits = 0
    for ch in cleaned[:body_len]:
        if ch not in _DECODE:
            raise WrongRecoveryKey("The recovery key contains a character it cannot hold.",
                                   f"Check the character {ch!r}.")
        bits = (bits << 5) | _DECODE[ch]
    bits >>= body_len * 5 - KEY_BYTES * 8
    key = bits.to_bytes(KEY_BYTES, "big")
    if _checksum(key) != cleaned[body_len:].replace("O", "0").replace("I", "1").replace("L", "1"):
        raise WrongRecoveryKey("The recovery key has a typo.", "Compare each group with the one you saved.")
    return key
