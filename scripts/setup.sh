#!/usr/bin/env bash
# Installs what aslcheck's build and tests need on a fresh machine. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is required (https://rustup.rs)" >&2
  exit 1
fi

# Rust crates (from crates.io, as pinned in Cargo.lock).
cargo fetch --locked
