#!/usr/bin/env bash
# Vendor YASGUI (the SPARQL editor of 'annograph serve') from the npm registry into the package,
# so that the page never loads code from a CDN and works offline.
#
#   bash docs/_tools/vendor-yasgui.sh [VERSION]     # default: the version pinned below
#
# It installs @zazuko/yasgui in a temporary folder (install scripts off), copies its prebuilt
# bundle (one script, one stylesheet: the CSS has no url() and the icons are inline SVG, so
# nothing else is loaded), drops the bundle's source-map comment (the 3.6 MB map is not
# shipped, and browsers would ask for it), and writes the licences of YASGUI and of every
# package bundled into it. Then it prints the sizes and checksums to put in the README.
# node_modules never enters the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."

package=@zazuko/yasgui
version=${1:-4.6.2}  # also in vendor/yasgui/README.md
target=src/annograph/serve/web/vendor/yasgui
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --ignore-scripts --omit=dev "$package@$version" >/dev/null)
build=$work/node_modules/$package/build
mkdir -p "$target"
sed '/^\/\/# sourceMappingURL=/d' "$build/yasgui.min.js" >"$target/yasgui.min.js"
cp "$build/yasgui.min.css" "$target/yasgui.min.css"

# The npm package carries no LICENSE file: the repository's (MIT) is the one it names.
cat >"$target/LICENSE" <<'LICENSE'
The MIT License (MIT)

Copyright (c) Triply and contributors; Zazuko GmbH and contributors (https://github.com/rdfjs/Yasgui)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
LICENSE

# Every package installed with it is bundled into yasgui.min.js: name, version, licence, text.
node - "$work/node_modules" >"$target/THIRD-PARTY-LICENSES.txt" <<'NODE'
const fs = require("fs"), path = require("path");
const root = process.argv[2];
const dirs = [];
for (const name of fs.readdirSync(root).sort()) {
  if (name.startsWith(".")) continue;
  if (name.startsWith("@")) {
    for (const sub of fs.readdirSync(path.join(root, name)).sort()) dirs.push(path.join(root, name, sub));
  } else dirs.push(path.join(root, name));
}
for (const dir of dirs) {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const license = typeof meta.license === "string" ? meta.license : JSON.stringify(meta.license || meta.licenses);
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  console.log(`${"=".repeat(78)}\n${meta.name} ${meta.version} (${license})\n${"=".repeat(78)}`);
  console.log(file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : "(no licence file in the package)");
  console.log();
}
NODE

echo "vendored $package $version into $target:"
(cd "$target" && wc -c yasgui.min.js yasgui.min.css && sha256sum yasgui.min.js yasgui.min.css)
