#!/usr/bin/env bash
# Bundles the console's front end: src/main/web/app.js (plain ES modules) with uPlot, pinned in
# package-lock.json, into one script and one stylesheet under the given folder. Maven runs it in
# generate-resources; the result is served by Quarkus from META-INF/resources/assets.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:?usage: build-web.sh OUTPUT_DIR}"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || { echo "build-web.sh: npm is missing (deploy/local/install.sh installs Node.js)" >&2; exit 1; }
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
mkdir -p "$out"
node_modules/.bin/esbuild src/main/web/app.js --bundle --format=esm --minify \
  --target=es2020 --outfile="$out/app.js" --log-level=warning
node_modules/.bin/esbuild src/main/web/app.css --bundle --minify --outfile="$out/app.css" --log-level=warning
