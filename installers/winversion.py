"""The Windows version resource of Comptoir.exe (Properties → Details), in PyInstaller's `version=` format."""

from __future__ import annotations

import re
from pathlib import Path

from desktop import APP_NAME


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """'1.2.0rc1' → (1, 2, 0, 0): the four numbers Windows wants."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("rc")[0].split("a")[0].split("b")[0])[:4]]
    padded = [*numbers, 0, 0, 0, 0][:4]
    return padded[0], padded[1], padded[2], padded[3]


def version_info_text(version: str) -> str:
    nums = version_tuple(version)
    strings = {
        "CompanyName": APP_NAME,
        "FileDescription": APP_NAME,
        "FileVersion": version,
        "InternalName": APP_NAME,
        "LegalCopyright": APP_NAME,
        "OriginalFilename": f"{APP_NAME}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": version,
    }
    table = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={nums}, prodvers={nums}, mask=0x3f, flags=0x0, OS=0x40004, fileType=0x1,
                    subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([
      StringTable('040904B0', [
          {table}])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def write_version_file(path: Path, version: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(version_info_text(version), encoding="utf-8")
    return str(path)
