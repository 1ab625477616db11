"""The settings registry: one place, typed, no duplicates; values survive in the encrypted store."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.errors import DiskFull
from desktop.core.settings import REGISTRY, Setting, SettingsRegistry
from desktop.services.session import Session
from desktop.services.workspace import WorkspaceService


def test_duplicates_are_rejected_and_defaults_must_fit() -> None:
    registry = SettingsRegistry()
    registry.register(Setting("a.b", 1, int, "one"))
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Setting("a.b", 2, int, "again"))
    with pytest.raises(ValueError, match="whole number"):
        registry.register(Setting("a.c", "x", int, "bad default"))
    keys = [s.key for s in REGISTRY]
    assert len(keys) == len(set(keys)) and all(s.description for s in REGISTRY)


def test_values_are_validated() -> None:
    language = REGISTRY["ui.language"]
    assert language.parse("fr") == "fr"
    with pytest.raises(ValueError, match="one of"):
        language.parse("de")
    poll = REGISTRY["sync.poll_interval_minutes"]
    assert poll.parse("10") == 10
    with pytest.raises(ValueError, match="at least 1"):
        poll.parse("0")
    assert REGISTRY["drafting.auto_prepare"].parse("yes") is True
    with pytest.raises(KeyError, match="unknown setting"):
        REGISTRY["no.such"]


def test_settings_persist_and_unknown_stored_values_fall_back(
        no_keyring_service: WorkspaceService, tmp_path: Path) -> None:
    with no_keyring_service.create_ephemeral(tmp_path / "ws") as ws:
        session = Session(ws)
        assert session.get_setting("retention.orders_days") == 30
        session.set_setting("retention.orders_days", 45)
        assert session.get_setting("retention.orders_days") == 45
        with pytest.raises(ValueError):
            session.set_setting("retention.orders_days", "forty")
        # a value written by some other version that no longer fits is not a crash
        ws.db.write(lambda c: c.execute("UPDATE settings SET value = '\"weird\"' WHERE key = 'retention.orders_days'"))
        assert session.get_setting("retention.orders_days") == 30


def test_a_full_disk_is_a_clear_message_and_loses_nothing(no_keyring_service: WorkspaceService,
                                                          tmp_path: Path) -> None:
    with no_keyring_service.create_ephemeral(tmp_path / "ws") as ws:
        session = Session(ws)
        session.add_message(subject="kept", body_text="safe", from_addr="a@example.com", date="2026-11-01")
        pages = ws.db.call(lambda c: c.execute("PRAGMA page_count").fetchone()[0])
        # SQLite answers SQLITE_FULL exactly as on a full disk once the file may not grow.
        ws.db.call(lambda c: c.execute(f"PRAGMA max_page_count = {pages + 2}"))
        with pytest.raises(DiskFull) as err:
            session.add_message(subject="big", body_text="x" * 200_000, from_addr="a@example.com", date="2026-11-02")
        assert "disk is full" in err.value.message and "Free some space" in err.value.hint
        assert [t.subject for t in session.threads()] == ["kept"]
