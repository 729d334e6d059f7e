#!/usr/bin/env bash
# Installs the pinned TensorBoard (PyPI) into a virtual environment outside the checkout, shared by every clone
# and CI run on this machine: `tensorboard --logdir runs/` to watch steel_train's runs, and the reader the
# tests check steel's event files with. Idempotent; about 180 MB the first time. STEEL_CACHE moves the cache.
#
#   scripts/install_tensorboard.sh            # install if needed, print the environment's python
#   scripts/install_tensorboard.sh --bin      # ... print its bin/ folder (tensorboard is there)
set -euo pipefail
VERSION=2.21.0
CACHE=${STEEL_CACHE:-$HOME/.cache/steel}
VENV="$CACHE/tensorboard-$VERSION"
PYTHON=${STEEL_PYTHON:-/usr/bin/python3}
# TensorBoard and every package it imports, each pinned (installed with --no-deps: nothing unpinned slips in).
PINS=(tensorboard==$VERSION tensorboard-data-server==0.7.2 protobuf==7.36.2 absl-py==2.5.1 grpcio==1.85.4
      markdown==3.11.3 werkzeug==3.1.9 markupsafe==3.0.4 numpy==2.4.6 pillow==13.0.0 packaging==26.4
      typing-extensions==4.16.0 setuptools==80.9.0)

if [ ! -f "$VENV/.complete" ]; then
  echo "install_tensorboard: installing tensorboard==$VERSION into $VENV" >&2
  rm -rf "$VENV" "$VENV.partial"
  mkdir -p "$CACHE"
  "$PYTHON" -m venv "$VENV.partial"
  "$VENV.partial/bin/pip" install --quiet --no-cache-dir --no-deps "${PINS[@]}" >&2
  # A venv's scripts name their own folder: built aside, moved when complete, shebangs rewritten.
  grep -rlI --null "$VENV.partial" "$VENV.partial/bin" | xargs -0 -r sed -i "s|$VENV.partial|$VENV|g"
  mv "$VENV.partial" "$VENV"
  touch "$VENV/.complete"
fi
case "${1:-}" in
  --bin) echo "$VENV/bin" ;;
  *) echo "$VENV/bin/python" ;;
esac
