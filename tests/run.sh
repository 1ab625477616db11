#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine: system packages, virtual environment,
# lint, type check, tests. Usage: bash tests/run.sh [pytest arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests talk to for real: a Secret Service (gnome-keyring on its own D-Bus),
# Qt's runtime libraries, and a virtual X server for screenshots.
packages=(dbus gnome-keyring libsecret-tools xvfb xauth libegl1 libgl1 libfontconfig1 libxkbcommon-x11-0
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
          libxcb-xinerama0 libxcb-randr0 libdbus-1-3 fonts-dejavu-core
          binutils x11-utils desktop-file-utils appstream
          dovecot-imapd isync)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages. Install them with:" >&2
    echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# The Python environment (Python 3.11+), reinstalled only when pyproject.toml changes.
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.comptoir-deps
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" > "$stamp"
fi

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
