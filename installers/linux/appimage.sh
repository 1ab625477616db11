#!/usr/bin/env bash
# Comptoir as an AppImage: dist/Comptoir-<version>-<arch>.AppImage, then its self-test.
#
#   bash installers/linux/appimage.sh
#
# Release workflow only: appimagetool (and the AppImage runtime it embeds) are downloaded from GitHub,
# which a machine without internet cannot do. Unlike the .deb, whose Depends brings the X11/xcb libraries,
# an AppImage must carry them, so this uses the *portable* bundle (`installers/build.py --portable`:
# PyInstaller's own library collection, without the .deb's "leave it to the system" list).
#
# Environment: PYTHON (default python3), APPIMAGETOOL_URL, APPIMAGETOOL_SHA256 (checked when set).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
version=$("$PY" -c 'import desktop; print(desktop.__version__)')
arch=$(uname -m)
app_id=fr.comptoir.Comptoir
tool_url=${APPIMAGETOOL_URL:-https://github.com/AppImage/appimagetool/releases/download/continuous/appimagetool-$arch.AppImage}

bundle=$("$PY" installers/build.py --portable | tail -n 1)
[ -x "$bundle/Comptoir" ] || { echo "appimage: no portable bundle at $bundle" >&2; exit 1; }

work=build/appimage
appdir=$work/Comptoir.AppDir
rm -rf "$work"
mkdir -p "$appdir/usr/lib" "$appdir/usr/share/applications" "$appdir/usr/share/metainfo" \
         "$appdir/usr/share/icons/hicolor/256x256/apps" "$appdir/usr/share/icons/hicolor/scalable/apps"
cp -a "$bundle" "$appdir/usr/lib/comptoir"
cat > "$appdir/AppRun" <<'APPRUN'
#!/bin/sh
HERE="$(dirname "$(readlink -f "$0")")"
exec "$HERE/usr/lib/comptoir/Comptoir" "$@"
APPRUN
chmod 0755 "$appdir/AppRun"
cp resources/$app_id.desktop "$appdir/$app_id.desktop"
cp resources/$app_id.desktop "$appdir/usr/share/applications/"
cp resources/$app_id.metainfo.xml "$appdir/usr/share/metainfo/$app_id.appdata.xml"
cp build/installer/portable-work/icons/comptoir-256.png "$appdir/$app_id.png"
cp build/installer/portable-work/icons/comptoir-256.png "$appdir/usr/share/icons/hicolor/256x256/apps/$app_id.png"
cp resources/icons/comptoir.svg "$appdir/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
ln -s "$app_id.png" "$appdir/.DirIcon"

curl -fsSL --retry 3 -o "$work/appimagetool" "$tool_url"
if [ -n "${APPIMAGETOOL_SHA256:-}" ]; then
  echo "$APPIMAGETOOL_SHA256  $work/appimagetool" | sha256sum -c -
else
  echo "appimage: appimagetool sha256 $(sha256sum "$work/appimagetool" | cut -d' ' -f1) (set APPIMAGETOOL_SHA256 to pin it)"
fi
chmod +x "$work/appimagetool"
mkdir -p dist
out="dist/Comptoir-$version-$arch.AppImage"
# --appimage-extract-and-run: CI runners have no FUSE 2.
ARCH=$arch "$work/appimagetool" --appimage-extract-and-run --no-appstream "$appdir" "$out"

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring \
  "$out" --appimage-extract-and-run --data-dir "$data/ws" --selftest | tee "$work/selftest.txt"
grep -q "result: PASS" "$work/selftest.txt"
echo "appimage: $out"
