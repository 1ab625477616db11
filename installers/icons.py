"""The app icon in every format the installers need, rendered from `resources/icons/comptoir.svg` with Qt.

Nothing binary is committed: PNG (Linux, AppImage), ICO (Windows) and ICNS (macOS) are produced at build
time. ICO and ICNS are written by hand as containers of PNG images (both formats allow PNG payloads), so
no Pillow and no macOS-only `iconutil` is needed, and all three can be checked on any OS.

`python -m installers.icons OUTDIR` writes them (it starts an offscreen QGuiApplication of its own, so run it
in a subprocess from a build that must not create one: `ensure_icons()` does).
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SVG = REPO / "resources" / "icons" / "comptoir.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (the @2x types reuse the larger renders).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"ic11", 32), (b"ic12", 64), (b"ic07", 128),
    (b"ic08", 256), (b"ic13", 256), (b"ic09", 512), (b"ic14", 512), (b"ic10", 1024),
)


def render_pngs(svg: Path = SVG, sizes: tuple[int, ...] = PNG_SIZES) -> dict[int, bytes]:
    """PNG bytes of `svg` rendered at each size (square, transparent background, antialiased)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["icons", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    out: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise RuntimeError(f"could not encode the {size}px icon as PNG")
        buffer.close()
        out[size] = bytes(data.data())
    return out


def ico_bytes(pngs: dict[int, bytes], sizes: tuple[int, ...] = ICO_SIZES) -> bytes:
    """A Windows .ico holding the PNG images (Vista and later read PNG entries at every size)."""
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + entries + payload


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns whose elements are PNG images (supported since OS X 10.7)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(out_dir: Path) -> dict[str, Path]:
    """Write comptoir-<size>.png, comptoir.ico and comptoir.icns into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs = render_pngs()
    written: dict[str, Path] = {}
    for size, data in pngs.items():
        path = out_dir / f"comptoir-{size}.png"
        path.write_bytes(data)
        written[f"png{size}"] = path
    (out_dir / "comptoir.ico").write_bytes(ico_bytes(pngs))
    (out_dir / "comptoir.icns").write_bytes(icns_bytes(pngs))
    written["ico"] = out_dir / "comptoir.ico"
    written["icns"] = out_dir / "comptoir.icns"
    return written


def ensure_icons(out_dir: Path) -> dict[str, Path]:
    """The icon files in `out_dir`, rendered in a separate offscreen process if any is missing or stale."""
    names = {**{f"png{s}": f"comptoir-{s}.png" for s in PNG_SIZES}, "ico": "comptoir.ico", "icns": "comptoir.icns"}
    paths = {key: out_dir / name for key, name in names.items()}
    source_time = SVG.stat().st_mtime
    if any(not p.exists() or p.stat().st_mtime < source_time for p in paths.values()):
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        proc = subprocess.run([sys.executable, "-m", "installers.icons", str(out_dir)], cwd=REPO, env=env,
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"rendering the icons failed:\n{proc.stdout}{proc.stderr}")
    return paths


if __name__ == "__main__":
    for _name, _path in write_icons(Path(sys.argv[1])).items():
        print(f"{_name}: {_path}")
