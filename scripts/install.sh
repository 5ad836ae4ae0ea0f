#!/usr/bin/env bash
# Installs what ElectionScope's build and tests need, skipping whatever is already
# present at the right version. Safe to run repeatedly; a warm machine takes seconds.
# Versions and traps: see shared/TOOLCHAIN.md (wasm-bindgen must equal the crate's pin).
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
TERSER_VERSION=5.51.4

export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[install] %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  # --locked fails here: a locked dependency is missing from the registry mirror.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (about 5 minutes)"
  # Without --locked, 0.21.14 fails to compile (lightningcss).
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  log "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
  # Debian's binaryen is too old to parse what rustc 1.95 emits.
  npm install -g "binaryen@$BINARYEN_VERSION" >/dev/null
fi

if ! terser --version 2>/dev/null | grep -q "$TERSER_VERSION"; then
  log "installing terser $TERSER_VERSION (minifies the page's JavaScript) from npm"
  npm install -g "terser@$TERSER_VERSION" >/dev/null
fi

if [ "${ELECTIONSCOPE_SKIP_BROWSER:-0}" != 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing chromium and chromedriver from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
