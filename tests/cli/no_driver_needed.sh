#!/usr/bin/env bash
# no_driver_needed.sh EXECUTABLE... - passes when no executable names the CUDA driver (libcuda.so.1) as NEEDED:
# a CUDA build of steel must start, and train on the CPU, on a machine without a GPU driver. LibTorch loads the
# driver lazily; a link against the toolkit's stub libcuda would make the loader demand it at start-up.
# With a pip wheel's LibTorch, the CUDA runtime an executable loads must also be the wheel's (the one
# libtorch_cuda was built for), not a toolkit's that happens to come first.
status=0
for exe in "$@"; do
  needed=$(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  [ -n "$needed" ] || { echo "FAIL: $exe: readelf lists no NEEDED entries"; status=1; continue; }
  if grep -qx 'libcuda\.so.*' <<<"$needed"; then
    echo "FAIL: $exe needs the CUDA driver: $(grep -x 'libcuda\.so.*' <<<"$needed")"
    status=1
    continue
  fi
  loaded=$(ldd "$exe")
  cudart=$(sed -n 's/.*libcudart\.so[.0-9]* => \([^ ]*\).*/\1/p' <<<"$loaded")
  [ -z "$cudart" ] || cudart=$(realpath "$cudart")
  if grep -q 'site-packages/torch/lib/libtorch_cuda' <<<"$loaded" && [ -n "$cudart" ] &&
     [[ $cudart != */site-packages/nvidia/* ]]; then
    echo "FAIL: $exe loads the CUDA runtime $cudart, not the torch wheel's"
    status=1
    continue
  fi
  echo "ok: $exe ($(wc -l <<<"$needed") NEEDED entries, no libcuda${cudart:+; CUDA runtime $cudart})"
done
exit $status
