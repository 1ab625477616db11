"""A private X server (Xvfb) and what the frozen-app checks need from it: find a window, screenshot it.

Used by tests/test_installers.py and bench/installers.py. Windows are found with `xwininfo -root -tree`
(Debian x11-utils); screenshots come from a second process connected to the same display
(`python -m installers.x11 shot OUT.png`, QGuiApplication on the xcb platform, `grabWindow(0)`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_TREE_LINE = re.compile(r'^\s*(0x[0-9a-f]+) "(.*)": .*?\s(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$')


@dataclass(frozen=True)
class Window:
    id: str
    title: str
    x: int
    y: int
    width: int
    height: int


class Xvfb:
    """`Xvfb` on a free display number (it picks one itself with -displayfd); stop() or use as a context."""

    def __init__(self, size: str = "1280x800x24", timeout: float = 15) -> None:
        read_fd, write_fd = os.pipe()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server; closed in stop())
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=self._log,
        )
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + timeout
        try:
            # Xvfb writes the display number once it accepts connections.
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = os.read(read_fd, 16)
                if not chunk:
                    break
                number += chunk
        finally:
            os.close(read_fd)
        if not number.strip():
            self.stop()
            self._log.seek(0)
            raise RuntimeError(f"Xvfb did not start: {self._log.read().decode(errors='replace')[-2000:]}")
        self.display = f":{int(number)}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb", **extra}
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def __enter__(self) -> Xvfb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- windows ----------------------------------------------------------------------------------

    def windows(self) -> list[Window]:
        """Every named window, with absolute geometry (from `xwininfo -root -tree`)."""
        out = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, env=self.env(),
                             check=False, timeout=10).stdout
        found = []
        for line in out.splitlines():
            m = _TREE_LINE.match(line)
            if m:
                wid, title, w, h, x, y = m.groups()
                found.append(Window(wid, title, int(x), int(y), int(w), int(h)))
        return found

    def is_viewable(self, window: Window) -> bool:
        out = subprocess.run(["xwininfo", "-id", window.id], capture_output=True, text=True, env=self.env(),
                             check=False, timeout=10).stdout
        return "Map State: IsViewable" in out

    def wait_for_window(self, title: str, timeout: float = 30, proc: subprocess.Popen[bytes] | None = None,
                        interval: float = 0.02) -> Window:
        """The first mapped (viewable) window titled `title`; RuntimeError after `timeout` or if `proc` exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for window in self.windows():
                if window.title == title and self.is_viewable(window):
                    return window
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"the app exited with {proc.returncode} before showing {title!r}")
            time.sleep(interval)
        raise RuntimeError(f"no window {title!r} after {timeout:.0f} s; windows: {[w.title for w in self.windows()]}")

    def screenshot(self, out: Path) -> None:
        """Grab the whole screen from a separate Qt process on this display and save it as PNG."""
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "installers.x11", "shot", str(out)], cwd=REPO, env=self.env(),
                       check=True, timeout=60, capture_output=True)


def distinct_colours(png: Path, window: Window) -> int:
    """How many distinct RGB colours the screenshot has inside the window's rectangle."""
    from PySide6.QtGui import QImage

    image = QImage(str(png)).convertToFormat(QImage.Format.Format_RGB32)
    x0, y0 = max(window.x, 0), max(window.y, 0)
    x1, y1 = min(window.x + window.width, image.width()), min(window.y + window.height, image.height())
    data = bytes(image.constBits())
    stride = image.bytesPerLine()
    colours: set[bytes] = set()
    for row in range(y0, y1):
        line = data[row * stride + x0 * 4: row * stride + x1 * 4]
        colours.update(line[i:i + 3] for i in range(0, len(line), 4))
    return len(colours)


def xvfb_missing() -> str | None:
    """Why the X checks cannot run here, or None when Xvfb and xwininfo are installed."""
    missing = [tool for tool in ("Xvfb", "xwininfo") if not shutil.which(tool)]
    if missing:
        return (f"needs {' and '.join(missing)} (Debian: xvfb, x11-utils); the README's test command "
                "(bash tests/run.sh) installs them")
    return None


def _shot(out: str) -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication([sys.argv[0], "-platform", "xcb"])
    screen = app.primaryScreen()
    if screen is None or not screen.grabWindow(0).save(out, "PNG"):
        print(f"could not grab the screen into {out}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "shot":
        sys.exit(_shot(sys.argv[2]))
    print("usage: python -m installers.x11 shot OUT.png", file=sys.stderr)
    sys.exit(2)
