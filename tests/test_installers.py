"""The installers, built and installed for real.

On Linux the session builds the PyInstaller bundle and the .deb once, with the same functions as
`python installers/build.py`, unpacks the .deb into a scratch root (`dpkg-deb -x`, where `dpkg -i` would put
the files) and runs the installed app: `--selftest` headless, then the GUI under a private Xvfb, screenshotted
from a second process. The Windows installer and the macOS dmg are built and smoke-tested the same way by
.github/workflows/release.yml on their own runners; here their recipes are only checked statically.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop import APP_ID, __version__
from desktop.store.migrate import latest_version
from installers import build, bundle_rules, elf, icons, winversion
from installers.x11 import Xvfb, distinct_colours, xvfb_missing
from tests.conftest import SecretService

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "build" / "screenshots"
IS_LINUX = sys.platform.startswith("linux")
# The Qt xcb runtime libraries a clean Debian/Ubuntu lacks; the .deb must pull them in.
XCB_RUNTIME = ("libegl1", "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1",
               "libfontconfig1", "libdbus-1-3")
NO_KEYRING = "keyring.backends.fail.Keyring"


@dataclass(frozen=True)
class LinuxBuild:
    bundle: Path
    deb: Path
    root: Path  # the .deb unpacked as dpkg would install it

    @property
    def app(self) -> Path:
        return self.root / "opt" / "comptoir" / "Comptoir"


@pytest.fixture(scope="session")
def linux_build(tmp_path_factory: pytest.TempPathFactory) -> LinuxBuild:
    """Bundle + .deb, built once per session exactly as installers/build.py builds them, then unpacked."""
    if not IS_LINUX:
        pytest.skip("the .deb is built on Linux; the Windows and macOS installers are built and smoke-tested "
                    "by .github/workflows/release.yml on their runners")
    missing = [tool for tool in ("dpkg-deb", "strip") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian: dpkg, binutils); bash tests/run.sh installs them")
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.skip("needs PyInstaller: pip install -e '.[dev]' (bash tests/run.sh does)")
    base = tmp_path_factory.mktemp("installer")
    try:
        bundle = build.build_bundle(base / "dist", base / "work", quiet=True)
        deb = build.build_deb(bundle, base / "dist", base / "work")
    except build.BuildError as exc:
        pytest.fail(f"building the Linux installer failed: {exc}")
    root = base / "installed"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, capture_output=True)
    return LinuxBuild(bundle, deb, root)


def deb_field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True,
                          check=True).stdout.strip()


def deb_members(deb: Path) -> dict[str, str]:
    """Path → type ('f' file, 'd' folder, 'l' link) of the .deb's data archive."""
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    members = {}
    for line in listing.splitlines():
        path = line.split(None, 5)[5].split(" -> ")[0]
        members[path.removeprefix("./").rstrip("/")] = {"-": "f", "d": "d", "l": "l"}[line[0]]
    return members


# --- the .deb, installed ------------------------------------------------------------------------------


def test_installed_deb_passes_its_selftest_headless(linux_build: LinuxBuild, tmp_path: Path) -> None:
    output = build.smoke_deb(linux_build.deb, tmp_path)  # unpack into a fresh root, run opt/comptoir/Comptoir
    assert "result: PASS" in output
    assert f"Comptoir {__version__} self-test" in output
    assert f"migrations: schema {latest_version()}" in output  # the SQL files were found frozen
    assert re.search(r"\[ok  \] encryption: SQLCipher 4\.", output)
    assert "[ok  ] file encrypted" in output
    assert "fail.Keyring" in output  # the keyring backends were found through their entry points
    assert "[ok  ] assistant: triage where_is_my_order/fr, template ok, LLM client ok" in output  # openai, frozen


