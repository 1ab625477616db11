#!/usr/bin/env bash
# Comptoir.app → a compressed, drag-to-Applications disk image; signed and notarized when the secrets are set.
#
#   bash installers/macos/make_dmg.sh dist/Comptoir.app dist/Comptoir-0.1.0-macos-arm64.dmg
#
# Environment (all optional; without them the dmg is built unsigned, which is fine for local tests):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: NAME (TEAMID)", in an unlocked keychain
#                         (installers/macos/import_certificate.sh sets one up on CI). The app itself was
#                         signed by PyInstaller with the hardened runtime and entitlements.plist.
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
#                         notarize with `xcrun notarytool submit --wait`, then staple the ticket.
set -euo pipefail
app=${1:?usage: make_dmg.sh APP DMG}
dmg=${2:?usage: make_dmg.sh APP DMG}
name=$(basename "$app" .app)

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
ditto "$app" "$staging/$name.app"
ln -s /Applications "$staging/Applications"

rm -f "$dmg"
hdiutil create -volname "$name" -srcfolder "$staging" -fs HFS+ -format UDZO -imagekey zlib-level=9 -ov "$dmg"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --verify --deep --strict --verbose=2 "$app"
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
  codesign --verify --verbose=2 "$dmg"
else
  echo "make_dmg: MACOS_SIGN_IDENTITY not set: the app is ad-hoc signed and the dmg unsigned (not for release)"
fi

if [ -n "${MACOS_SIGN_IDENTITY:-}" ] && [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] \
   && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait --timeout 1h
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
else
  echo "make_dmg: Apple notarization credentials not set: skipping notarization"
fi
echo "make_dmg: $dmg"
