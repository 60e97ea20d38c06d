#!/usr/bin/env bash
# Newcomer command: install dependencies, build, simulate the example network.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
"${BUILD_DIR:-build}/examples/ring" 10 200 "$PWD/ring_spikes.txt"
