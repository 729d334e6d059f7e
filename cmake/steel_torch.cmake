# Finds LibTorch and settles everything that differs between the LibTorch builds steel is built against:
# Debian's 1.13 (CPU) and PyPI's torch 2.x wheels (CUDA), each found the way users find any LibTorch, with
# -DCMAKE_PREFIX_PATH=<torch.utils.cmake_prefix_path> and nothing else. The rest of the build reads only what
# this file sets: TORCH_LIBRARIES, CMAKE_CXX_STANDARD, STEEL_WITH_CUDA, NCCL_INCLUDE_DIR/NCCL_LIBRARY,
# GLOO_INCLUDE_DIR and STEEL_FMT_SHIM_DIR. Call it after spdlog is found.

# The CUDA wheels' cuda.cmake turns this list into nvcc flags. steel compiles no .cu file, but left unset the
# list is guessed by probing for a GPU, and without one falls back to architectures (sm_50) that nvcc 13 no
# longer accepts. H100 and H200 are 9.0; add others with -DTORCH_CUDA_ARCH_LIST="8.0;9.0".
if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(TORCH_CUDA_ARCH_LIST "9.0" CACHE STRING "CUDA architectures for the CUDA LibTorch's nvcc flags")
endif()

find_package(Torch REQUIRED)

# TorchConfig imposes its std::string ABI on everything that links torch. With the old ABI the link would
# fail only at the end, with pages of undefined std::__cxx11 symbols from Debian's C++ libraries; say why now.
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
  message(FATAL_ERROR
    "steel: the LibTorch at ${TORCH_INSTALL_PREFIX} (${Torch_VERSION}) is built with the pre-C++11 std::string "
    "ABI (TORCH_CXX_FLAGS: ${TORCH_CXX_FLAGS}), as the pip wheels before torch 2.7 are, while Debian's OpenCV, "
    "Boost, spdlog and HDF5 use the C++11 ABI, so linking steel would fail. Use a torch >= 2.7 wheel, or the "
    "cxx11-ABI LibTorch zip from pytorch.org (libtorch-cxx11-abi-shared-with-deps-*.zip), and point "
    "CMAKE_PREFIX_PATH or Torch_DIR at it.")
endif()

# TorchConfig's find_library calls search the system's folders before the LibTorch's own, so on a machine
# that also has Debian's LibTorch a wheel build would link Debian's libc10.so beside the wheel's libtorch
# (and load whichever comes first). Take every library that the LibTorch found ships from that LibTorch.
set(_steel_torch_libraries)
foreach(lib IN LISTS TORCH_LIBRARIES)
  if(IS_ABSOLUTE "${lib}")
    get_filename_component(_steel_name "${lib}" NAME)
    string(FIND "${lib}" "${TORCH_INSTALL_PREFIX}/" _steel_at)
    if(NOT _steel_at EQUAL 0 AND EXISTS "${TORCH_INSTALL_PREFIX}/lib/${_steel_name}")
      message(STATUS "steel: linking ${TORCH_INSTALL_PREFIX}/lib/${_steel_name}, not ${lib}")
      set(lib "${TORCH_INSTALL_PREFIX}/lib/${_steel_name}")
    endif()
  endif()
  list(APPEND _steel_torch_libraries "${lib}")
endforeach()
set(TORCH_LIBRARIES ${_steel_torch_libraries})

# The wheels' libtorch.so exports some of libstdc++ (std::filesystem, stringstream members: its build toolchain
# links newer libstdc++ parts statically), and the loader binds each symbol to the first library in the
# executable's NEEDED list that defines it. Behind libtorch in that list, std::filesystem::remove_all called
# into libtorch's copy and crashed. Naming libstdc++ before every other library keeps the C++ runtime ours.
add_link_options(LINKER:--push-state,--no-as-needed,-lstdc++,--pop-state)

