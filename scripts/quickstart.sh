#!/usr/bin/env bash
# Newcomer command: install dependencies, build, simulate the example network.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
"${BUILD_DIR:-build}/examples/ring" 10 200 "$PWD/ring_spikes.txt"
# A Blue Brain style SONATA circuit that ships in the repo (examples/bbp-mini:
# 10 multi-compartment cells with hoc emodels, stochastic synapses, minis,
# spike replay, pulse and noise inputs), outputs in build/bbp-mini.
"${BUILD_DIR:-build}/src/cli/ranvier" run examples/bbp-mini/simulation_config.json \
    --output-dir "$PWD/${BUILD_DIR:-build}/bbp-mini"
# A SONATA circuit: the allen-300-intfire example (300 IntFire1 cells fed by
# 120 virtual cells replaying spike files), outputs in build/allen-300-intfire.
CIRCUIT="${SHARED_DIR:-$PWD/../shared}/data/circuits/allen-300-intfire/config.json"
if [ -f "$CIRCUIT" ]; then
    "${BUILD_DIR:-build}/src/cli/ranvier" run "$CIRCUIT" --output-dir "$PWD/${BUILD_DIR:-build}/allen-300-intfire"
else
    echo "(skipping the SONATA example: $CIRCUIT not found)"
fi
