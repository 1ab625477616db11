"""Order and tracking numbers found in customer mail, so search and order matching can use them."""

from __future__ import annotations

import re

# '#1001', 'commande 1001', 'order no. 4321', 'n°1001'
_ORDER = re.compile(
    r"(?:#\s?(\d{3,10})\b)|(?:\b(?:order|commande|cde|bestellung|pedido|ordine)\s*(?:n[o°º]\.?|number|num[ée]ro|nr\.?|"
    r"#)?\s*:?\s*#?(\d{3,10})\b)",
    re.IGNORECASE,
)
# Carrier tracking numbers: UPU S10 ('LA123456789FR'), Colissimo ('6A12345678901'), DHL/UPS/long digit runs.
_TRACKING = re.compile(r"\b(?:[A-Z]{2}\d{9}[A-Z]{2}|\d[A-Z]\d{11}|1Z[0-9A-Z]{16}|\d{10,22})\b")


def order_numbers(text: str) -> list[str]:
    """Order numbers mentioned in `text`, in order of appearance, without '#', deduplicated."""
    seen: dict[str, None] = {}
    for m in _ORDER.finditer(text or ""):
        seen.setdefault(m.group(1) or m.group(2), None)
    return list(seen)


def tracking_numbers(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for m in _TRACKING.finditer(text or ""):
        seen.setdefault(m.group(0), None)
    return list(seen)


def ref_numbers(*texts: str) -> str:
    """Space-separated order and tracking numbers of `texts` (the FTS `ref_numbers` column)."""
    found: dict[str, None] = {}
    for text in texts:
        for n in order_numbers(text):
            found.setdefault(n, None)
        for n in tracking_numbers(text):
            found.setdefault(n, None)
    return " ".join(found)
