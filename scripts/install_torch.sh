#!/usr/bin/env bash
# Installs the pinned LibTorch 2.x that GPU users build against: PyPI's torch wheel (the CUDA 13.0
# build; its libraries also run on a machine without a GPU) in a virtual environment outside the
# checkout, shared by every clone and CI run on this machine. Idempotent. Prints the CMake prefix.
#
#   scripts/install_torch.sh            # install if needed, print the prefix for CMAKE_PREFIX_PATH
#   scripts/install_torch.sh --venv     # print the virtual environment's folder instead
#
# Cost of the first run: about 2.7 GB downloaded (torch 530 MB, nvidia-* wheels 2 GB, triton) and
# about 5 GB on disk; later runs cost nothing. STEEL_CACHE moves the cache (default ~/.cache/steel).
# STEEL_TORCH_PYTHON=python3 uses the torch that interpreter already has instead (a GPU host's own, offline).
set -euo pipefail
if [ -n "${STEEL_TORCH_PYTHON:-}" ]; then
  if [ "${1:-}" = "--venv" ]; then "$STEEL_TORCH_PYTHON" -c 'import sys; print(sys.prefix)'; exit; fi
  exec "$STEEL_TORCH_PYTHON" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)'
fi
TORCH_VERSION=2.11.0
CACHE=${STEEL_CACHE:-$HOME/.cache/steel}
VENV="$CACHE/torch-$TORCH_VERSION"
PYTHON=${STEEL_PYTHON:-/usr/bin/python3}   # Debian's 3.11: the wheel's cp311 tag

if [ ! -f "$VENV/.complete" ]; then
  echo "install_torch: installing torch==$TORCH_VERSION into $VENV (about 2.7 GB the first time)" >&2
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  "$PYTHON" -m venv "$VENV.partial"
  # numpy only silences torch's import warning; pinned like torch.
  "$VENV.partial/bin/pip" install --quiet --no-cache-dir "torch==$TORCH_VERSION" "numpy==2.4.6" >&2
  # A venv's scripts name their own folder, so build it aside and move it only after a full
  # install; the shebangs are rewritten for the final place.
  grep -rlI --null "$VENV.partial" "$VENV.partial/bin" | xargs -0 -r sed -i "s|$VENV.partial|$VENV|g"
  mv "$VENV.partial" "$VENV"
  touch "$VENV/.complete"
fi

if [ "${1:-}" = "--venv" ]; then
  echo "$VENV"
else
  "$VENV/bin/python" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)'
fi
