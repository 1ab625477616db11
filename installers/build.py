"""Build Comptoir's installer for the OS this runs on, then install it somewhere temporary and self-test it.

    python installers/build.py [--skip-smoke] [--portable]

- Linux:   PyInstaller one-folder bundle → dist/comptoir_<version>_<arch>.deb (dpkg-deb, gzip). Smoke test:
           `dpkg-deb -x` into a scratch root, then `opt/comptoir/Comptoir --data-dir TMP --selftest` offscreen
           (exit 0 and "result: PASS"), then the GUI offscreen for a few seconds (it must not quit or log
           errors). Every OS's smoke test ends with that GUI check.
           `--portable` only builds a self-contained bundle for the AppImage (installers/linux/appimage.sh).
- Windows: bundle → Inno Setup (ISCC) → dist/Comptoir-<version>-windows-x64-setup.exe. Smoke test: silent
           per-user install into a scratch folder, `Comptoir.exe --selftest`, silent uninstall.
- macOS:   Comptoir.app (signed when MACOS_SIGN_IDENTITY is set) → dist/Comptoir-<version>-macos-<arch>.dmg
           (installers/macos/make_dmg.sh: hdiutil, then notarization when the Apple secrets are set). Smoke
           test: mount, copy the app out as a merchant would, verify its signature, `--selftest`.

Intermediate files go to build/installer/, installers to dist/ (both gitignored). The functions are the ones
tests/test_installers.py calls, so the tests check exactly what this script ships.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from desktop import APP_ID, APP_NAME, __version__  # noqa: E402
from installers import bundle_rules, elf  # noqa: E402
from installers.icons import ensure_icons  # noqa: E402
from installers.winversion import version_tuple  # noqa: E402

SPEC = REPO / "installers" / "comptoir.spec"
DIST = REPO / "dist"
WORK = REPO / "build" / "installer"
RESOURCES = REPO / "resources"
DEB_PACKAGE = "comptoir"
DEB_PREFIX = "opt/comptoir"
SELFTEST_ENV = {"QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
IS_LINUX, IS_WIN, IS_MAC = sys.platform.startswith("linux"), sys.platform == "win32", sys.platform == "darwin"


class BuildError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def run(cmd: Sequence[str | Path], *, env: dict[str, str] | None = None, quiet: bool = False,
        timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    """Run a build tool; on failure raise BuildError with the end of its output."""
    args = [str(c) for c in cmd]
    log("$ " + " ".join(args))
    proc = subprocess.run(args, env={**os.environ, **(env or {})}, capture_output=quiet, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        tail = ((proc.stdout or "") + (proc.stderr or ""))[-4000:] if quiet else ""
        raise BuildError(f"{args[0]} failed with exit code {proc.returncode}\n{tail}")
    return proc


# --- the frozen bundle (all OSes) ---------------------------------------------------------------------


def build_bundle(dist_dir: Path = DIST, work_dir: Path = WORK, *, portable: bool = False,
                 quiet: bool = False) -> Path:
    """Run PyInstaller on installers/comptoir.spec; return the one-folder bundle (Comptoir.app on macOS)."""
    env = {"COMPTOIR_ICON_DIR": str(work_dir / "icons"), "COMPTOIR_PORTABLE": "1" if portable else "0"}
    run([sys.executable, "-m", "PyInstaller", SPEC, "--noconfirm", "--log-level", "WARN",
         "--distpath", dist_dir, "--workpath", work_dir / "pyinstaller"], env=env, quiet=quiet)
    bundle = dist_dir / (f"{APP_NAME}.app" if IS_MAC else APP_NAME)
    problems = check_bundle(bundle)
    if problems:
        raise BuildError("the bundle is incomplete:\n  " + "\n  ".join(problems))
    return bundle


def bundle_internal(bundle: Path) -> Path:
    """The folder PyInstaller's sys._MEIPASS points to inside a bundle."""
    return bundle / "Contents" / "Frameworks" if bundle.suffix == ".app" else bundle / "_internal"


