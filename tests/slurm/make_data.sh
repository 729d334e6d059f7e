#!/usr/bin/env bash
# make_data.sh SYNTH PREP DIR: a tiny synthetic Severstal set in DIR/kaggle and its 2 folds at 64x320 in
# DIR/prep, as the CLI tests make them (tests/cli/CMakeLists.txt).
set -euo pipefail
synth=$1; prep=$2; dir=$3
rm -rf "$dir"
"$synth" --out "$dir/kaggle" --images 150 --seed 5
"$prep" --csv "$dir/kaggle/train.csv" --images "$dir/kaggle/train_images" --out "$dir/prep" \
  --test-per-class 1 --test-multi 1 --balance-to auto --folds 2 --height 64 --width 320 --threads 2
