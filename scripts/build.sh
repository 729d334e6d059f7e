#!/usr/bin/env bash
# Configures and builds steel (Ninja, RelWithDebInfo, ccache when present) against one of two LibTorch builds:
#   scripts/build.sh              Debian's LibTorch 1.13 (CPU), into ./build
#   TORCH=pip scripts/build.sh    PyPI's torch 2.11 (CUDA 13.0 build; scripts/install_torch.sh), into ./build-torch2
# Extra arguments go to the first configure; BUILD_DIR and TARGETS (space-separated, default: everything)
# narrow it.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH=${TORCH:-debian}
case "$TORCH" in
  debian) BUILD_DIR=${BUILD_DIR:-build}; prefix_args=() ;;
  pip)    BUILD_DIR=${BUILD_DIR:-build-torch2}; prefix_args=("-DCMAKE_PREFIX_PATH=$(scripts/install_torch.sh)") ;;
  *) echo "build.sh: TORCH='$TORCH': expected debian or pip" >&2; exit 2 ;;
esac
JOBS=${JOBS:-$(nproc)}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "${prefix_args[@]}" "$@"
fi
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" -j "$JOBS" ${TARGETS:+--target $TARGETS}
