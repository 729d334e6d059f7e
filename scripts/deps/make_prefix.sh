#!/usr/bin/env bash
# Builds a user-space prefix holding every library steel needs except LibTorch, from Debian 12's packages,
# for hosts where they cannot be installed (air-gapped GPU clusters, containers without root).
#
#   scripts/deps/make_prefix.sh PREFIX            download (needs Debian 12's apt) and unpack into PREFIX
#   scripts/deps/make_prefix.sh --download DEBS   only download the .deb files into DEBS (to carry them)
#   scripts/deps/make_prefix.sh --unpack DEBS PREFIX   unpack carried .deb files on the target host (dpkg-deb, or ar and tar)
#   --trainer-only (before the rest): leave out what OpenCV's image codecs load (GDAL and its formats, ~40% of the
#   download). steel_train and the tests that read no images still run; the image tools need the full prefix.
#
# PREFIX/env.sh then sets CMAKE_PREFIX_PATH, LD_LIBRARY_PATH, PATH, OPAL_PREFIX and HDF5_PLUGIN_PATH:
#   source PREFIX/env.sh && scripts/build.sh
# The libraries need glibc >= 2.36 and GCC 12's libstdc++ or newer on the target (Debian 12, Ubuntu 23.04 and
# later); see docs/GPU.md.
set -euo pipefail

