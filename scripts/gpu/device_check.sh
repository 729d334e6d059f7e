#!/usr/bin/env bash
# The CUDA checks in one run, for a GPU host that has python3's torch wheel (2.x, CUDA) and a CUDA toolkit:
# builds steel against that torch, runs the CUDA unit tests, trains one rank on the GPU (bf16 and fp16), then
# one and two ranks on the same GPU over Gloo (the multi-rank CUDA path; NCCL refuses two ranks on one device)
# and compares their weights, records training images/s per backbone, and times steel's training step against
# the same U-Net in Python PyTorch (scripts/gpu/bench_gpu.sh, eager, bf16). Every step runs even if an earlier
# one failed; each step's exit code goes to $OUT/summary.txt as soon as it ends, and the table comes last.
#
#   scripts/gpu/device_check.sh DATA [DEBS]
#     DATA  a steel_prep output folder (prepare it anywhere: shards are portable)
#     DEBS  optional: .deb files from `scripts/deps/make_prefix.sh --trainer-only --download DEBS`, unpacked into
#           a prefix first, for hosts without MPI, HDF5, Boost, spdlog or OpenCV (docs/GPU.md)
# Environment: OUT (logs and runs; default /tmp/steel-gpu-check), BUILD_DIR (default build-cuda), JOBS,
# BACKBONES (default "resnet34 efficientnet-b0"), STEP_TIMEOUT (seconds per step, default 900).
set -uo pipefail
[ $# -ge 1 ] || { sed -n '8,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
data=$(realpath "$1")
debs=${2:+$(realpath "$2")}
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/steel-gpu-check}; BUILD_DIR=${BUILD_DIR:-build-cuda}; JOBS=${JOBS:-$(nproc)}
BACKBONES=${BACKBONES:-"resnet34 efficientnet-b0"}; STEP_TIMEOUT=${STEP_TIMEOUT:-900}
runs=$OUT/runs
rm -rf "$runs" "$OUT/summary.txt" "$OUT/rates.txt"
mkdir -p "$runs"

# step NAME COMMAND...: the command's output goes to $OUT/NAME.log and stdout; its exit code to summary.txt.
step() {
  local name=$1; shift
  echo "=== $name: $*"
  local start=$SECONDS
  timeout "$STEP_TIMEOUT" "$@" 2>&1 | tee "$OUT/$name.log"
  local rc=${PIPESTATUS[0]}
  printf '%-28s rc %-3s %5ss\n' "$name" "$rc" $((SECONDS - start)) >>"$OUT/summary.txt"
  return "$rc"
}

step machine bash -c 'nvidia-smi -L; python3 -c "import torch; print(\"torch\", torch.__version__, \"cuda\", torch.version.cuda, torch.cuda.get_device_name(0), \"nccl\", torch.cuda.nccl.version())"; nproc; c++ --version | head -1; cmake --version | head -1'

if [ -n "$debs" ]; then
  step prefix scripts/deps/make_prefix.sh --unpack "$debs" /tmp/steel-deps && source /tmp/steel-deps/env.sh
fi
# The build CI runs (scripts/build.sh, TORCH=pip) against python3's own torch; CMake takes NCCL from the
# nvidia-nccl wheel beside it. --as-needed: executables then load only the libraries they use, so a
# --trainer-only prefix (OpenCV's image codecs present, their dependencies not) runs steel_train whatever the
# toolchain's default.
# The unit tests of training and the models make images (OpenCV's codecs): only with a full set of libraries.
unit_areas="dist|dist_cuda"; targets="steel_unit_dist steel_unit_dist_cuda"
if [ -z "$debs" ]; then
  unit_areas+="|loader|train|models|cli"; targets+=" steel_unit_loader steel_unit_train steel_unit_models steel_unit_cli"
fi
STEEL_TORCH_PYTHON=python3 TORCH=pip BUILD_DIR="$BUILD_DIR" JOBS="$JOBS" \
  TARGETS="steel_train steel_compare_weights steel_model_bench $targets" \
  step build scripts/build.sh -DCMAKE_EXE_LINKER_FLAGS=-Wl,--as-needed \
  ${STEEL_DEPS_PREFIX:+-DCMAKE_PREFIX_PATH="$(STEEL_TORCH_PYTHON=python3 scripts/install_torch.sh);$STEEL_DEPS_PREFIX/usr"}
step unit_tests ctest --test-dir "$BUILD_DIR" -L unit -R "^unit\.($unit_areas)\." -j 8 --output-on-failure

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
train=$BUILD_DIR/launcher/steel_train
short=(--fold 0 --max-val-batches 4 --progress false --device cuda)
step train_cuda_bf16 "$train" --backbone resnet34 --data "$data" --out "$runs/bf16" --epochs 2 --amp bf16 \
  --channels-last true --max-train-batches 20 "${short[@]}"
step train_cuda_fp16 "$train" --backbone efficientnet-b0 --data "$data" --out "$runs/fp16" --epochs 1 --amp fp16 \
  --max-train-batches 20 "${short[@]}"
# CUDA graphs: the captured step against the eager one (the unit test above), and a run with them on and off.
step train_cuda_graphs "$train" --backbone resnet34 --data "$data" --out "$runs/graphs" --epochs 2 --amp bf16 \
  --channels-last true --max-train-batches 20 --cuda-graphs true "${short[@]}"
# Two ranks on one GPU over Gloo against one rank: CI's N-invariance test on CUDA tensors, in full float32
# (TF32 convolutions would differ between the two batch shapes by more than the test's tolerance).
step equivalence_gloo_cuda tests/mpi/train_equivalence.sh "$train" "$BUILD_DIR/tests/mpi/steel_compare_weights" \
  "$data" "$runs/equivalence" --device cuda --dist-backend gloo --tf32 false

# Training images/s, fp32 and bf16, global batch 16, at the shards' size: the last epoch's figure.
for backbone in $BACKBONES; do
  for amp in off bf16 bf16_graphs; do
    graphs=false; [ "$amp" = bf16_graphs ] && graphs=true
    step "rate_${backbone}_${amp}" "$train" --backbone "$backbone" --data "$data" --out "$runs/rate_$amp" \
      --epochs 2 --amp "${amp%_graphs}" --cuda-graphs "$graphs" --channels-last true --max-train-batches 30 --fold 0 --max-val-batches 1 \
      --progress false --device cuda
    tail -1 "$runs/rate_$amp/$backbone/fold_0/metrics.csv" 2>/dev/null |
      awk -F, -v b="$backbone" -v a="$amp" '{printf "%-16s amp %-4s %8.1f img/s\n", b, a, $9}' | tee -a "$OUT/rates.txt"
  done
done

# steel against Python eager on the same step (the full grid, with torch.compile, is bench_gpu.sh alone).
BACKBONES="$BACKBONES" MODES=thesis AMPS=bf16 COMPILE=0 STEPS=10 WARMUP=3 \
  step bench_vs_python scripts/gpu/bench_gpu.sh "$BUILD_DIR"

echo; echo "=== summary (logs in $OUT)"
cat "$OUT/summary.txt" "$OUT/rates.txt" 2>/dev/null
! grep -qv ' rc 0 ' "$OUT/summary.txt"
