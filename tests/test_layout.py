"""The layout rules of DESIGN.md section 3, enforced."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import desktop
from tests.helpers import REPO


def test_import_contracts_hold() -> None:
    """core imports nothing of ours; only ui (and bootstrap, lazily) imports Qt; adapters are independent."""
    result = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                             "sys.exit(lint_imports_command())"],
                            cwd=REPO, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower() or "0 broken" in result.stdout.lower()


def test_everything_but_the_ui_imports_without_qt() -> None:
    """Block PySide6 entirely, then import every module outside desktop.ui: the services run headless."""
    modules = [m.name for m in pkgutil.walk_packages(desktop.__path__, "desktop.")
               if not m.name.startswith("desktop.ui") and m.name != "desktop.__main__"]
    assert "desktop.services.workspace" in modules and "desktop.cli" in modules
    code = (
        "import sys, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError('Qt is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "assert not any(k.startswith('PySide6') for k in sys.modules)\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_cli_runs_headless_without_qt(tmp_path: object) -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'PySide6':\n"
        "            raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from desktop.bootstrap import main\n"
        f"sys.exit(main(['--data-dir', {str(tmp_path)!r}, 'selftest']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "result: PASS" in result.stdout
