#!/usr/bin/env bash
# Quick start, command 2: install dependencies, build, and run the whole test suite
# (unit, multi-rank MPI and command-line tests) on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
# Open MPI refuses to run as root or to oversubscribe 2 cores unless told it may.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# ctest runs $(nproc) tests at once: one LibTorch thread each, instead of each test taking every core.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
