// The versions a run record names besides LibTorch's: the compiler that built this binary and the HDF5 and
// OpenCV it runs with, so that a result can be traced to the exact stack that produced it.
#pragma once

#include <string>

namespace steel {

std::string compiler_version();  ///< e.g. "GCC 12.2.0"
std::string hdf5_version();      ///< the library loaded at run time, e.g. "1.10.8"
std::string opencv_version();    ///< the library loaded at run time, e.g. "4.6.0"

}  // namespace steel
