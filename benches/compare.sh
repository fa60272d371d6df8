#!/usr/bin/env bash
# Side-by-side speed comparison in one window, on the benchmark machines of benches/machines/:
#   - the reference interpreter (`aslcheck bench`, release build), and optionally an older
#     aslcheck binary (to check that a change keeps the figures);
#   - aws-local-stepfunctions through its in-process API, machine constructed once
#     (benches/aws-local-stepfunctions.js; installed by scripts/setup.sh).
#
#   benches/compare.sh [--previous OLD_BINARY] [--rounds R] [MACHINE ...]
#
# Each implementation runs one machine R rounds, then the next implementation, machine by
# machine, so the figures of one machine are taken minutes apart at most.
set -euo pipefail
cd "$(dirname "$0")/.."

previous=""
rounds=5
machines=()
while [ $# -gt 0 ]; do
  case "$1" in
    --previous) previous="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) machines+=("$1"); shift ;;
  esac
done
[ ${#machines[@]} -gt 0 ] || machines=(pass_chain map_100 choice_loop)

binary=target/release/aslcheck
[ -x "$binary" ] || cargo build --release
if [ ! -d adapters/aws-local-stepfunctions/node_modules ]; then
  echo "compare: aws-local-stepfunctions is not installed; run scripts/setup.sh" >&2
  exit 1
fi

# Iterations per round: about a second of work each on the reference, fewer for the library.
iterations() {
  case "$1:$2" in
    pass_chain:ref) echo 100000 ;; map_100:ref) echo 10000 ;; choice_loop:ref) echo 2000 ;;
    pass_chain:node) echo 3000 ;; map_100:node) echo 200 ;; choice_loop:node) echo 20 ;;
    *:ref) echo 10000 ;; *) echo 200 ;;
  esac
}

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  machine: $(nproc) cores, $(uname -m), node $(node --version)"
for m in "${machines[@]}"; do
  def=benches/machines/$m.json
  input=benches/machines/$m.input.json
  echo "== $m"
  echo "-- aslcheck $($binary --version | cut -d' ' -f2) ($binary)"
  "$binary" bench "$def" --input "$input" --iterations "$(iterations "$m" ref)" --rounds "$rounds" | tail -1
  if [ -n "$previous" ]; then
    echo "-- previous ($previous)"
    "$previous" bench "$def" --input "$input" --iterations "$(iterations "$m" ref)" --rounds "$rounds" | tail -1
  fi
  echo "-- aws-local-stepfunctions (in-process, machine constructed once)"
  node benches/aws-local-stepfunctions.js "$def" "$input" "$(iterations "$m" node)" "$rounds" | tail -1
done
