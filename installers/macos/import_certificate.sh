#!/usr/bin/env bash
# CI only: put the Developer ID certificate into a temporary keychain so codesign can use it.
#
# Needs MACOS_CERTIFICATE_P12 (base64 of the .p12), MACOS_CERTIFICATE_PASSWORD and MACOS_SIGN_IDENTITY.
# When they are absent (forks, pull requests) it says so and exits 0: the build then stays unsigned.
# Exports MACOS_SIGN_IDENTITY to later steps through $GITHUB_ENV only when the identity is usable.
set -euo pipefail
if [ -z "${MACOS_CERTIFICATE_P12:-}" ] || [ -z "${MACOS_CERTIFICATE_PASSWORD:-}" ] \
   || [ -z "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "import_certificate: signing secrets not set: building unsigned"
  exit 0
fi
keychain="$RUNNER_TEMP/comptoir-signing.keychain-db"
password=$(openssl rand -hex 24)
p12="$RUNNER_TEMP/comptoir-signing.p12"
trap 'rm -f "$p12"' EXIT
printf '%s' "$MACOS_CERTIFICATE_P12" | base64 --decode > "$p12"
security create-keychain -p "$password" "$keychain"
security set-keychain-settings -lut 21600 "$keychain"
security unlock-keychain -p "$password" "$keychain"
security import "$p12" -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple:,codesign: -s -k "$password" "$keychain" > /dev/null
existing=()   # keep the user's keychains searchable, add ours first
while IFS= read -r line; do
  line=${line//\"/}
  line=${line#"${line%%[![:space:]]*}"}
  [ -n "$line" ] && existing+=("$line")
done < <(security list-keychains -d user)
security list-keychains -d user -s "$keychain" "${existing[@]}"
security find-identity -v -p codesigning "$keychain" | grep -F "$MACOS_SIGN_IDENTITY" > /dev/null \
  || { echo "import_certificate: identity not found in the certificate" >&2; exit 1; }
echo "MACOS_SIGN_IDENTITY=$MACOS_SIGN_IDENTITY" >> "$GITHUB_ENV"
echo "import_certificate: signing with $MACOS_SIGN_IDENTITY"
