#!/usr/bin/env bash
# Python interop checks (h5py): run by `make test` after the Swift tests.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
checks=(Tests/interop/*.py)
if [ ${#checks[@]} -eq 0 ]; then echo "interop: no checks yet"; exit 0; fi
for c in "${checks[@]}"; do python3 "$c"; done
