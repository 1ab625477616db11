"""What goes into the frozen bundle: which Qt parts are left out, and which libraries come from the system.

Used by `installers/comptoir.spec` (while PyInstaller runs) and by the Linux packaging and its tests. Plain
Python with no PyInstaller import at module level, so the tests can read the same rules.

Comptoir uses QtCore, QtGui and QtWidgets (plus the SVG icon engine). PyInstaller's PySide6 hooks collect
every plugin of those modules; the ones no desktop session needs are dropped here, then every bundled library
that nothing kept still links to is pruned (found with PyInstaller's own import reader, so this works the same
for ELF, PE and Mach-O).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

Entry = tuple[str, str, str]  # PyInstaller TOC entry: (destination, source, typecode)

# Python modules never to freeze: Qt modules we do not use (QtNetwork is pulled in by PyInstaller's PySide6
# hook, nothing of ours uses it), test and GUI toolkits of the standard library.
QT_EXCLUDES = [
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel", "PySide6.QtWebSockets", "PySide6.QtWebView", "PySide6.Qt3DCore", "PySide6.Qt3DRender",
    "PySide6.Qt3DExtras", "PySide6.Qt3DInput", "PySide6.Qt3DLogic", "PySide6.Qt3DAnimation",
    "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
    "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtGraphs", "PySide6.QtGraphsWidgets",
    "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtDesigner", "PySide6.QtUiTools", "PySide6.QtHelp",
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtPrintSupport", "PySide6.QtXml",
    "PySide6.QtConcurrent", "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtPositioning",
    "PySide6.QtLocation", "PySide6.QtSerialPort", "PySide6.QtSensors", "PySide6.QtTextToSpeech",
    "PySide6.QtSpatialAudio", "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtStateMachine",
    "PySide6.QtHttpServer", "PySide6.QtCanvasPainter", "PySide6.QtSvgWidgets",
]
PY_EXCLUDES = ["tkinter", "_tkinter", "unittest", "pydoc_data", "pytest", "IPython", "lib2to3", "idlelib"]
# The openai package reaches every OpenAI product through lazy imports; Comptoir uses chat completions and
# the model list only (desktop/llm/client.py). Checked: none of these is imported when the client lists models,
# streams text and tool calls, asks for structured output and tests a server (tests/test_installers.py).
OPENAI_UNUSED = [f"openai.{kind}.{name}" for kind in ("resources", "types") for name in (
    "beta", "admin", "realtime", "audio", "vector_stores", "webhooks", "fine_tuning", "evals", "containers",
    "conversations", "uploads", "videos", "images", "files", "batches", "skills", "safety")] + [
    "openai.types.live", "openai.resources.responses", "openai.helpers", "openai.cli", "openai._extras"]
PY_EXCLUDES += OPENAI_UNUSED

# Whole plugin folders nobody needs in a desktop mail app.
DROP_PLUGIN_DIRS = {
    "designer", "egldeviceintegrations", "generic", "networkinformation", "tls", "printsupport", "sqldrivers",
    "qmltooling", "vectorimageformats", "wayland-graphics-integration-server", "position", "multimedia",
    "renderers", "sceneparsers", "geometryloaders", "webview", "texttospeech", "canbus", "sensors",
    "scenegraph", "renderplugins", "assetimporters",
}
# Single plugins dropped, by folder; names are matched without `lib` prefix and file extension.
# Kept on purpose: platforms xcb, wayland and offscreen (Linux), windows (Windows), cocoa (macOS); the xcb GL
# integrations; Wayland xdg-shell with its decorations and wayland-egl; compose/ibus input methods; the
# xdg-desktop-portal theme (native file dialogs through the portal); svg/ico/jpeg/gif/webp image formats; styles.
DROP_PLUGINS = {
    "platforms": {"qeglfs", "qlinuxfb", "qminimal", "qminimalegl", "qvkkhrdisplay", "qvnc", "qdirect2d"},
    "platformthemes": {"qgtk3"},  # would drag the whole GTK 3 stack into the bundle; the portal theme stays
    "platforminputcontexts": {"qtvirtualkeyboardplugin"},
    "imageformats": {"qpdf", "qtiff", "qtga", "qwbmp", "qicns"},
    "wayland-shell-integration": {"fullscreen-shell-v1", "ivi-shell", "wl-shell-plugin", "qt-shell"},
    "wayland-graphics-integration-client": {"dmabuf-server", "drm-egl-server", "shm-emulation-server",
                                            "vulkan-server"},
}
# Qt's own translations: only the languages Comptoir speaks (qtbase_*.qm is what desktop.ui.i18n loads).
LANGUAGES = ("en", "fr")
_QT_QM = re.compile(r"^(qt|qtbase)_(?P<lang>[a-z]{2})(_[A-Za-z]{2})?\.qm$")

# Linux .deb: libraries taken from the system instead of the bundle, with the package providing each (the
# control file's Depends is built from this table, and tests/test_installers.py checks that every library the
# bundle links to is either bundled or covered here). The X11/xcb/Wayland/GL stack and fontconfig/freetype
# must match the user's display server and drivers; libstdc++/libgcc_s must not be older than what the GL
# drivers (Mesa's LLVM) load into the same process. Alternatives cover the 64-bit time_t renames (Ubuntu 24.04).
SYSTEM_LIBS: dict[str, str] = {
    r"libX11\.so": "libx11-6",
    r"libX11-xcb\.so": "libx11-xcb1",
    r"libxcb\.so": "libxcb1",
    r"libxcb-cursor\.so": "libxcb-cursor0",
    r"libxcb-icccm\.so": "libxcb-icccm4",
    r"libxcb-image\.so": "libxcb-image0",
    r"libxcb-keysyms\.so": "libxcb-keysyms1",
    r"libxcb-randr\.so": "libxcb-randr0",
    r"libxcb-render\.so": "libxcb-render0",
    r"libxcb-render-util\.so": "libxcb-render-util0",
    r"libxcb-shape\.so": "libxcb-shape0",
    r"libxcb-shm\.so": "libxcb-shm0",
    r"libxcb-sync\.so": "libxcb-sync1",
    r"libxcb-util\.so": "libxcb-util1",
    r"libxcb-xfixes\.so": "libxcb-xfixes0",
    r"libxcb-xkb\.so": "libxcb-xkb1",
    r"libxcb-glx\.so": "libxcb-glx0",
    r"libxkbcommon\.so": "libxkbcommon0",
    r"libxkbcommon-x11\.so": "libxkbcommon-x11-0",
    r"libwayland-client\.so": "libwayland-client0",
    r"libwayland-cursor\.so": "libwayland-cursor0",
    r"libwayland-egl\.so": "libwayland-egl1",
    r"libEGL\.so": "libegl1",
    r"libGL\.so": "libgl1",
    r"libOpenGL\.so": "libopengl0",
    r"libfontconfig\.so": "libfontconfig1",
    r"libfreetype\.so": "libfreetype6",
    r"libdbus-1\.so": "libdbus-1-3",
    r"libglib-2\.0\.so": "libglib2.0-0t64 | libglib2.0-0",
    r"libgthread-2\.0\.so": "libglib2.0-0t64 | libglib2.0-0",
    r"libgobject-2\.0\.so": "libglib2.0-0t64 | libglib2.0-0",
    r"libgio-2\.0\.so": "libglib2.0-0t64 | libglib2.0-0",
    r"libstdc\+\+\.so": "libstdc++6",
    r"libgcc_s\.so": "libgcc-s1",
    r"libz\.so": "zlib1g",
    r"libzstd\.so": "libzstd1",
    r"libffi\.so": "libffi8",
    r"liblzma\.so": "liblzma5",
    r"libbz2\.so": "libbz2-1.0",
    r"libuuid\.so": "libuuid1",
}
# Always on the system (glibc and the dynamic loader); Depends carries libc6 with the version the bundle needs.
LIBC_SONAMES = re.compile(
    r"^(libc|libm|libdl|libpthread|librt|libresolv|libutil|libcrypt|libanl|libnsl)\.so\.\d+$|^ld-linux[-\w.]*\.so\.\d+$"
)


def _stem(name: str) -> str:
    stem = name.split(".", 1)[0]
    return stem[3:] if stem.startswith("lib") else stem


def _plugin_parts(dest: str) -> tuple[str, str] | None:
    """(folder, stem) when `dest` is a Qt plugin (…/plugins/<folder>/<file>), else None."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if "plugins" in parts:
        i = len(parts) - 1 - parts[::-1].index("plugins")
        if len(parts) == i + 3:
            return parts[i + 1], _stem(parts[i + 2])
    return None


