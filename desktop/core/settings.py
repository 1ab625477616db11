"""The one registry of settings: key, default, type and a one-line description each.

Values live in the encrypted database (table `settings`, JSON values); the registry is the schema.
A settings page can be generated from it, and an unknown key or a value of the wrong type is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting. `choices` restricts a str setting to a fixed set of values."""

    key: str
    default: Any
    type: type
    description: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None

    def validate(self, value: Any) -> Any:
        """Return `value` if it fits this setting, else raise ValueError with a readable reason."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{self.key} must be true or false")
        elif self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{self.key} must be a whole number")
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"{self.key} must be at least {self.minimum}")
        elif not isinstance(value, self.type):
            raise ValueError(f"{self.key} must be of type {self.type.__name__}")
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.key} must be one of: {', '.join(self.choices)}")
        return value

    def parse(self, text: str) -> Any:
        """Parse a value typed on the command line ("true", "30", "fr")."""
        if self.type is bool:
            lowered = text.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"{self.key} must be true or false")
        if self.type is int:
            try:
                number = int(text)
            except ValueError:
                raise ValueError(f"{self.key} must be a whole number") from None
            return self.validate(number)
        return self.validate(self.type(text))

    def encode(self, value: Any) -> str:
        return json.dumps(self.validate(value))

    def decode(self, raw: str) -> Any:
        try:
            return self.validate(json.loads(raw))
        except ValueError:
            # A value written by another version that no longer fits: fall back, never crash.
            return self.default


class SettingsRegistry:
    """An ordered set of settings; registering a key twice is a programming error."""

    def __init__(self) -> None:
        self._settings: dict[str, Setting] = {}

    def register(self, setting: Setting) -> Setting:
        if setting.key in self._settings:
            raise ValueError(f"setting {setting.key!r} is registered twice")
        setting.validate(setting.default)
        self._settings[setting.key] = setting
        return setting

    def __getitem__(self, key: str) -> Setting:
        try:
            return self._settings[key]
        except KeyError:
            raise KeyError(f"unknown setting {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._settings

    def __iter__(self) -> Iterator[Setting]:
        return iter(self._settings.values())

    def __len__(self) -> int:
        return len(self._settings)


REGISTRY = SettingsRegistry()
_r = REGISTRY.register

UI_LANGUAGE = _r(Setting("ui.language", "system", str, "Language of the interface.", ("system", "en", "fr")))
SYNC_POLL_MINUTES = _r(
    Setting("sync.poll_interval_minutes", 5, int, "Minutes between mail checks when IDLE is unavailable.",
            minimum=1)
)
DRAFT_AUTO_PREPARE = _r(
    Setting("drafting.auto_prepare", False, bool, "Prepare a draft when a customer thread arrives (never sent).")
)
RETENTION_CONVERSATIONS = _r(
    Setting("retention.conversations_months", 12, int, "Delete conversations this many months after the last "
            "message.", minimum=1)
)
RETENTION_ORDERS = _r(Setting("retention.orders_days", 30, int, "Delete cached orders after this many days.",
                              minimum=1))
RETENTION_LEDGER = _r(Setting("retention.ledger_months", 12, int, "Delete egress-ledger entries after this many "
                              "months.", minimum=1))
ASSISTANT_INSTRUCTIONS = _r(
    Setting("assistant.extra_instructions", "", str, "Your own instructions added to every reply the assistant "
            "drafts (tone, phrases to use or avoid).")
)
SHOP_CACHE_MINUTES = _r(
    Setting("shops.cache_minutes", 15, int, "Minutes during which a customer's orders are shown from the cache "
            "without asking the shop again.", minimum=0)
)
SHOPIFY_API_VERSION = _r(
    Setting("shops.shopify_api_version", "2026-07", str, "Shopify Admin API version used for new calls.")
)
STORE_CACHE_MIB = _r(
    Setting("store.cache_mib", 64, int, "Database page cache in MiB (a large cache makes encrypted search fast).",
            minimum=2)
)
