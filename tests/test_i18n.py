"""English and French: every interface string is translated, and the app switches language."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.ui.i18n import install_translators, resolve_language
from tests.helpers import REPO

TS = REPO / "resources" / "translations" / "comptoir_fr.ts"


def _sources(ts: Path) -> dict[tuple[str, str], str | None]:
    root = ET.parse(ts).getroot()
    out = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in ("unfinished", "obsolete")
            out[(name, message.findtext("source") or "")] = (translation.text if done else None)
    return out


def test_every_interface_string_has_a_french_translation(tmp_path: Path) -> None:
    beside = Path(sys.executable).parent / "pyside6-lupdate"  # the venv's, even when it is not activated
    lupdate = str(beside) if beside.exists() else shutil.which("pyside6-lupdate")
    assert lupdate, "pyside6-lupdate (from PySide6-Essentials) is missing"
    fresh = tmp_path / "fresh.ts"
    result = subprocess.run([lupdate, *map(str, sorted((REPO / "desktop" / "ui").glob("*.py"))), "-ts", str(fresh)],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    in_code = set(_sources(fresh))
    translated = {k for k, v in _sources(TS).items() if v}
    missing = sorted(in_code - translated)
    assert not missing, f"untranslated (run lupdate, translate, lrelease): {missing[:5]}"
    qm = TS.with_suffix(".qm")
    assert qm.exists() and qm.stat().st_mtime >= TS.stat().st_mtime - 1, "comptoir_fr.qm is older than the .ts"


def test_placeholders_survive_translation() -> None:
    import re

    for (_ctx, source), translation in _sources(TS).items():
        assert translation is not None
        assert set(re.findall(r"\{\w+\}", source)) == set(re.findall(r"\{\w+\}", translation)), source


@pytest.fixture
def french(qapp: QApplication) -> object:
    assert install_translators(qapp, "fr")
    yield
    install_translators(qapp, "en")


def test_the_main_window_speaks_french(qtbot: QtBot, french: object, no_keyring_service: object,
                                       tmp_path: Path) -> None:
    from desktop.services.session import Session
    from desktop.ui.bridge import init_bridge, running_operations
    from desktop.ui.main_window import MainWindow

    init_bridge()
    workspace = no_keyring_service.create_ephemeral(tmp_path / "ws")  # type: ignore[attr-defined]
    window = MainWindow(Session(workspace))
    qtbot.addWidget(window)
    window.show()
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["Boîte de réception", "Assistant", "Clients", "Rapports", "Confidentialité", "Paramètres"]
    qtbot.waitUntil(lambda: running_operations() == 0, timeout=10000)
    workspace.close()


def test_language_follows_the_choice_then_the_system() -> None:
    assert resolve_language("fr") == "fr"
    assert resolve_language("en") == "en"
    assert resolve_language("system") in ("en", "fr")  # C.UTF-8 in tests → English
    assert resolve_language("de") in ("en", "fr")
