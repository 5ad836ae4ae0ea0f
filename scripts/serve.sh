#!/usr/bin/env bash
# Installs whatever is missing, then builds and serves ElectionScope at
# http://127.0.0.1:8080/ (rebuilding on change). Everything is served locally.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
ELECTIONSCOPE_SKIP_BROWSER=1 bash scripts/install.sh
cargo fetch --target wasm32-unknown-unknown
exec trunk serve --offline --release "$@"
