#!/usr/bin/env bash
# Install ranvier's Debian dependencies (idempotent, non-interactive).
# Build: cmake, a C compiler, Random123, OpenMPI, HDF5, jansson.
# Test oracle: NEURON 8.2 (neuron, neuron-dev, python3-neuron), numpy, h5py.
set -euo pipefail
pkgs=(build-essential cmake pkg-config librandom123-dev libopenmpi-dev openmpi-bin
      libhdf5-dev libjansson-dev neuron neuron-dev python3-neuron python3-numpy python3-h5py)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
