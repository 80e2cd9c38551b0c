#!/usr/bin/env bash
# Everything the tests need: a virtual environment with annograph and its test extra, and
# Debian's chromium and chromedriver for the browser tests of 'annograph serve'.
# Without apt-get, or without root or sudo, the browser is left out and its tests are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
skip() {
    echo "tests/setup.sh: $1; the browser tests will be skipped" >&2
    exit 0
}
command -v apt-get >/dev/null || skip "no apt-get to install chromium and chromedriver"
sudo=()
if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null || skip "installing chromium needs root or sudo"
    sudo=(sudo -n)
fi
echo "tests/setup.sh: installing Debian's chromium and chromedriver for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
install_browser() { "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium chromium-driver >/dev/null; }
install_browser || { "${sudo[@]}" apt-get update -q >/dev/null && install_browser; } ||
    skip "apt-get could not install chromium"
