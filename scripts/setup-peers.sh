#!/usr/bin/env bash
# Installs the other Step Functions implementations that the backend tests run against
# (docs/backends.md): moto 5.2.5 into a virtualenv under .peers/ (from PyPI) and the Node adapter's
# dependencies (from npm, exactly as pinned in its package-lock.json). Safe to run again: each
# part is skipped when it is already installed at the pinned version.
#
#   scripts/setup-peers.sh              moto + the aws-local-stepfunctions adapter
#   ASLCHECK_LOCALSTACK=1 scripts/setup-peers.sh
#                                       also LocalStack 4.5.0 (host mode, Python 3.11;
#                                       optional, not used by CI)
set -euo pipefail
cd "$(dirname "$0")/.."

PEERS=.peers
MOTO_VERSION=5.2.5
LOCALSTACK_VERSION=4.5.0

python=${PYTHON:-python3}
mkdir -p "$PEERS"

# A virtualenv with one pinned package; re-created when the pin changes.
venv_install() { # dir marker pip-args...
  local dir=$1 marker=$2
  shift 2
  if [ -f "$dir/.installed" ] && [ "$(cat "$dir/.installed")" = "$marker" ]; then
    echo "setup-peers: $marker already installed in $dir"
    return
  fi
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "setup-peers: $python is required for $marker" >&2
    exit 1
  fi
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$marker" >"$dir/.installed"
  echo "setup-peers: installed $marker in $dir"
}

venv_install "$PEERS/moto" "moto-$MOTO_VERSION" "moto[server,stepfunctions]==$MOTO_VERSION"

if [ "${ASLCHECK_LOCALSTACK:-0}" = 1 ]; then
  # Newer LocalStack releases need Python >= 3.12; these pins are the ones known to work on 3.11.
  venv_install "$PEERS/localstack" "localstack-$LOCALSTACK_VERSION" \
    "localstack-core[runtime]==$LOCALSTACK_VERSION" 'cbor2<6' 'cryptography<45' 'pyopenssl==24.3.0' \
    service-identity 'jsonpath-ng==1.16.0'
fi

# The Node adapter (external:adapters/aws-local-stepfunctions).
adapter=adapters/aws-local-stepfunctions
if ! command -v npm >/dev/null 2>&1; then
  echo "setup-peers: npm is required for $adapter" >&2
  exit 1
fi
stamp="$adapter/node_modules/.aslcheck-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$adapter/package-lock.json"; then
  echo "setup-peers: $adapter dependencies already installed"
else
  (cd "$adapter" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$adapter/package-lock.json" "$stamp"
  echo "setup-peers: installed $adapter dependencies"
fi