@pytest.mark.keyring
def test_installed_app_finds_the_secret_service_by_itself(
        linux_build: LinuxBuild, secret_service: SecretService, tmp_path: Path) -> None:
    """No PYTHON_KEYRING_BACKEND: the frozen keyring must discover its backends through their entry points
    (copy_metadata) and reach gnome-keyring through secretstorage/jeepney (hidden imports)."""
    env = {**os.environ, **secret_service.env}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    proc = subprocess.run([str(linux_build.app), "--data-dir", str(tmp_path / "d"), "--selftest"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[ok  ] keyring: keyring.backends.SecretService.Keyring usable" in proc.stdout, proc.stdout


def test_installed_command_is_on_path_and_prints_cli_output(linux_build: LinuxBuild, tmp_path: Path) -> None:
    link = linux_build.root / "usr" / "bin" / "comptoir"
    assert link.is_symlink() and str(link.readlink()) == "/opt/comptoir/Comptoir"
    proc = subprocess.run([str(linux_build.app), "--data-dir", str(tmp_path / "d"), "--help"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0 and "usage: comptoir" in proc.stdout  # a console binary on Linux


def test_deb_control_fields(linux_build: LinuxBuild) -> None:
    deb = linux_build.deb
    assert deb.name == f"comptoir_{__version__}_{build.deb_arch()}.deb"
    assert deb_field(deb, "Package") == "comptoir"
    assert deb_field(deb, "Version") == build.deb_version(__version__)
    if re.fullmatch(r"[\d.]+", __version__):  # a release: the very same string
        assert deb_field(deb, "Version") == __version__
    assert deb_field(deb, "Architecture") == build.deb_arch()
    depends = [d.strip() for d in deb_field(deb, "Depends").split(",")]
    names = {alt.split()[0] for d in depends for alt in d.split("|")}
    assert set(XCB_RUNTIME) <= names
    assert re.fullmatch(r"libc6 \(>= 2\.\d+\)", depends[0])
    assert "libstdc++6" in names  # from the system, never bundled (Mesa's drivers need the newest)
    assert int(deb_field(deb, "Installed-Size")) > 50_000  # KiB


def test_deb_ships_desktop_entry_icons_and_metainfo_and_no_maintainer_scripts(linux_build: LinuxBuild) -> None:
    members = deb_members(linux_build.deb)
    for path in (f"usr/share/applications/{APP_ID}.desktop", f"usr/share/metainfo/{APP_ID}.metainfo.xml",
                 f"usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
                 f"usr/share/icons/hicolor/256x256/apps/{APP_ID}.png", "opt/comptoir/Comptoir",
                 "usr/share/doc/comptoir/README.Debian"):
        assert members.get(path) == "f", path
    assert members.get("usr/bin/comptoir") == "l"
    png = (linux_build.root / f"usr/share/icons/hicolor/256x256/apps/{APP_ID}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (256, 256)
    # Nothing runs at install or removal, so nothing can delete ~/.local/share/Comptoir.
    ctrl = subprocess.run(["dpkg-deb", "--ctrl-tarfile", str(linux_build.deb)], capture_output=True, check=True)
    tar_path = linux_build.root.parent / "control.tar"
    tar_path.write_bytes(ctrl.stdout)
    with tarfile.open(tar_path) as tar:
        names = {m.name.removeprefix("./") for m in tar.getmembers()} - {"", "."}
    assert names <= {"control", "md5sums"}, names
    readme = (linux_build.root / "usr/share/doc/comptoir/README.Debian").read_text(encoding="utf-8")
    assert "never deletes your workspace" in readme and "comptoir erase" in readme


def test_every_library_the_bundle_links_to_is_bundled_or_in_depends(linux_build: LinuxBuild) -> None:
    app_dir = linux_build.root / "opt" / "comptoir"
    needed = build.system_requirements(app_dir)  # raises for a library neither bundled nor mapped
    depends = deb_field(linux_build.deb, "Depends")
    for package in needed:
        assert package.split(" |")[0] in depends, package
    bundled = {p.name for p in app_dir.rglob("*")}
    # Left to the system on purpose: the display stack, and the C++ runtime Mesa loads into the process.
    assert not bundled & {"libstdc++.so.6", "libgcc_s.so.1", "libX11.so.6", "libxcb.so.1", "libfontconfig.so.1",
                          "libGL.so.1", "libEGL.so.1", "libgtk-3.so.0"}
    assert not [p for p in app_dir.rglob("*") if p.is_symlink() and not p.exists()]  # no dangling links


def test_bundle_leaves_out_unused_qt(linux_build: LinuxBuild) -> None:
    app_dir = linux_build.root / "opt" / "comptoir"
    names = [p.name for p in app_dir.rglob("*")]
    for unwanted in ("WebEngine", "Qt6Quick", "Qt6Qml", "Qt6Pdf", "Qt6Multimedia", "Qt63D", "Qt6Charts",
                     "Qt6Network", "Qt6VirtualKeyboard", "QtNetwork", "libqgtk3", "qmltooling"):
        assert not [n for n in names if unwanted in n], unwanted
    plugins = app_dir / "_internal" / "PySide6" / "Qt" / "plugins"
    assert {p.name for p in (plugins / "platforms").iterdir()} == {"libqxcb.so", "libqoffscreen.so",
                                                                   "libqwayland.so"}
    assert (plugins / "iconengines" / "libqsvgicon.so").exists()  # the SVG app icon
    qt_qm = {p.name for p in (app_dir / "_internal" / "PySide6" / "Qt" / "translations").iterdir()}
    assert qt_qm == {"qtbase_en.qm", "qtbase_fr.qm"}
    assert (app_dir / "_internal" / "resources" / "translations" / "comptoir_fr.qm").exists()
    assert build.size_mb(linux_build.bundle) < 150


# --- the frozen GUI, under Xvfb -----------------------------------------------------------------------


@pytest.fixture
def xserver() -> Iterator[Xvfb]:
    reason = xvfb_missing()
    if reason:
        pytest.skip(reason)
    server = Xvfb()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize(("lang", "title", "shot_name"), [
    ("en", "Comptoir — first start", "frozen-first-run"),
    ("fr", "Comptoir — premier démarrage", "frozen-first-run-fr"),
])
def test_frozen_app_opens_the_first_run_wizard_on_x11(
        linux_build: LinuxBuild, xserver: Xvfb, tmp_path: Path, lang: str, title: str, shot_name: str) -> None:
    data = tmp_path / "fresh"
    log_path = tmp_path / "app.log"
    with log_path.open("wb") as log:
        app = subprocess.Popen([str(linux_build.app), "--data-dir", str(data), "--lang", lang],
                               env=xserver.env(PYTHON_KEYRING_BACKEND=NO_KEYRING), stdout=log,
                               stderr=subprocess.STDOUT)
        try:
            window = xserver.wait_for_window(title, timeout=60, proc=app)  # title checked by xwininfo
            shot = SHOTS / f"{shot_name}.png"
            colours = 0
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # mapped first, painted a moment later
                xserver.screenshot(shot)
                colours = distinct_colours(shot, window)
                if colours > 50:
                    break
                time.sleep(0.3)
            assert app.poll() is None, "the app quit while showing its wizard"
        finally:
            app.terminate()
            try:
                app.wait(15)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert colours > 50, f"the wizard window looks blank ({colours} colours); app output:\n{output}"
    assert window.width >= 400 and window.height >= 300
    assert "Traceback" not in output, output
    assert (data / "logs").is_dir()  # it used the --data-dir it was given


# --- the recipes for the other systems, and the pieces shared by all ---------------------------------


def test_icons_are_valid_png_ico_and_icns(tmp_path: Path) -> None:
    paths = icons.ensure_icons(tmp_path)
    ico = paths["ico"].read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, len(icons.ICO_SIZES))
    for i, size in enumerate(icons.ICO_SIZES):
        width, _h, _c, _r, _planes, _bits, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i:22 + 16 * i])
        assert width == (0 if size == 256 else size)
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(ico)
    icns = paths["icns"].read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    pos, kinds = 8, []
    while pos < len(icns):
        kind_b, length = icns[pos:pos + 4], struct.unpack(">I", icns[pos + 4:pos + 8])[0]
        assert icns[pos + 8:pos + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind_b)
        pos += length
    assert pos == len(icns) and {b"ic10", b"ic08", b"icp4"} <= set(kinds)


def test_desktop_entry() -> None:
    path = REPO / "resources" / f"{APP_ID}.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(path, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Name"] == desktop["Name[fr]"] == "Comptoir"
    assert desktop["Comment[fr]"] and desktop["Comment"] != desktop["Comment[fr]"]
    assert desktop["Exec"] == "comptoir" and desktop["Icon"] == APP_ID and desktop["Type"] == "Application"
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, check=False)
        assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout


