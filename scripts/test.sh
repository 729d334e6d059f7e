#!/usr/bin/env bash
# Quick start, command 2 (and CI's .ci/run): install dependencies, then build and test steel against both
# LibTorch builds its users have:
#   leg 1, Debian's LibTorch 1.13 (CPU) in ./build: the whole suite (unit, cli, mpi, dist.fault, slurm).
#   leg 2, PyPI's torch 2.11 (the CUDA 13.0 wheel, run here without a GPU; scripts/install_torch.sh) in
#          ./build-torch2: the same suite but the Slurm tests (which exercise the launcher, not LibTorch);
#          tests that need a GPU are reported as skipped.
# LEGS=debian or LEGS=pip runs one leg; arguments go to every ctest (e.g. -R unit.train).
set -euo pipefail
cd "$(dirname "$0")/.."
LEGS=${LEGS:-"debian pip"}
scripts/install_deps.sh
# Counted before OMP_NUM_THREADS is set below: GNU nproc honours it, and would then say 1.
CPUS=$(nproc)
export JOBS=${JOBS:-$CPUS}
# Open MPI refuses to run as root or to oversubscribe 2 cores unless told it may.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# ctest runs one test per CPU at once: one LibTorch thread each, instead of each test taking every core.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
status=0
for leg in $LEGS; do
  case "$leg" in
    debian) dir=build; label_args=() ;;
    pip) dir=build-torch2; label_args=(-LE slurm) ;;
    *) echo "test.sh: LEGS='$LEGS': expected debian and/or pip" >&2; exit 2 ;;
  esac
  echo "=== test.sh: leg '$leg' ($dir) ==="
  start=$SECONDS
  TORCH=$leg BUILD_DIR=$dir scripts/build.sh
  echo "=== test.sh: leg '$leg' built in $((SECONDS - start)) s ==="
  (cd "$dir" && ctest --output-on-failure -j "$CPUS" --timeout 600 "${label_args[@]}" "$@") || status=1
  echo "=== test.sh: leg '$leg' done in $((SECONDS - start)) s ==="
done
exit $status
