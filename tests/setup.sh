#!/usr/bin/env bash
# Everything the tests need: a virtual environment with annograph and its test extra,
# Debian's chromium and chromedriver for the browser tests of 'annograph serve', Debian's
# graphviz (with fonts that have Cyrillic) for 'annograph diagram' and 'annograph docs', and
# Debian's virtuoso-opensource for the tests of 'annograph push' to Virtuoso (which start their
# own server: the package's service is kept from starting).
# Without apt-get, or without root or sudo, they are left out and their tests are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'

packages=()
command -v chromium >/dev/null && command -v chromedriver >/dev/null ||
    packages+=(chromium chromium-driver)
command -v dot >/dev/null || packages+=(graphviz fonts-dejavu-core)
command -v virtuoso-t >/dev/null || packages+=(virtuoso-opensource)
if [ ${#packages[@]} = 0 ]; then
    exit 0
fi
skip() {
    echo "tests/setup.sh: $1; the tests that need ${packages[*]} will be skipped" >&2
    exit 0
}
command -v apt-get >/dev/null || skip "no apt-get to install ${packages[*]}"
sudo=()
if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null || skip "installing ${packages[*]} needs root or sudo"
    sudo=(sudo -n)
fi
echo "tests/setup.sh: installing Debian's ${packages[*]} for the tests" >&2
export DEBIAN_FRONTEND=noninteractive
# Virtuoso's package starts its service (ports 1111 and 8890) to set its passwords: Debian's
# policy-rc.d says no while it installs (exit 101: "action forbidden"), unless the machine has
# a policy of its own (as Docker images do).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod +x "$policy"
    trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi
install_packages() { "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; }
install_packages || { "${sudo[@]}" apt-get update -q >/dev/null && install_packages; } ||
    skip "apt-get could not install ${packages[*]}"
