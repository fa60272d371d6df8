#!/usr/bin/env bash
# The `serve` benchmark (README "Speed"): the same workloads through the Step Functions API
# against `aslcheck serve` and against moto (.peers/moto, from scripts/setup-peers.sh), one after
# the other in the same window. Usage: scripts/bench-serve.sh [SECONDS per measurement, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
bin=target/release/aslcheck
[ -x "$bin" ] || cargo build --release --locked
moto=.peers/moto/bin/moto_server
[ -x "$moto" ] || { echo "moto is not installed: run scripts/setup-peers.sh" >&2; exit 1; }

log=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$log"' EXIT

"$bin" serve --port 0 > "$log/serve.out" 2>&1 &
for _ in $(seq 50); do grep -q listening "$log/serve.out" && break; sleep 0.1; done
serve_url=$(sed -n 's/^listening on //p' "$log/serve.out")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$moto" -H 127.0.0.1 -p "$port" > "$log/moto.out" 2>&1 &
for _ in $(seq 100); do
  curl -sf -X POST "http://127.0.0.1:$port/moto-api/config" -H 'Content-Type: application/json' \
    -d '{"stepfunctions": {"execute_state_machine": true}}' > /dev/null && break
  sleep 0.2
done

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -sr)"
"$bin" bench-api --endpoint "$serve_url" --label serve --seconds "$secs"
# moto answers StartSyncExecution with HTTP 500, so it runs pass10 and map100 only.
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x "$bin" bench-api --endpoint "http://127.0.0.1:$port" \
  --label moto --seconds "$secs" --workload pass10 --workload map100