def check_bundle(bundle: Path) -> list[str]:
    """What the frozen app needs at run time and could silently miss: resources, migrations, SQLCipher."""
    internal = bundle_internal(bundle)
    resources_root = bundle / "Contents" / "Resources" if bundle.suffix == ".app" else internal
    wanted = {
        "Comptoir's French translation": resources_root / "resources" / "translations" / "comptoir_fr.qm",
        "the app icon": resources_root / "resources" / "icons" / "comptoir.svg",
        "the database migrations": resources_root / "desktop" / "store" / "migrations",
        "keyring's metadata (backend entry points)": next(iter(resources_root.glob("keyring-*.dist-info")), None),
    }
    problems = [f"missing {what}" for what, path in wanted.items() if path is None or not Path(path).exists()]
    migrations = resources_root / "desktop" / "store" / "migrations"
    sources = sorted(p.name for p in (REPO / "desktop" / "store" / "migrations").glob("*.sql"))
    if migrations.exists() and sorted(p.name for p in migrations.glob("*.sql")) != sources:
        problems.append(f"migrations in the bundle differ from desktop/store/migrations ({sources})")
    if not any(internal.glob("sqlcipher3/_sqlite3*")):
        problems.append("missing the sqlcipher3 extension (sqlcipher3/_sqlite3*)")
    return problems


# --- Linux: .deb --------------------------------------------------------------------------------------


def deb_version(version: str = __version__) -> str:
    """Debian spelling of a Python version: 1.2.0rc1 → 1.2.0~rc1 (sorts before 1.2.0), 1.2.dev3 → 1.2~dev3."""
    return re.sub(r"\.?(a|b|rc|dev)(\d+)", r"~\1\2", version)


def deb_arch() -> str:
    try:
        return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def elf_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and elf.is_elf(p))


def system_requirements(app_dir: Path) -> dict[str, list[str]]:
    """Libraries the bundle links to but does not carry, with the Debian package providing each.

    Raises BuildError for a library that is neither bundled nor known: a .deb that installs but cannot
    start on a clean system is worse than a failed build.
    """
    bundled = {p.name for p in app_dir.rglob("*") if p.is_file() or p.is_symlink()}
    packages: dict[str, list[str]] = {}
    unknown: dict[str, str] = {}
    for path in elf_files(app_dir):
        for soname in elf.needed(path):
            if soname in bundled or bundle_rules.LIBC_SONAMES.match(soname):
                continue
            package = bundle_rules.system_dependency(soname)
            if package is None:
                unknown.setdefault(soname, str(path.relative_to(app_dir)))
            else:
                packages.setdefault(package, []).append(soname)
    if unknown:
        raise BuildError("libraries neither bundled nor mapped to a Debian package (add them to "
                         "installers/bundle_rules.py SYSTEM_LIBS): "
                         + ", ".join(f"{s} (needed by {p})" for s, p in sorted(unknown.items())))
    return {pkg: sorted(set(libs)) for pkg, libs in sorted(packages.items())}


def deb_depends(app_dir: Path) -> str:
    """The control file's Depends: glibc and libstdc++ floors from symbol versions, then every system library."""
    files = elf_files(app_dir)
    depends = []
    libc = elf.glibc_floor(files)
    depends.append(f"libc6 (>= {libc})" if libc else "libc6")
    cxx = elf.libstdcxx_floor(files)
    for package in system_requirements(app_dir):
        if package == "libstdc++6" and cxx:
            package = f"libstdc++6 (>= {cxx})"
        depends.append(package)
    return ", ".join(depends)


def installed_size_kib(root: Path) -> int:
    total = sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() or p.is_symlink())
    return (total + 1023) // 1024


def _normalise_modes(root: Path) -> None:
    """Files 0644 (0755 if executable or ELF), folders 0755, whatever the builder's umask was."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or path.stat().st_mode & 0o111 or elf.is_elf(path):
            path.chmod(0o755)
        else:
            path.chmod(0o644)


README_DEBIAN = """\
Comptoir for Debian and Ubuntu
==============================