# The C++ standard is the one this LibTorch's headers accept: torch 2.14 and later stop with "#error C++20 or
# later compatible compiler is required to use ATen" below C++20. Ask the headers rather than a version table:
# preprocess ATen.h (about a second; the preprocessor is where the #error fires) as C++17, then as C++20.
if(NOT STEEL_TORCH_CXX_STANDARD OR NOT STEEL_TORCH_CXX_STANDARD_FOR STREQUAL "${TORCH_INSTALL_PREFIX}")
  set(_steel_probe "${CMAKE_BINARY_DIR}/CMakeFiles/steel_torch_std_probe.cpp")
  file(WRITE "${_steel_probe}" "#include <ATen/ATen.h>\n")
  set(_steel_include_flags)
  foreach(dir IN LISTS TORCH_INCLUDE_DIRS)
    list(APPEND _steel_include_flags "-I${dir}")
  endforeach()
  unset(STEEL_TORCH_CXX_STANDARD CACHE)
  foreach(_steel_std 17 20)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -std=c++${_steel_std} -E ${_steel_include_flags} ${_steel_probe}
                    RESULT_VARIABLE _steel_rc OUTPUT_QUIET ERROR_VARIABLE _steel_err)
    if(_steel_rc EQUAL 0)
      set(STEEL_TORCH_CXX_STANDARD ${_steel_std} CACHE INTERNAL "C++ standard the LibTorch's headers need")
      set(STEEL_TORCH_CXX_STANDARD_FOR "${TORCH_INSTALL_PREFIX}" CACHE INTERNAL "LibTorch the standard was probed for")
      break()
    endif()
  endforeach()
  if(NOT STEEL_TORCH_CXX_STANDARD)
    message(FATAL_ERROR "steel: the headers of the LibTorch at ${TORCH_INSTALL_PREFIX} (${Torch_VERSION}) "
      "preprocess neither as C++17 nor as C++20 with ${CMAKE_CXX_COMPILER} ${CMAKE_CXX_COMPILER_VERSION}:\n${_steel_err}")
  endif()
endif()
set(CMAKE_CXX_STANDARD ${STEEL_TORCH_CXX_STANDARD})
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

