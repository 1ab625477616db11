"""Errors sorted by audience: what the merchant reads, what is silent, and what is a bug.

`UserFacingError` carries a sentence a merchant understands plus what to do next. `Cancelled` is
never shown. Anything else that escapes a job is a bug: logged with its traceback and shown as a
crash report the merchant can copy.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """An error whose message is written for the merchant.

    Args:
        message: what happened, in one sentence.
        hint: what to do about it (may be empty).
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class Cancelled(Exception):
    """The merchant (or shutdown) cancelled a job. Never shown."""


# --- workspace and keys -------------------------------------------------------------------------


class WorkspaceError(UserFacingError):
    """Base class for problems opening or creating a workspace."""


class WorkspaceExists(WorkspaceError):
    """`init` on a folder that already holds a workspace: we never overwrite one."""


class WorkspaceMissing(WorkspaceError):
    """No workspace in the data folder."""


class WrongPassphrase(WorkspaceError):
    """The passphrase does not unwrap the key (the AEAD tag did not verify)."""


class WrongRecoveryKey(WorkspaceError):
    """The recovery key is malformed or does not open the database."""


class KeyUnavailable(WorkspaceError):
    """The keyring does not hold the workspace key (new computer, reset keyring, other backend)."""


class WrongKey(WorkspaceError):
    """The database file cannot be decrypted with the key we have."""


class DatabaseCorrupt(WorkspaceError):
    """The database file is damaged (not a wrong key: the header decrypted)."""


class DatabaseTooNew(WorkspaceError):
    """The database was written by a newer Comptoir."""


class DiskFull(UserFacingError):
    """The disk holding the workspace is full."""


class DatabaseLocked(UserFacingError):
    """Another program holds the database."""


class EncryptionUnavailable(WorkspaceError):
    """The SQLite library is not SQLCipher: we refuse to write anything unencrypted."""


class AlreadyRunning(UserFacingError):
    """Another Comptoir window already uses this data folder."""
