#!/usr/bin/env bash
# Vendor Chart.js (the charts of the results on the page of 'annograph serve') from the npm
# registry into the package, so that the page never loads code from a CDN and works offline.
#
#   bash docs/_tools/vendor-chartjs.sh [VERSION]     # default: the version pinned below
#
# It installs chart.js in a temporary folder (install scripts off), copies its prebuilt UMD
# bundle (one script, which loads nothing else), drops the bundle's source-map comment (the map
# is not shipped, and browsers would ask for it), and writes the licences of Chart.js and of
# the package bundled into it (@kurkle/color). node_modules never enters the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."

package=chart.js
version=${1:-4.6.1}  # also in vendor/chartjs/README.md
target=src/annograph/serve/web/vendor/chartjs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --ignore-scripts --omit=dev "$package@$version" >/dev/null)
mkdir -p "$target"
sed '/^\/\/# sourceMappingURL=/d' "$work/node_modules/$package/dist/chart.umd.min.js" \
    >"$target/chart.umd.min.js"
cp "$work/node_modules/$package/LICENSE.md" "$target/LICENSE.md"
for dependency in "$work"/node_modules/@kurkle/*; do
    name=$(node -p "require('$dependency/package.json').name + ' ' + require('$dependency/package.json').version")
    printf '%s\n%s (bundled into chart.umd.min.js)\n%s\n' "$(printf '=%.0s' {1..78})" "$name" \
        "$(printf '=%.0s' {1..78})"
    cat "$dependency"/LICENSE*
    echo
done >"$target/THIRD-PARTY-LICENSES.txt"

echo "vendored $package $version into $target:"
(cd "$target" && wc -c chart.umd.min.js && sha256sum chart.umd.min.js)
