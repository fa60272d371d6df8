#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for a bounded time (fuzz/README.md).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 20 s, every target
# Needs cargo-fuzz (scripts/setup.sh installs it). The stable toolchain runs it with
# RUSTC_BOOTSTRAP=1, which cargo-fuzz needs for -Zsanitizer=address. A finding stops the run
# with a non-zero exit; the input is in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
export RUSTC_BOOTSTRAP=1
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
[ -d fuzz/corpus/definition ] || fuzz/seed.sh
cargo fuzz build
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "fuzz: $t for ${seconds}s"
  log=$(mktemp)
  rc=0
  cargo fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"$log" 2>&1 || rc=$?
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|thread .* panicked|Failing input|artifact_prefix)' "$log" || true
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    echo "fuzz: $t found a failure (exit $rc; the input is in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
  rm -f "$log"
done
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no failure"