# The wheels ship fmt's headers (fmt 12 in torch 2.11) in torch/include, ahead of /usr/include, while
# Debian's spdlog is built on Debian's fmt 9 and does not compile against fmt 12. A folder holding only a
# link to spdlog's fmt, searched first, gives every source one fmt: spdlog's. Torch's own fmt lives in
# libtorch under another inline namespace (fmt::v12), so the two never meet at link time.
set(STEEL_FMT_SHIM_DIR "")
if(EXISTS "${TORCH_INSTALL_PREFIX}/include/fmt" AND TARGET fmt::fmt)
  get_target_property(_steel_fmt_includes fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
  find_path(STEEL_SPDLOG_FMT_DIR fmt/format.h HINTS ${_steel_fmt_includes} NO_DEFAULT_PATH)
  if(STEEL_SPDLOG_FMT_DIR AND NOT STEEL_SPDLOG_FMT_DIR STREQUAL "${TORCH_INSTALL_PREFIX}/include")
    set(STEEL_FMT_SHIM_DIR "${CMAKE_BINARY_DIR}/steel_fmt_first")
    file(MAKE_DIRECTORY "${STEEL_FMT_SHIM_DIR}")
    file(CREATE_LINK "${STEEL_SPDLOG_FMT_DIR}/fmt" "${STEEL_FMT_SHIM_DIR}/fmt" SYMBOLIC)
    message(STATUS "steel: LibTorch ships its own fmt; every source takes spdlog's from ${STEEL_SPDLOG_FMT_DIR}")
  endif()
endif()

# c10d's ProcessGroupGloo.hpp includes Gloo's headers, which Debian's LibTorch takes from libgloo-dev and the
# pip wheels do not ship at all (Gloo is linked into libtorch_cpu). Debian's libgloo-dev declares what
# ProcessGroupGloo.hpp uses, and the mpi tests run the Gloo backend through it on both builds.
find_path(GLOO_INCLUDE_DIR gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
if(NOT GLOO_INCLUDE_DIR)
  message(FATAL_ERROR "steel: Gloo's headers (gloo/algorithm.h) were not found; c10d's ProcessGroupGloo.hpp "
    "needs them and the LibTorch at ${TORCH_INSTALL_PREFIX} does not ship them. On Debian or Ubuntu: "
    "apt-get install libgloo-dev (scripts/install_deps.sh does), or set GLOO_INCLUDE_DIR.")
endif()

# A CUDA LibTorch sets TORCH_CUDA_LIBRARIES; only then are the CUDA/NCCL sources compiled.
if(TORCH_CUDA_LIBRARIES)
  set(STEEL_WITH_CUDA ON)
  # c10d's NCCL header includes <nccl.h>, which is not among a wheel's torch headers: take it from the
  # nvidia-nccl wheel beside torch in the same environment (the NCCL libtorch_cuda loads), then NCCL_ROOT,
  # then the system. NAMES_PER_DIR: the wheel ships only libnccl.so.2, and must win over a system libnccl.so.
  get_filename_component(_steel_wheel_nccl "${TORCH_INSTALL_PREFIX}/../nvidia/nccl" ABSOLUTE)
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${NCCL_ROOT} ENV NCCL_ROOT "${_steel_wheel_nccl}" PATH_SUFFIXES include)
  find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2 NAMES_PER_DIR
               HINTS ${NCCL_ROOT} ENV NCCL_ROOT "${_steel_wheel_nccl}" PATH_SUFFIXES lib lib64)
  if(NOT NCCL_INCLUDE_DIR OR NOT NCCL_LIBRARY)
    message(FATAL_ERROR "steel: LibTorch has CUDA but NCCL's nccl.h or library was not found; set NCCL_ROOT to "
      "the folder holding include/nccl.h and lib/libnccl.so* (for a pip torch: python3 -c "
      "'import nvidia.nccl; print(nvidia.nccl.__path__[0])'). See docs/GPU.md.")
  endif()
  message(STATUS "steel: NCCL ${NCCL_INCLUDE_DIR}, ${NCCL_LIBRARY}; TORCH_CUDA_ARCH_LIST ${TORCH_CUDA_ARCH_LIST}")
  # steel calls the CUDA runtime itself (stream capture status, events), so its executables name libcudart in
  # NEEDED and the loader looks for it along their RUNPATH before libtorch_cuda asks: only one copy of a soname
  # loads. Link the wheel's CUDA runtime and NVRTC, the ones libtorch_cuda was built for, not the toolkit's
  # (which may be older, e.g. a 13.0 toolkit with a 13.2 wheel, or absent on a GPU host), so that no toolkit
  # folder comes first in the RUNPATH.
  foreach(_steel_cuda_lib cudart nvrtc)
    file(GLOB _steel_wheel_lib "${TORCH_INSTALL_PREFIX}/../nvidia/*/lib/lib${_steel_cuda_lib}.so.[0-9]*")
    if(NOT _steel_wheel_lib)
      continue()
    endif()
    list(GET _steel_wheel_lib 0 _steel_wheel_lib)
    get_filename_component(_steel_wheel_lib "${_steel_wheel_lib}" ABSOLUTE)
    if(TARGET CUDA::${_steel_cuda_lib})
      set_target_properties(CUDA::${_steel_cuda_lib} PROPERTIES IMPORTED_LOCATION "${_steel_wheel_lib}")
    endif()
    list(TRANSFORM TORCH_LIBRARIES REPLACE "^/.*/lib${_steel_cuda_lib}\\.so$" "${_steel_wheel_lib}")
    message(STATUS "steel: CUDA ${_steel_cuda_lib} from the wheel: ${_steel_wheel_lib}")
  endforeach()
else()
  set(STEEL_WITH_CUDA OFF)
endif()
message(STATUS "steel: LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}, C++${CMAKE_CXX_STANDARD}, "
               "CUDA: ${STEEL_WITH_CUDA}")