def keep_plugin(dest: str) -> bool:
    """False for a Qt plugin (or plugin data) that the bundle leaves out."""
    found = _plugin_parts(dest)
    if found is None:
        return True
    folder, stem = found
    return folder not in DROP_PLUGIN_DIRS and stem not in DROP_PLUGINS.get(folder, set())


def keep_data(dest: str) -> bool:
    """Data files: drop Qt's own translations of languages we do not ship, and data of dropped plugins."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    name = parts[-1]
    if parts[0] in ("PySide6", "PyQt6") and "translations" in parts and name.endswith(".qm"):
        match = _QT_QM.match(name)
        return bool(match and match.group(1) == "qtbase" and match.group("lang") in LANGUAGES)
    return keep_plugin(dest)


def system_dependency(soname: str) -> str | None:
    """The Depends entry providing `soname` from the system, or None if the bundle must carry it."""
    for pattern, package in SYSTEM_LIBS.items():
        if re.match(pattern + r"(\.\d+)*$", soname):
            return package
    return None


def _is_root(dest: str, typecode: str) -> bool:
    """Entries kept whatever links to them: Python extensions, Qt plugins, the Python library itself."""
    name = PurePosixPath(dest.replace("\\", "/")).name.lower()
    return typecode == "EXTENSION" or _plugin_parts(dest) is not None or name.startswith(("libpython", "python"))


def prune_binaries(
    binaries: Iterable[Entry],
    imports_of: Callable[[str], Iterable[str]],
    *,
    system_libs: bool,
    log: Callable[[str], None] = print,
) -> list[Entry]:
    """Drop unwanted plugins, then (to a fixed point) every shared library no kept binary links to.

    `imports_of(source_path)` returns the names a binary links to (DT_NEEDED, PE imports or Mach-O load
    commands). With `system_libs` (Linux .deb), libraries listed in SYSTEM_LIBS are left to the system.
    """
    binaries = list(binaries)
    entries = [e for e in binaries if keep_plugin(e[0])]
    for e in binaries:
        if not keep_plugin(e[0]):
            log(f"comptoir: left out plugin {e[0]}")
    if system_libs:
        for e in entries:
            if system_dependency(PurePosixPath(e[0]).name):
                log(f"comptoir: left to the system ({system_dependency(PurePosixPath(e[0]).name)}): {e[0]}")
        entries = [e for e in entries if not system_dependency(PurePosixPath(e[0]).name)]
    imports: dict[str, set[str]] = {}
    for dest, source, typecode in entries:
        if typecode == "SYMLINK":
            imports[dest] = set()
            continue
        try:
            imports[dest] = {PurePosixPath(str(n).replace("\\", "/")).name.lower() for n in imports_of(source)}
        except Exception as exc:  # an unreadable file is kept, and so is everything it might need
            log(f"comptoir: could not read the imports of {dest} ({exc}); keeping it")
            imports[dest] = set()
    kept = list(entries)
    while True:
        needed = set().union(*(imports[d] for d, _s, _t in kept))
        unreferenced = [
            e for e in kept
            if not _is_root(e[0], e[2]) and e[2] in ("BINARY", "EXTENSION")
            and PurePosixPath(e[0].replace("\\", "/")).name.lower() not in needed
        ]
        if not unreferenced:
            return drop_dangling_links(kept, removed_destinations(binaries, kept), log)
        for e in unreferenced:
            log(f"comptoir: pruned {e[0]} (nothing kept links to it)")
        kept = [e for e in kept if e not in unreferenced]


def link_target(entry: Entry) -> str:
    """Where a SYMLINK entry points, as a destination path (its source is relative to its own folder)."""
    dest, source, _typecode = entry
    return posixpath.normpath(posixpath.join(posixpath.dirname(dest.replace("\\", "/")), source.replace("\\", "/")))


def removed_destinations(before: Iterable[Entry], after: Iterable[Entry]) -> set[str]:
    """Destinations present in `before` and gone from `after` (normalised to forward slashes)."""
    kept = {e[0].replace("\\", "/") for e in after}
    return {e[0].replace("\\", "/") for e in before} - kept


def drop_dangling_links(toc: Iterable[Entry], removed: set[str], log: Callable[[str], None] = print) -> list[Entry]:
    """Remove SYMLINK entries that point at something this module left out (other links are untouched)."""
    out = []
    for entry in toc:
        if entry[2] == "SYMLINK" and link_target(entry) in removed:
            log(f"comptoir: dropped link {entry[0]} -> {entry[1]} (target left out)")
            continue
        out.append(entry)
    return out


def _framework(dest: str) -> str | None:
    parts = dest.replace("\\", "/").split("/")
    for i, part in enumerate(parts):
        if part.endswith(".framework"):
            return "/".join(parts[: i + 1])
    return None


def drop_framework_leftovers(datas: Iterable[Entry], before: Iterable[Entry], after: Iterable[Entry],
                             log: Callable[[str], None] = print) -> list[Entry]:
    """macOS: when a Qt .framework's binary was pruned, drop its Resources too (a framework without its
    binary would break the bundle's signature)."""
    kept = {_framework(e[0]) for e in after} - {None}
    gone = {_framework(e[0]) for e in before} - {None} - kept
    out = []
    for entry in datas:
        if _framework(entry[0]) in gone:
            log(f"comptoir: dropped {entry[0]} (its framework was pruned)")
            continue
        out.append(entry)
    return out


