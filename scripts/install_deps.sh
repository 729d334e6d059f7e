#!/usr/bin/env bash
# Installs everything steel needs from Debian 12's packages. Idempotent: does nothing when all
# packages are already present, so the quick-start commands can call it every time.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libgloo-dev            # LibTorch C++ with c10d (Gloo on CPU)
  libopenblas0-pthread                # LibTorch's matrix products go through libblas.so.3: ~40x faster than the reference BLAS
  libopenmpi-dev openmpi-bin          # launch and rendezvous
  libhdf5-dev zlib1g-dev libdeflate-dev  # shards
  libblosc-dev hdf5-filter-plugin-blosc-serial  # Blosc chunks, and the HDF5 plugin h5py and h5dump read them with
  libboost-program-options-dev libspdlog-dev nlohmann-json3-dev libgtest-dev libgmock-dev
  libopencv-dev                       # JPEG decode, resize, rotate, flip, drawing
  libprotobuf-dev protobuf-compiler   # TensorBoard event files (steel_train's logs)
  libjpeg-dev                         # JPEG headers: every image's size checked before planning
  python3 python3-numpy python3-h5py python3-hdf5plugin python3-opencv python3-matplotlib bc  # benchmark reference and plots
  python3-torch                       # the Python reference U-Net (scripts/bench/unet_reference.py) and its test
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install_deps: done"
