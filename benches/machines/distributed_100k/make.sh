#!/usr/bin/env bash
# Writes the simulated S3 object that benches/machines/distributed_100k.json reads: 100,000
# JSON items in s3/data/items.json under the folder given (default: this folder's world/).
set -euo pipefail
out=${1:-"$(dirname "$0")/world"}
mkdir -p "$out/s3/data"
python3 -c "
import json, sys
json.dump([{'id': i, 'v': i * 3} for i in range(100000)], open(sys.argv[1], 'w'))
" "$out/s3/data/items.json"
echo "wrote $out/s3/data/items.json"