def macos_floor(wheel_tags: Iterable[Iterable[str]], floor: str = "12.0") -> str:
    """The lowest macOS the bundle can run on: `floor`, raised to what the bundled wheels were built for.

    `wheel_tags` holds, per installed distribution, its WHEEL `Tag:` values (e.g. PySide6-Essentials 6.12
    is `cp310-abi3-macosx_14_0_universal2`, so Comptoir built with it needs macOS 14).
    """
    best = tuple(int(p) for p in floor.split("."))
    for tags in wheel_tags:
        versions = [tuple(int(n) for n in m.groups()) for t in tags if (m := re.search(r"macosx_(\d+)_(\d+)_", t))]
        if versions:
            best = max(best, min(versions))
    return ".".join(map(str, best))


def installed_wheel_tags(names: Iterable[str]) -> list[list[str]]:
    """The WHEEL tags of the installed distributions `names` (missing ones are skipped)."""
    from importlib import metadata

    found = []
    for name in names:
        try:
            text = metadata.distribution(name).read_text("WHEEL") or ""
        except metadata.PackageNotFoundError:
            continue
        found.append([line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")])
    return found


# Distributions with native code in the bundle: their wheels decide the lowest macOS version.
NATIVE_DISTRIBUTIONS = ("PySide6-Essentials", "shiboken6", "sqlcipher3", "cryptography", "argon2-cffi-bindings",
                        "cffi")
