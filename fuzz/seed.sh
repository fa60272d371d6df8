#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds taken from the conformance corpus (corpus/cases/**)
# and from generated cases (`aslcheck generate`). Needs jq. Safe to run again: seeds are named by
# their content's hash. The directories are git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "seed: jq is required" >&2; exit 1; }

out=fuzz/corpus
mkdir -p "$out"/{definition,jsonpath,intrinsics,template,protocol,corpus_case,jsonata,jsonata_payload}

# seed TARGET: reads one seed from stdin, stores it under its hash.
seed() {
  local tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -s "$tmp" ]; then
    mv "$tmp" "$out/$1/$(sha1sum "$tmp" | cut -c1-16)"
  else
    rm -f "$tmp"
  fi
}

# Generated cases (every profile), beside the corpus's own.
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
${ASLCHECK_BIN:-cargo run --quiet --} generate --count "${ASLCHECK_SEED_COUNT:-80}" --seed 1 \
  --out "$gen/generated" >/dev/null 2>&1 ||
  echo "seed: 'aslcheck generate' failed; seeding from the corpus only" >&2

mapfile -t files < <(find corpus/cases "$gen" -name '*.json' ! -name 'manifest.json' | sort)
for f in "${files[@]}"; do
  case "$f" in corpus/cases/*) seed corpus_case <"$f" ;; esac
  jq -e 'has("definition")' "$f" >/dev/null 2>&1 || continue
  input=$(jq -c '.input // {}' "$f")
  jq -c '.definition' "$f" | seed definition
  # Paths and intrinsic calls: every string value that starts with `$` or `States.`.
  jq -r '.definition | .. | strings | select(test("^\\$"))' "$f" | sort -u |
    while IFS= read -r p; do printf '%s\n%s' "$p" "$input" | seed jsonpath; done
  jq -r '.definition | .. | strings | select(test("^States\\.[A-Za-z]+\\("))' "$f" | sort -u |
    while IFS= read -r c; do printf '%s\n%s' "$c" "$input" | seed intrinsics; done
  # Payload templates.
  jq -c '.definition | .. | objects | (.Parameters, .ResultSelector, .ItemSelector) | objects' "$f" |
    while IFS= read -r t; do printf '%s\n%s' "$t" "$input" | seed template; done
  # JSONata expressions: the text between `{%` and `%}`.
  jq -r '.definition | .. | strings | select(test("^\\{%[\\s\\S]*%\\}$")) | .[2:-2] | gsub("\n"; " ")' "$f" | sort -u |
    while IFS= read -r e; do
      printf '%s\n%s' "$e" "$input" | seed jsonata
      printf '%s\n%s' "$e" "$input" | seed jsonata_payload
    done
done

# Protocol lines: well-formed answers in every shape docs/protocol.md describes.
while IFS= read -r line; do printf '%s' "$line" | seed protocol; done <<'LINES'
{"version":1,"implementation":{"name":"x","version":"1.0","language":"js"},"capabilities":{"modes":["execution","validate","test_state"],"history":true}}
{"seq":1,"result":{"status":"SUCCEEDED","output":{"a":1},"error":null,"cause":null}}
{"seq":1,"result":{"status":"FAILED","output":null,"error":"States.TaskFailed","cause":"boom","history":[{"type":"ExecutionStarted","id":1}]}}
{"seq":1,"result":{"valid":false,"diagnostics":[{"code":"SCHEMA_VALIDATION_FAILED","message":"m","location":"/States/A"}]}}
{"seq":1,"skipped":{"message":"not supported"}}
{"seq":1,"errored":{"message":"crashed","context":{"traceback":"..."}}}
LINES

for d in "$out"/*/; do echo "seed: $(find "$d" -type f | wc -l) in $d"; done
