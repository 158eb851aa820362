#!/usr/bin/env bash
# The framework's main job, as far as it exists: see README.
set -euo pipefail
cd "$(dirname "$0")/.."
.build/release/metalearn --help