usage() { sed -n '5,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# Headers, CMake/pkg-config files and link-time symlinks: taken without their dependencies, because the
# -dev packages also depend on compilers and each other's -dev packages, which a build host has or does not need.
DEV_PACKAGES=(
  libhdf5-dev zlib1g-dev libdeflate-dev libblosc-dev libjpeg62-turbo-dev
  libboost1.74-dev libboost-program-options1.74-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libopenmpi-dev libgtest-dev libgmock-dev libgloo-dev
  libopencv-dev libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
)
# OpenCV's CMake package checks that every module's library file exists, so every module's library is
# carried (without its dependencies); only the three modules steel uses get what they load at run time.
OPENCV_MODULES=(calib3d contrib dnn features2d flann highgui ml objdetect photo shape stitching superres
                video videoio videostab viz)
# What steel loads at run time, and mpirun with its data files, and HDF5's Blosc plugin.
RUNTIME_ROOTS=(
  libopencv-core406 libopencv-imgproc406 libopencv-imgcodecs406
  libhdf5-103-1 hdf5-filter-plugin-blosc-serial libblosc1 libdeflate0 zlib1g libjpeg62-turbo
  libboost-program-options1.74.0 libspdlog1.10 libfmt9 libopenmpi3 openmpi-bin openmpi-common libgloo0
)
# Every glibc host has these; carrying them would shadow the host's own C and C++ runtime.
HOST_LIBRARIES_RE='^(libc|libm|libdl|librt|libpthread|libresolv|libutil|libanl|ld-linux-x86-64|libstdc\+\+|libgcc_s)\.so'

# apt's dependency closure is far wider than what is loaded (OpenCV's core package pulls Mesa and LLVM through
# libGLX, which loads its vendor library only when asked to draw), so the closure is pruned to the packages that
# hold a library some root's ELF files need, transitively (DT_NEEDED), plus files the roots dlopen themselves.
die() { echo "make_prefix: $*" >&2; exit 1; }

require() {
  for tool in "$@"; do command -v "$tool" >/dev/null || die "needs $tool, which is not on PATH"; done
}

# apt-get quietly, but with its own words on failure.
apt_quiet() {
  local log
  log=$(mktemp)
  if ! apt-get "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "apt-get $1 failed (above); on a fresh machine run 'apt-get update' first"
  fi
  rm -f "$log"
}

download() {
  require apt-get dpkg-deb readelf
  local debs=$1
  mkdir -p "$debs"
  debs=$(cd "$debs" && pwd)
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  : >"$work/status"
  # An empty dpkg status makes apt list every package the roots need, one choice per alternative.
  if ! apt-get -s -o Dir::State::status="$work/status" -o APT::Install-Recommends=false \
       install "${RUNTIME_ROOTS[@]}" >"$work/simulation" 2>&1; then
    cat "$work/simulation" >&2
    die "apt could not resolve ${RUNTIME_ROOTS[*]} (is this Debian 12, after 'apt-get update'?)"
  fi
  awk '/^Inst /{print $2}' "$work/simulation" >"$work/closure"
  mkdir -p "$work/closure-debs"
  (cd "$work/closure-debs" && apt_quiet download $(cat "$work/closure"))

  # Which package holds each library file name, and which ELF files each package has.
  mkdir -p "$work/x"
  : >"$work/provides"
  for deb in "$work/closure-debs"/*.deb; do
    local pkg
    pkg=$(dpkg-deb -f "$deb" Package)
    dpkg-deb -x "$deb" "$work/x/$pkg"
    (cd "$work/x/$pkg" && find . \( -type f -o -type l \) -name '*.so*') | while read -r f; do
      echo "$(basename "$f") $pkg"
    done >>"$work/provides"
  done
  local keep=" ${RUNTIME_ROOTS[*]} " queue=("${RUNTIME_ROOTS[@]}")
  while [ ${#queue[@]} -gt 0 ]; do
    local pkg=${queue[0]}
    queue=("${queue[@]:1}")
    [ -d "$work/x/$pkg" ] || continue
    local needed
    needed=$(find "$work/x/$pkg" -type f -exec sh -c 'readelf -d "$1" 2>/dev/null' _ {} \; |
             sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u | grep -Ev "$HOST_LIBRARIES_RE" || true)
    for lib in $needed; do
      local owner
      owner=$(awk -v l="$lib" '$1 == l {print $2; exit}' "$work/provides")
      if [ -z "$owner" ]; then
        # An optional component's library that apt satisfied with another alternative (Open MPI's PSM transport).
        echo "make_prefix: not carried: $lib (needed by a part of $pkg that then cannot load)" >&2
      elif [[ $keep != *" $owner "* ]]; then
        keep+="$owner "
        queue+=("$owner")
      fi
    done
  done
  local modules=()
  for m in "${OPENCV_MODULES[@]}"; do modules+=("libopencv-${m}406"); done
  local all
  all=$(printf '%s\n' $keep "${DEV_PACKAGES[@]}" "${modules[@]}" | sort -u)
  echo "make_prefix: $(echo "$all" | wc -l) packages ($(wc -l <"$work/closure") in apt's closure) into $debs"
  (cd "$debs" && apt_quiet download $all)
  du -sh "$debs" | awk '{print "make_prefix: " $1 " of .deb files"}'
}

# dpkg-deb -x / -e, or ar and tar where there is no dpkg (a .deb is an ar archive of two tarballs).
deb_extract() {
  local what=$1 deb=$2 dir=$3
  mkdir -p "$dir"
  if command -v dpkg-deb >/dev/null; then
    if [ "$what" = data ]; then dpkg-deb -x "$deb" "$dir"; else dpkg-deb -e "$deb" "$dir"; fi
    return
  fi
  local member
  member=$(ar t "$deb" | grep "^$what\.tar")
  case $member in
    *.xz) ar p "$deb" "$member" | tar -xJ -C "$dir" ;;
    *.zst) ar p "$deb" "$member" | zstd -dc | tar -x -C "$dir" ;;
    *.gz) ar p "$deb" "$member" | tar -xz -C "$dir" ;;
    *) ar p "$deb" "$member" | tar -x -C "$dir" ;;
  esac
}

unpack() {
  command -v dpkg-deb >/dev/null || require ar tar
  local debs=$1 prefix=$2
  ls "$debs"/*.deb >/dev/null 2>&1 || die "$debs holds no .deb files"
  mkdir -p "$(dirname "$prefix")"
  prefix=$(cd "$(dirname "$prefix")" && pwd)/$(basename "$prefix")
  # The path goes into sed expressions and env.sh unquoted.
  [[ $prefix =~ ^[A-Za-z0-9._/+-]+$ ]] || die "prefix path '$prefix': use only letters, digits and . _ / + -"
  # Replaced wholesale below: refuse anything that is not an earlier prefix.
  if [ -e "$prefix" ] && [ ! -f "$prefix/env.sh" ]; then
    die "$prefix exists and is not a prefix made by this script (no env.sh); remove it or pick another path"
  fi
  local tmp="$prefix.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp/.control"
  for deb in "$debs"/*.deb; do
    deb_extract data "$deb" "$tmp"
    # The links Debian's maintainer scripts would make with update-alternatives (mpirun, mpicxx, the MPI
    # include folder, libblas.so.3, ...): each package here is the only provider of its alternatives.
    deb_extract control "$deb" "$tmp/.control/pkg"
    if [ -f "$tmp/.control/pkg/postinst" ]; then
      sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$tmp/.control/pkg/postinst" |
        grep -oE -- '--(install|slave)[[:space:]]+/[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+/[^[:space:]]+' |
        awk '{print $2, $4}' >>"$tmp/.control/alternatives" || true
    fi
    rm -rf "$tmp/.control/pkg"
  done
  touch "$tmp/.control/alternatives"
  while read -r link target; do
    [ -e "$tmp$target" ] || continue
    mkdir -p "$(dirname "$tmp$link")"
    ln -sfn "$tmp$target" "$tmp$link"
  done <"$tmp/.control/alternatives"
  rm -rf "$tmp/.control"
  # Absolute symlinks (those just made, and Debian's own) are made relative, so they point into the prefix
  # wherever it is moved.
  find "$tmp" -type l | while read -r link; do
    target=$(readlink "$link")
    case $target in
      "$tmp"/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$target")" "$link" ;;
      /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$tmp$target")" "$link" ;;
    esac
  done
  # pkg-config files name /usr (FindMPI and FindHDF5 read them): point them at the prefix.
  find "$tmp" -name '*.pc' -type f -exec sed -i -E \
      -e "s#^prefix=/usr\$#prefix=$prefix/usr#" -e "/^prefix=/!s#([=[:space:]]|-I|-L)/usr/#\1$prefix/usr/#g" {} +
  local lib=$prefix/usr/lib/x86_64-linux-gnu
  # Open MPI's wrappers and mpirun find their files through OPAL_PREFIX; HDF5 its plugins through
  # HDF5_PLUGIN_PATH.
  cat >"$tmp/env.sh" <<ENV
# Generated by steel's scripts/deps/make_prefix.sh: source it before building or running steel.
export STEEL_DEPS_PREFIX=$prefix
export CMAKE_PREFIX_PATH=$prefix/usr\${CMAKE_PREFIX_PATH:+:\$CMAKE_PREFIX_PATH}
export PKG_CONFIG_PATH=$lib/pkgconfig:$prefix/usr/share/pkgconfig:$lib/openmpi/lib/pkgconfig\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}
export LD_LIBRARY_PATH=$lib:$prefix/lib/x86_64-linux-gnu:$lib/hdf5/serial:$lib/openmpi/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export PATH=$prefix/usr/bin:\$PATH
export OPAL_PREFIX=$prefix/usr
export HDF5_PLUGIN_PATH=$lib/hdf5/serial/plugins
ENV
  rm -rf "$prefix"
  mv "$tmp" "$prefix"
  echo "make_prefix: $(du -sh "$prefix" | cut -f1) in $prefix; next: source $prefix/env.sh"
}

if [ "${1:-}" = --trainer-only ]; then
  shift
  roots=()
  for r in "${RUNTIME_ROOTS[@]}"; do [ "$r" = libopencv-imgcodecs406 ] || roots+=("$r"); done
  RUNTIME_ROOTS=("${roots[@]}")
  OPENCV_MODULES+=(imgcodecs)
fi

case ${1:-} in
  --download) [ $# -eq 2 ] || usage; download "$2" ;;
  --unpack) [ $# -eq 3 ] || usage; unpack "$2" "$3" ;;
  ""|-*) usage ;;
  *)
    [ $# -eq 1 ] || usage
    debs=$(mktemp -d)
    download "$debs"
    unpack "$debs" "$1"
    rm -rf "$debs"
    ;;
esac
