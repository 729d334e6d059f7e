#!/usr/bin/env bash
# The main job's learning, guarded: one fold of scripts/run_main.sh's study (the same data recipe and training
# settings, one backbone, one fold) must reach a validation Dice well above what an untrained or badly set up
# model gets (0.01-0.05), below what it reaches (0.45-0.6 on this machine; docs/BENCHMARKS.md).
#   main_job_learns.sh BUILD_BIN_DIR WORK_DIR [MIN_VAL_DICE]
set -euo pipefail
bin=$1; work=$2; min=${3:-0.35}
rm -rf "$work"; mkdir -p "$work"
"$bin/data_prep/steel_synth" --out "$work/kaggle" --images 1200 --seed 1 > "$work/synth.log"
"$bin/data_prep/steel_prep" --csv "$work/kaggle/train.csv" --images "$work/kaggle/train_images" --out "$work/prep" \
  --test-per-class 2 --test-multi 2 --balance-to auto --folds 5 --seed 1 --height 32 --width 160 > "$work/prep.log"
"$bin/launcher/steel_train" --backbone resnet34 --data "$work/prep" --out "$work/runs" --fold 0 --epochs 8 \
  --batch-size 8 --lr 0.006 --encoder-mode trainable --bn-momentum 0.1 --progress false --tensorboard false \
  --log-level warn
# result.csv: fold,best_epoch,epochs_run,stopped_early,train_loss,train_dice,val_loss,val_dice,...
awk -F, -v min="$min" 'NR == 2 {
  printf "main job, fold 0 of resnet34: best epoch %s, val_dice %s (must be >= %s)\n", $2, $8, min
  exit ($8 >= min ? 0 : 1) }' "$work/runs/resnet34/fold_0/result.csv"
