#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (and poppler-utils: pdftoppm for the report's page images) if
# missing (never a downloaded browser).
set -euo pipefail
if [ -x /usr/bin/chromium ] && command -v pdftoppm >/dev/null; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium poppler-utils >/dev/null