The application lives in /opt/comptoir; `comptoir` on the command line and the "Comptoir" entry in
your applications menu start it. `comptoir --selftest` checks the installation.

Your data is yours: removing or purging this package never deletes your workspace (the encrypted
database, its settings and backups in ~/.local/share/Comptoir, plus ~/.cache/Comptoir and the log
folder). To delete it for good, use Comptoir's own erase command (`comptoir erase`, which arrives with
the privacy features) before uninstalling; it also removes the key from your system keyring.
"""


def stage_deb_root(bundle: Path, root: Path, icon_dir: Path) -> Path:
    """Lay out the package tree: /opt/comptoir, /usr/bin/comptoir, desktop entry, icons, metainfo, docs."""
    if root.exists():
        shutil.rmtree(root)
    app_dir = root / DEB_PREFIX
    app_dir.parent.mkdir(parents=True)
    shutil.copytree(bundle, app_dir, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / DEB_PACKAGE).symlink_to(f"/{DEB_PREFIX}/{APP_NAME}")
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(RESOURCES / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop")
    icons = share / "icons" / "hicolor"
    (icons / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(RESOURCES / "icons" / "comptoir.svg", icons / "scalable" / "apps" / f"{APP_ID}.svg")
    pngs = ensure_icons(icon_dir)
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        target = icons / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(pngs[f"png{size}"], target / f"{APP_ID}.png")
    (share / "metainfo").mkdir(parents=True)
    shutil.copy2(RESOURCES / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml")
    (share / "doc" / DEB_PACKAGE).mkdir(parents=True)
    (share / "doc" / DEB_PACKAGE / "README.Debian").write_text(README_DEBIAN, encoding="utf-8")
    _normalise_modes(root)
    return app_dir


def control_text(root: Path, app_dir: Path, version: str = __version__) -> str:
    fields = {
        "Package": DEB_PACKAGE,
        "Version": deb_version(version),
        "Architecture": deb_arch(),
        "Maintainer": os.environ.get("COMPTOIR_DEB_MAINTAINER", "Comptoir <packaging@comptoir.invalid>"),
        "Installed-Size": str(installed_size_kib(root)),
        "Depends": deb_depends(app_dir),
        "Section": "mail",
        "Priority": "optional",
        "Description": "customer-mail assistant for small online shops, local-first\n"
        " Comptoir reads your shop's mailbox, finds each customer's orders on Shopify or\n"
        " WooCommerce and drafts the reply for you to check, all on your own computer.\n"
        " Mail, orders and drafts sit in one encrypted database (SQLCipher) whose key is\n"
        " kept in your system keyring, or behind your passphrase. There is no server.",
    }
    return "".join(f"{key}: {value}\n" for key, value in fields.items())


def build_deb(bundle: Path, out_dir: Path = DIST, work_dir: Path = WORK) -> Path:
    """Package the bundle as dist/comptoir_<version>_<arch>.deb. No maintainer scripts: nothing runs as
    root at install or removal, and nothing ever deletes the merchant's data."""
    root = work_dir / "deb-root"
    app_dir = stage_deb_root(bundle, root, work_dir / "icons")
    (root / "DEBIAN").mkdir(mode=0o755)
    (root / "DEBIAN" / "control").write_text(control_text(root, app_dir), encoding="utf-8")
    (root / "DEBIAN" / "control").chmod(0o644)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{DEB_PACKAGE}_{deb_version()}_{deb_arch()}.deb"
    run(["dpkg-deb", "--build", "--root-owner-group", "-Zgzip", "-z6", root, deb], quiet=True)
    shutil.rmtree(root)
    return deb