def test_appstream_metainfo() -> None:
    path = REPO / "resources" / f"{APP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("provides/binary") == "comptoir"
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert any(s.get(lang) == "fr" for s in root.findall("summary"))
    release = root.find("releases/release")
    assert release is not None and release.get("version") == __version__  # bump it with desktop.__version__
    if shutil.which("appstreamcli"):
        proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_deb_version_spelling() -> None:
    assert build.deb_version("0.1.0") == "0.1.0"
    assert build.deb_version("1.2.0rc1") == "1.2.0~rc1"
    assert build.deb_version("1.2.0b2") == "1.2.0~b2"
    assert build.deb_version("1.2.dev3") == "1.2~dev3"


def test_bundle_rules_keep_our_translations_and_drop_unused_plugins() -> None:
    assert bundle_rules.keep_data("resources/translations/comptoir_fr.qm")
    assert bundle_rules.keep_data("PySide6/Qt/translations/qtbase_fr.qm")
    assert not bundle_rules.keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert not bundle_rules.keep_data("PySide6/Qt/translations/qtwebengine_fr.qm")
    assert bundle_rules.keep_plugin("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert bundle_rules.keep_plugin("PySide6\\plugins\\platforms\\qwindows.dll")
    assert bundle_rules.keep_plugin("PySide6/Qt/plugins/platforms/libqcocoa.dylib")
    assert bundle_rules.keep_plugin("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll")
    assert not bundle_rules.keep_plugin("PySide6/Qt/plugins/platforms/libqeglfs.so")
    assert not bundle_rules.keep_plugin("PySide6/Qt/plugins/imageformats/libqpdf.so")
    assert not bundle_rules.keep_plugin("PySide6\\plugins\\sqldrivers\\qsqlite.dll")
    assert bundle_rules.system_dependency("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert bundle_rules.system_dependency("libQt6Core.so.6") is None


def test_pruning_follows_direct_links_only() -> None:
    toc = [
        ("PySide6/QtGui.abi3.so", "/s/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", "/s/libQt6Pdf.so.6", "BINARY"),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", "/s/libqpdf.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/s/libqxcb.so", "BINARY"),
        ("libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6", "SYMLINK"),
        ("libX11.so.6", "/usr/lib/libX11.so.6", "BINARY"),
        ("libxcb-util.so.1", "/usr/lib/libxcb-util.so.1", "BINARY"),
        ("libpython3.11.so.1.0", "/s/libpython3.11.so.1.0", "BINARY"),
    ]
    links = {"/s/QtGui.abi3.so": ["libQt6Gui.so.6"], "/s/libqpdf.so": ["libQt6Pdf.so.6"],
             "/s/libqxcb.so": ["libQt6Gui.so.6", "libX11.so.6", "libxcb-util.so.1"]}
    kept = bundle_rules.prune_binaries(toc, lambda s: links.get(s, []), system_libs=True, log=lambda _m: None)
    assert [e[0] for e in kept] == ["PySide6/QtGui.abi3.so", "PySide6/Qt/lib/libQt6Gui.so.6",
                                    "PySide6/Qt/plugins/platforms/libqxcb.so", "libpython3.11.so.1.0"]
    portable = bundle_rules.prune_binaries(toc, lambda s: links.get(s, []), system_libs=False, log=lambda _m: None)
    assert "libxcb-util.so.1" in [e[0] for e in portable]


def test_pruned_macos_frameworks_leave_nothing_behind() -> None:
    lib = "PySide6/Qt/lib"
    before = [(f"{lib}/QtCore.framework/Versions/A/QtCore", "/s/QtCore", "BINARY"),
              (f"{lib}/QtPdf.framework/Versions/A/QtPdf", "/s/QtPdf", "BINARY")]
    after = before[:1]
    datas = [(f"{lib}/QtCore.framework/Resources/Info.plist", "/s/a", "DATA"),
             (f"{lib}/QtPdf.framework/Resources/Info.plist", "/s/b", "DATA"),
             (f"{lib}/QtCore.framework/Versions/Current", "A", "SYMLINK"),  # a folder link: kept
             (f"{lib}/QtPdf.framework/QtPdf", "Versions/A/QtPdf", "SYMLINK")]
    datas = bundle_rules.drop_dangling_links(datas, bundle_rules.removed_destinations(before, after),
                                             log=lambda _m: None)
    datas = bundle_rules.drop_framework_leftovers(datas, before, after, log=lambda _m: None)
    assert [d[0] for d in datas] == [f"{lib}/QtCore.framework/Resources/Info.plist",
                                     f"{lib}/QtCore.framework/Versions/Current"]


def test_elf_reader_agrees_with_readelf(linux_build: LinuxBuild) -> None:
    if not shutil.which("readelf"):
        pytest.skip("needs readelf (Debian: binutils); bash tests/run.sh installs it")
    files = build.elf_files(linux_build.root / "opt" / "comptoir")
    assert len(files) > 30
    for path in files[:: max(1, len(files) // 25)]:
        dump = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
        assert elf.needed(path) == re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dump), path
    assert re.fullmatch(r"2\.\d+", elf.glibc_floor(files) or "")


def test_macos_minimum_follows_the_wheels() -> None:
    assert bundle_rules.macos_floor([["cp310-abi3-manylinux_2_34_x86_64"]], "12.0") == "12.0"
    assert bundle_rules.macos_floor([["cp310-abi3-macosx_14_0_universal2"], ["cp311-cp311-macosx_11_0_arm64"]],
                                    "12.0") == "14.0"
    spec = (REPO / "installers" / "comptoir.spec").read_text(encoding="utf-8")
    for needle in ("BUNDLE(", "bundle_identifier=APP_ID", '"NSHighResolutionCapable": True',
                   '"LSMinimumSystemVersion"', "entitlements_file=entitlements", 'copy_metadata("keyring")',
                   'collect_submodules("keyring.backends")', "win32ctypes.pywin32.win32cred", "console=IS_LINUX"):
        assert needle in spec, needle


def test_windows_version_resource_is_well_formed() -> None:
    text = winversion.version_info_text("1.2.0rc1")
    calls: list[str] = []

    def recorder(name: str) -> object:
        def make(*args: object, **kwargs: object) -> str:
            calls.append(name)
            return name
        return make

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct")
    eval(compile(text, "version_info", "eval"), {n: recorder(n) for n in names})  # noqa: S307 (our own text)
    assert calls.count("StringStruct") == 8 and "(1, 2, 0, 0)" in text


def test_inno_setup_script_installs_per_user_and_erases_only_through_the_app() -> None:
    raw = (REPO / "installers" / "windows" / "comptoir.iss").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: ISCC reads the French messages as UTF-8
    iss = raw.decode("utf-8-sig")
    assert re.search(r"^PrivilegesRequired=lowest$", iss, re.M)
    assert "{autoprograms}\\{#AppName}" in iss  # Start-menu entry
    assert "'erase --all --yes'" in iss and "MB_DEFBUTTON2" in iss  # asks, defaults to keeping the data
    assert not re.search(r"^\[UninstallDelete\]", iss, re.M)  # no file-level deletion of user data
    assert "DelTree" not in iss


def test_release_workflow_pins_actions_and_limits_permissions() -> None:
    text = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    uses = re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)", text, re.M)
    assert uses, "no actions used?"
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}", action), f"{action} is not pinned by SHA"
    assert re.search(r"^permissions:\n  contents: read$", text, re.M)
    assert text.count("contents: write") == 1
    for runner in ("ubuntu-24.04", "windows-2022", "macos-15", "macos-15-intel"):
        assert runner in text
    assert "installers/build.py" in text and "--selftest" in text


def test_openai_modules_left_out_of_the_bundle_are_never_imported(llm_server: Any) -> None:
    """The bundle drops parts of the openai package; the client must work without them (in a fresh process)."""
    script = f"""
import sys
from desktop.llm.client import ChatClient
from desktop.llm.endpoint import Endpoint
from installers.bundle_rules import OPENAI_UNUSED
with ChatClient(Endpoint({llm_server.base_url!r})) as client:
    client.list_models()
    client.stream(model="test-model", messages=[{{"role": "user", "content": "hi"}}],
                  tools=[{{"type": "function", "function": {{"name": "x", "parameters": {{"type": "object"}}}}}}])
    client.structured(model="test-model", messages=[{{"role": "user", "content": "hi"}}], schema={{"type": "object"}},
                      name="o")
    client.test("test-model")
print([m for m in sys.modules for p in OPENAI_UNUSED if m == p or m.startswith(p + ".")])
"""
    from tests.llm_server.server import JsonReply, Text, ToolCalls

    llm_server.script([ToolCalls([("x", {})]), JsonReply({"a": 1}), ToolCalls([("x", {})])])
    llm_server.responder = lambda _request: Text("ok")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
