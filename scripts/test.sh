#!/usr/bin/env bash
# Build and run the whole test suite (unit, oracle against live NEURON, MPI).
# SANITIZE=1 builds with AddressSanitizer + UBSan into build-asan.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SANITIZE:-0}" = 1 ]; then
  export BUILD_DIR=${BUILD_DIR:-build-asan}
  scripts/build.sh -DRV_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DRV_WERROR=ON
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
else
  export BUILD_DIR=${BUILD_DIR:-build}
  scripts/build.sh -DRV_WERROR=ON
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 NEURON_MODULE_OPTIONS=-nogui
ctest --test-dir "$BUILD_DIR" --output-on-failure "$@"
