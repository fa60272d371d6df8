#!/usr/bin/env bash
# Regenerates reports/matrix/: the corpus and a fixed generated set (profile all, seeds 0..99)
# on every implementation that installs here — the reference, aws-local-stepfunctions (the
# adapter in adapters/), moto, and LocalStack when it is installed — merged into one report
# (docs/reports.md). Needs scripts/setup.sh first. Each run's own report stays in
# target/matrix/<implementation>/.
set -euo pipefail
cd "$(dirname "$0")/.."

GENERATE="${MATRIX_GENERATE:-100}"
cargo build --release --locked
bin=target/release/aslcheck
work=target/matrix
rm -rf "$work" && mkdir -p "$work"
run() { # name, then conformance arguments; a run with unexpected results still reports
  local name=$1; shift
  echo "matrix: $name" >&2
  "$bin" conformance "$@" --generate "$GENERATE" --seed 0 --profile all \
    --max-indeterminate 100% --report "$work/$name" > "$work/$name.log" 2>&1 || true
  tail -n 1 "$work/$name.log" >&2
}

run reference --backend reference
run aws-local-stepfunctions --backend external:adapters/aws-local-stepfunctions

# A local Step Functions server on a free port: moto (and LocalStack) answer any credentials.
export AWS_ACCESS_KEY_ID=matrix AWS_SECRET_ACCESS_KEY=matrix AWS_REGION=us-east-1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }

if [ -x .peers/moto/bin/moto_server ]; then
  port=$(free_port)
  .peers/moto/bin/moto_server -H 127.0.0.1 -p "$port" > "$work/moto-server.log" 2>&1 &
  moto=$!
  trap 'kill $moto 2>/dev/null || true' EXIT
  wait_for "http://127.0.0.1:$port/moto-api/"
  curl -fs -X POST "http://127.0.0.1:$port/moto-api/config" \
    -d '{"stepfunctions": {"execute_state_machine": true}}' > /dev/null
  run moto --backend sfn-api@moto --endpoint "http://127.0.0.1:$port"
  kill $moto 2>/dev/null || true
else
  echo "matrix: moto is not installed (scripts/setup.sh); left out" >&2
fi

if [ -x .peers/localstack/bin/python ]; then
  port=$(free_port)
  SERVICES=stepfunctions GATEWAY_LISTEN="127.0.0.1:$port" GATEWAY_SERVER=hypercorn \
    SKIP_SSL_CERT_DOWNLOAD=1 .peers/localstack/bin/python -m localstack.runtime.main \
    > "$work/localstack-server.log" 2>&1 &
  localstack=$!
  wait_for "http://127.0.0.1:$port/_localstack/health"
  run localstack --backend sfn-api@localstack --endpoint "http://127.0.0.1:$port"
  kill $localstack 2>/dev/null || true
else
  echo "matrix: LocalStack is not installed (ASLCHECK_LOCALSTACK=1 scripts/setup-peers.sh); left out" >&2
fi

reports=()
for name in reference aws-local-stepfunctions moto localstack; do
  [ -f "$work/$name/results.jsonl" ] && reports+=("$work/$name")
done
rm -rf reports/matrix
"$bin" report merge reports/matrix "${reports[@]}"
