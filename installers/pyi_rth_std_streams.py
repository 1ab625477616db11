"""PyInstaller runtime hook: give a windowed Windows build real (if silent) std streams.

A `console=False` executable on Windows starts with `sys.stdout` and `sys.stderr` set to None unless the
caller redirected them, so `print` is dropped but `sys.stderr.isatty()` or `.write()` raise. Pointing them at
os.devnull keeps every CLI command (including the uninstaller's `Comptoir.exe erase --all --yes`) working;
when the caller does redirect the handles, Python already opened them and nothing changes.
"""

import os
import sys
from pathlib import Path

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, Path(os.devnull).open("w", encoding="utf-8"))  # noqa: SIM115 (open for the process's life)
