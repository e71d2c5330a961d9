#!/usr/bin/env bash
# Installs the Debian packages the project needs, only where they are missing.
#   scripts/system-deps.sh        what the app needs: venv support, Pango and fonts for the PDF
#   scripts/system-deps.sh test   the same plus system Chromium for the browser tests
set -euo pipefail
PY=${PY:-python3}
missing=()
"$PY" -c "import ensurepip, venv" 2>/dev/null || missing+=("python3-venv")
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || missing+=("libpango-1.0-0")
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || missing+=("libpangoft2-1.0-0")
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=("fonts-dejavu-core")
if [ "${1:-}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=("chromium")
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installerer systempakker: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