def run_selftest(executable: Path, data_dir: Path, *, timeout: float = 120) -> str:
    """`EXE --data-dir DIR --selftest` headless with no keyring; its output, or BuildError."""
    proc = subprocess.run([str(executable), "--data-dir", str(data_dir), "--selftest"], capture_output=True,
                          text=True, env={**os.environ, **SELFTEST_ENV}, timeout=timeout, check=False)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise BuildError(f"{executable} --selftest exited with {proc.returncode}:\n{output}")
    if output.strip() and "result: PASS" not in proc.stdout:
        raise BuildError(f"{executable} --selftest did not report PASS:\n{output}")
    return output


def gui_smoke(executable: Path, scratch: Path, seconds: float = 5) -> None:
    """Start the installed app's GUI offscreen on a fresh data folder: it must still be running after
    `seconds` (Qt, its plugins and the first-run wizard loaded) and have logged no error."""
    data = scratch / "gui"
    proc = subprocess.Popen([str(executable), "--data-dir", str(data)], env={**os.environ, **SELFTEST_ENV},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            output = proc.communicate(timeout=15)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate()[0]
    else:
        output = proc.communicate()[0]
        raise BuildError(f"the app's GUI quit by itself (exit code {proc.returncode}):\n"
                         + output.decode(errors="replace"))
    logs = "".join(p.read_text(encoding="utf-8", errors="replace") for p in (data / "logs").glob("*.log*"))
    problems = [line for line in (logs + output.decode(errors="replace")).splitlines()
                if " ERROR " in line or " CRITICAL " in line or "Traceback" in line]
    if problems:
        raise BuildError("the app's GUI logged errors:\n" + "\n".join(problems))


def smoke_deb(deb: Path, scratch: Path) -> str:
    """Install the .deb's files into `scratch`/root (as `dpkg -i` would place them) and self-test the app."""
    root = scratch / "root"
    run(["dpkg-deb", "-x", deb, root], quiet=True)
    link = root / "usr" / "bin" / DEB_PACKAGE
    if not link.is_symlink() or str(link.readlink()) != f"/{DEB_PREFIX}/{APP_NAME}":
        raise BuildError(f"usr/bin/{DEB_PACKAGE} should link to /{DEB_PREFIX}/{APP_NAME}")
    output = run_selftest(root / DEB_PREFIX / APP_NAME, scratch / "data")
    if "result: PASS" not in output:
        raise BuildError(f"the installed app's self-test did not pass:\n{output}")
    gui_smoke(root / DEB_PREFIX / APP_NAME, scratch)
    return output


# --- Windows: Inno Setup ------------------------------------------------------------------------------


def find_iscc() -> Path:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return Path(found)
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES"), r"C:\Program Files (x86)"):
        if base and (Path(base) / "Inno Setup 6" / "ISCC.exe").exists():
            return Path(base) / "Inno Setup 6" / "ISCC.exe"
    raise BuildError("Inno Setup 6 (ISCC.exe) not found; install it (choco install innosetup) or put it on PATH")


def build_windows_installer(bundle: Path, out_dir: Path = DIST, work_dir: Path = WORK) -> Path:
    icons = ensure_icons(work_dir / "icons")
    base = f"{APP_NAME}-{__version__}-windows-x64-setup"
    numeric = ".".join(map(str, version_tuple(__version__)))
    run([find_iscc(), "/Qp", f"/DAppVersion={__version__}", f"/DAppVersionNumeric={numeric}",
         f"/DSourceDir={bundle}", f"/DOutputDir={out_dir}",
         f"/DOutputBaseFilename={base}", f"/DIconFile={icons['ico']}",
         REPO / "installers" / "windows" / "comptoir.iss"])
    return out_dir / f"{base}.exe"


def smoke_windows(installer: Path, scratch: Path) -> str:
    """Silent per-user install into `scratch`, self-test the installed app, silent uninstall."""
    app_dir = scratch / "app"
    run([installer, "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/CURRENTUSER", f"/DIR={app_dir}",
         f"/LOG={scratch / 'install.log'}"])
    exe = app_dir / f"{APP_NAME}.exe"
    if not exe.exists():
        raise BuildError(f"the installer did not put {exe} in place")
    output = run_selftest(exe, scratch / "data")
    if "result: PASS" not in output:
        log("the windowed Comptoir.exe printed nothing to the pipe; its exit code (0) is the verdict")
    gui_smoke(exe, scratch)
    # The uninstaller re-launches itself from %TEMP% and returns at once: wait for the files to go.
    run([app_dir / "unins000.exe", "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART"])
    deadline = time.monotonic() + 120
    while exe.exists() and time.monotonic() < deadline:
        time.sleep(1)
    if exe.exists():
        raise BuildError("the uninstaller left Comptoir.exe behind")
    return output


# --- macOS: .app and .dmg -----------------------------------------------------------------------------


def build_dmg(app: Path, out_dir: Path = DIST) -> Path:
    arch = platform.machine()  # arm64 on Apple silicon runners, x86_64 on Intel ones
    dmg = out_dir / f"{APP_NAME}-{__version__}-macos-{arch}.dmg"
    out_dir.mkdir(parents=True, exist_ok=True)
    run(["bash", REPO / "installers" / "macos" / "make_dmg.sh", app, dmg])
    return dmg


def smoke_dmg(dmg: Path, scratch: Path) -> str:
    """Mount the dmg, copy Comptoir.app out (as dragging to Applications does), check it, self-test it."""
    mount = scratch / "mnt"
    mount.mkdir()
    run(["hdiutil", "attach", "-nobrowse", "-readonly", "-mountpoint", mount, dmg], quiet=True)
    try:
        installed = scratch / "Applications" / f"{APP_NAME}.app"
        installed.parent.mkdir()
        run(["ditto", mount / f"{APP_NAME}.app", installed])
        if not (mount / "Applications").is_symlink():
            raise BuildError("the dmg has no Applications shortcut to drag the app onto")
    finally:
        run(["hdiutil", "detach", mount], quiet=True)
    run(["codesign", "--verify", "--deep", "--strict", "--verbose=2", installed], quiet=True)
    if os.environ.get("MACOS_SIGN_IDENTITY") and os.environ.get("APPLE_ID"):
        # Signed and notarized: Gatekeeper must accept it (the ticket is looked up online for the copy).
        run(["spctl", "--assess", "--type", "execute", "--verbose=2", installed], quiet=True)
    output = run_selftest(installed / "Contents" / "MacOS" / APP_NAME, scratch / "data")
    gui_smoke(installed / "Contents" / "MacOS" / APP_NAME, scratch)
    return output


# --- entry point --------------------------------------------------------------------------------------


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink()) / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python installers/build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-smoke", action="store_true", help="build only; do not install and self-test")
    parser.add_argument("--portable", action="store_true",
                        help="Linux: only a self-contained bundle for the AppImage (build/installer/portable)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        if args.portable:
            if not IS_LINUX:
                parser.error("--portable is for the Linux AppImage")
            bundle = build_bundle(WORK / "portable", WORK / "portable-work", portable=True)
            log(f"portable bundle: {bundle} ({size_mb(bundle):.1f} MB)")
            print(bundle)
            return 0
        bundle = build_bundle()
        log(f"bundle: {bundle} ({size_mb(bundle):.1f} MB unpacked)")
        if IS_LINUX:
            artifact = build_deb(bundle)
        elif IS_WIN:
            artifact = build_windows_installer(bundle)
        elif IS_MAC:
            artifact = build_dmg(bundle)
        else:
            raise BuildError(f"no installer recipe for {sys.platform}")
        log(f"installer: {artifact} ({size_mb(artifact):.1f} MB)")
        if not args.skip_smoke:
            with tempfile.TemporaryDirectory(prefix="comptoir-smoke-") as tmp:
                smoke = smoke_deb if IS_LINUX else smoke_windows if IS_WIN else smoke_dmg
                output = smoke(artifact, Path(tmp))
            print(output.rstrip())
            log("smoke test passed: the installed app's --selftest exits 0")
    except BuildError as exc:
        print(f"[build] FAILED: {exc}", file=sys.stderr)
        return 1
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
