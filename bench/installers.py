"""What the Linux installer weighs, and how fast the frozen app shows its first window.

Builds the PyInstaller bundle and the .deb with the functions of `installers/build.py` (in bench/.work),
unpacks the .deb as dpkg would, then measures:
  1. the bundle unpacked (target ≤ 150 MB), beside the installed size of the PySide6-Essentials wheel it
     is cut from, and what each part weighs;
  2. the .deb (gzip);
  3. the frozen app's start to its first window: from `Popen` until the first-run wizard ("Comptoir — first
     start") is mapped on a private Xvfb (polled with `xwininfo`), a fresh empty --data-dir each time and no
     keyring; median of --runs (target ≤ 2 s). As root with a writable /proc/sys/vm/drop_caches the page
     cache is dropped before each of these runs (a true cold start, as after a reboot); warm runs (files
     in the page cache, as on a second launch) and the same measurement from the source checkout
     (`python main.py`) are reported beside it.

Run from the repo root: `python -m bench.installers [--runs 5] [--no-drop-caches] [--write-results]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from bench.common import (
    REPO_ROOT,
    fmt_seconds,
    machine_info,
    median,
    now_utc,
    replace_section,
    reproduce_command,
    work_dir,
)
from desktop import __version__
from installers import build
from installers.x11 import Xvfb, xvfb_missing

SECTION = "installers"
BUNDLE_TARGET_MB = 150
START_TARGET_S = 2.0
TITLE = "Comptoir — first start"
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def tree_size(root: Path) -> int:
    """Apparent size of every file and link under `root` (what unpacking writes)."""
    return sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() or p.is_symlink())


def wheel_size(name: str) -> int:
    """Installed size of a distribution, from its RECORD."""
    files = metadata.distribution(name).files or []
    return sum(f.size or 0 for f in files)


# Bundle parts, first match wins (paths relative to /opt/comptoir).
PARTS = (
    ("Qt libraries + ICU", ("_internal/PySide6/Qt/lib/",)),
    ("Qt plugins + Qt translations", ("_internal/PySide6/Qt/",)),
    ("PySide6 + shiboken6 bindings", ("_internal/PySide6/", "_internal/shiboken6/", "_internal/libpyside",
                                      "_internal/libshiboken")),
    ("cryptography (OpenSSL inside)", ("_internal/cryptography/",)),
    ("sqlcipher3 (SQLCipher inside)", ("_internal/sqlcipher3/",)),
    ("OpenSSL for Python's ssl/hashlib", ("_internal/libssl", "_internal/libcrypto")),
    ("launcher with the frozen Python modules", ("Comptoir",)),
    ("Python runtime, extension modules and the rest", ("",)),
)


def breakdown(app_dir: Path) -> dict[str, int]:
    """Bundle size by part (see PARTS)."""
    parts = dict.fromkeys((label for label, _prefixes in PARTS), 0)
    for path in app_dir.rglob("*"):
        if not (path.is_file() or path.is_symlink()):
            continue
        rel = path.relative_to(app_dir).as_posix()
        label = next(label for label, prefixes in PARTS if rel.startswith(prefixes))
        parts[label] += path.lstat().st_size
    return parts


def drop_page_cache() -> bool:
    """Flush and drop the kernel's page cache (root only); False when not permitted."""
    if os.geteuid() != 0 or not os.access(DROP_CACHES, os.W_OK):
        return False
    os.sync()
    try:
        DROP_CACHES.write_text("3\n", encoding="ascii")
    except OSError:
        return False
    return True


def time_to_window(cmd: list[str], xserver: Xvfb, data: Path, *, cold: bool) -> float:
    """Seconds from starting `cmd --data-dir data` until the wizard window is mapped."""
    if cold and not drop_page_cache():
        raise RuntimeError("cannot drop the page cache")
    started = time.perf_counter()
    proc = subprocess.Popen([*cmd, "--data-dir", str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=xserver.env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                                            LANG="C.UTF-8", LC_ALL="C.UTF-8"))
    try:
        xserver.wait_for_window(TITLE, timeout=60, proc=proc, interval=0.005)
        return time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Results:
    bundle: int = 0
    deb: int = 0
    wheel: int = 0
    shiboken: int = 0
    kept_of_pyside: int = 0
    icu_data: int = 0
    parts: dict[str, int] = field(default_factory=dict)
    depends: str = ""
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    source: list[float] = field(default_factory=list)
    build_seconds: float = 0.0
    load: list[float] = field(default_factory=list)


def run(args: argparse.Namespace, log: Callable[[str], None]) -> Results:
    res = Results(load=[os.getloadavg()[0]])
    with work_dir("installers") as work:
        log("building the bundle and the .deb (installers/build.py functions) …")
        started = time.perf_counter()
        bundle = build.build_bundle(work / "dist", work / "build", quiet=True)
        deb = build.build_deb(bundle, work / "dist", work / "build")
        res.build_seconds = time.perf_counter() - started
        root = work / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        app_dir = root / "opt" / "comptoir"
        build.run_selftest(app_dir / "Comptoir", work / "selftest")  # measure a working app only
        res.bundle, res.deb = tree_size(app_dir), deb.stat().st_size
        res.wheel, res.shiboken = wheel_size("PySide6-Essentials"), wheel_size("shiboken6")
        res.kept_of_pyside = tree_size(app_dir / "_internal" / "PySide6") + tree_size(
            app_dir / "_internal" / "shiboken6")
        res.parts = breakdown(app_dir)
        res.icu_data = sum(p.stat().st_size for p in app_dir.rglob("libicudata.so*") if not p.is_symlink())
        res.depends = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True,
                                     check=True).stdout.strip()
        with Xvfb() as xserver:
            frozen = [str(app_dir / "Comptoir")]
            time_to_window(frozen, xserver, work / "warmup", cold=False)  # fontconfig cache, X server warm-up
            cold = not args.no_drop_caches and drop_page_cache()
            for i in range(args.runs if cold else 0):
                res.cold.append(time_to_window(frozen, xserver, work / f"cold-{i}", cold=True))
                log(f"  cold start {i + 1}: {fmt_seconds(res.cold[-1])}")
            for i in range(args.runs):
                res.warm.append(time_to_window(frozen, xserver, work / f"warm-{i}", cold=False))
                log(f"  warm start {i + 1}: {fmt_seconds(res.warm[-1])}")
            source = [sys.executable, str(REPO_ROOT / "main.py")]
            for i in range(args.runs):
                res.source.append(time_to_window(source, xserver, work / f"source-{i}", cold=False))
                log(f"  source checkout start {i + 1}: {fmt_seconds(res.source[-1])}")
    res.load.append(os.getloadavg()[0])
    return res


