#!/usr/bin/env bash
# Trunk's post-build hook: minifies the page's JavaScript in release builds with terser
# (scripts/install.sh installs it from npm). Trunk's own minifier cannot parse
# wasm-bindgen's glue and leaves it whole; minified, the glue and the paint worker are
# about 4 KB smaller gzipped, which the page's 400 KB budget needs. Without terser the
# build still works, only bigger.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
dir="${TRUNK_STAGING_DIR:?Trunk sets TRUNK_STAGING_DIR}"
if ! command -v terser >/dev/null; then
  echo "[minify-js] terser not found: the page's JavaScript is left unminified (run scripts/install.sh)" >&2
  exit 0
fi
for f in "$dir"/electionscope-web-*.js; do
  # An ES module: its top-level names are private and can be shortened too.
  terser "$f" --module --compress --mangle -o "$f.min" && mv "$f.min" "$f"
done
# A classic worker script: its own top-level names are shortened too; the global it
# sets (`onmessage`) is assigned, not declared, so it keeps its name.
terser "$dir/paint-worker.js" --compress --mangle --toplevel -o "$dir/paint-worker.js.min" \
  && mv "$dir/paint-worker.js.min" "$dir/paint-worker.js"
