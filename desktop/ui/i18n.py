"""Interface language: English and French, following the system locale unless the merchant chose."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

SUPPORTED = ("en", "fr")


def resources_dir() -> Path:
    """`resources/` in the source tree, or inside the frozen app (PyInstaller's _MEIPASS)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resolve_language(choice: str | None) -> str:
    """'system' (or None) follows the system locale; anything unsupported falls back to English."""
    if choice in SUPPORTED:
        return str(choice)
    name = QLocale.system().name().split("_")[0]
    return name if name in SUPPORTED else "en"


_installed: list[QTranslator] = []
_language = "en"


def current_language() -> str:
    """The interface language in use ('en' or 'fr'), as installed by `install_translators`."""
    return _language


def install_translators(app: QCoreApplication, language: str) -> bool:
    """Install Comptoir's and Qt's own translations for `language`; True if Comptoir's loaded."""
    global _language
    _language = language if language in SUPPORTED else "en"
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == "en":
        return True
    ours = QTranslator(app)
    ok = ours.load(str(resources_dir() / "translations" / f"comptoir_{language}.qm"))
    if ok:
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    QLocale.setDefault(QLocale(language))
    return ok