def report(res: Results, args: argparse.Namespace) -> tuple[str, bool]:
    ok, fail = "**pass**", "**FAIL**"
    size_ok = res.bundle <= BUNDLE_TARGET_MB * 1e6
    headline = res.cold or res.warm
    start_ok = median(headline) <= START_TARGET_S
    kind = "cold (page cache dropped before each run)" if res.cold else "warm (page cache not dropped)"

    def runs(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    lines = [
        "## Linux installer: size and start-up <a id=\"installers\"></a>",
        "",
        f"Measured {now_utc()} by `bench/installers.py` on Comptoir {__version__}: the PyInstaller one-folder "
        "bundle and the .deb built by `installers/build.py`'s functions, the .deb unpacked with `dpkg-deb -x` "
        "and its app self-tested before anything is measured.",
        "",
        "| Measure | Value | Target | Result |",
        "|---|---:|---|---|",
        f"| Bundle unpacked (`/opt/comptoir`) | {mb(res.bundle)} | ≤ {BUNDLE_TARGET_MB} MB "
        f"| {ok if size_ok else fail} |",
        f"| PySide6-Essentials wheel, installed (reference) | {mb(res.wheel)} | — | info |",
        f"| .deb (gzip) | {mb(res.deb)} | — | info |",
        f"| Frozen start to the first window, {kind}, median of {len(headline)} | {fmt_seconds(median(headline))} "
        f"| ≤ {START_TARGET_S:.0f} s | {ok if start_ok else fail} |",
        f"| Same, warm, median of {len(res.warm)} | {fmt_seconds(median(res.warm))} | — | info |",
        f"| Same from the source checkout (`python main.py`), warm, median of {len(res.source)} "
        f"| {fmt_seconds(median(res.source))} | — | info |",
        "",
        "Details:",
        "",
        f"- The bundle is smaller than the wheel it comes from: it keeps {mb(res.kept_of_pyside)} of PySide6 + "
        f"shiboken6 (the wheels install {mb(res.wheel + res.shiboken)}): QtCore/Gui/Widgets/Svg/DBus, the xcb, "
        "Wayland and offscreen platform plugins, the SVG icon engine, a few image formats, and Qt's own "
        "translations for English and French only. Qt Quick/QML, WebEngine, PDF, Network, the eglfs/vnc/linuxfb "
        "platforms, the GTK 3 theme (which dragged GTK into the bundle) and the SQL drivers are left out "
        "(`installers/bundle_rules.py`), and the display stack (X11/xcb, Wayland, GL, fontconfig/freetype, glib, "
        "D-Bus, libstdc++) comes from the system through the .deb's Depends instead of being bundled.",
        "- Bundle by part: " + "; ".join(f"{label} {mb(size)}" for label, size in res.parts.items())
        + f". ICU's data file alone (`libicudata`) is {mb(res.icu_data)}; QtCore on Linux links to it.",
        f"- Start-up runs (s): cold {runs(res.cold) or 'not measured (needs root to drop the page cache)'}; "
        f"warm {runs(res.warm)}; source checkout {runs(res.source)}. Timed from `Popen` to the window titled "
        f"\"{TITLE}\" being mapped (IsViewable) on a private `Xvfb` 1280x800x24, polled every 5 ms with "
        "`xwininfo`; each run gets a new empty `--data-dir` and `PYTHON_KEYRING_BACKEND=keyring.backends.fail."
        "Keyring`; one untimed run first warms the X server and fontconfig's cache.",
        f"- Build: {res.build_seconds:.0f} s for bundle + .deb (PyInstaller's cache warm). Depends: {res.depends}.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine_info().items())
        + f". Load average (1 min) {res.load[0]:.2f} before, {res.load[-1]:.2f} after.",
        "",
        "Reproduce from the repo root with the venv active (root is needed for the cold runs):",
        "",
        "```sh",
        reproduce_command("bench.installers"),
        "```",
    ]
    return "\n".join(lines), size_ok and start_ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.installers", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed starts of each kind (default 5)")
    parser.add_argument("--no-drop-caches", action="store_true",
                        help="do not drop the page cache (warm starts only)")
    parser.add_argument("--write-results", action="store_true",
                        help="update the installers section of bench/RESULTS.md")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        parser.error("this benchmark builds and runs the Linux .deb")
    reason = xvfb_missing()
    if reason:
        parser.error(reason)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        res = run(args, log)
    except build.BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    text, passed = report(res, args)
    print(text)
    if args.write_results:
        replace_section(SECTION, text)
        log(f"updated the {SECTION} section of bench/RESULTS.md")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
