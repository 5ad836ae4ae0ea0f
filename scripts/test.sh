#!/usr/bin/env bash
# Installs whatever is missing, then runs every check and test: formatting, lints
# (native and wasm), the Rust suites (unit, rules, 10,000-schedule properties,
# datadriven scenarios, CLI), the release web build, and the browser tests in
# headless Chromium. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n==> %s\n' "$*"; }

step "installing what is missing"
bash scripts/install.sh

step "formatting and lints"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --bin electionscope-web -- -D warnings

step "Rust tests"
cargo test

step "release builds: CLI and web app"
cargo build --release --bin electionscope
cargo fetch --target wasm32-unknown-unknown
trunk build --release --offline
# The same page with deliberately broken engines (bug=raft-echo floods), for the
# browser tests that prove the kernel's guard keeps a page alive. Never shipped.
trunk build --release --offline --features bug-injection --dist dist-bugs

step "browser tests (headless Chromium)"
cd tests/e2e
npm ci --no-audit --no-fund --loglevel=error
npm test
